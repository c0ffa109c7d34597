/*
 * Weak placeholders for arch hooks an architecture has not implemented yet,
 * so the tree links while the ports catch up. Each panics if reached. This
 * file is deleted once every architecture implements every hook.
 */
#include <kernel/arch.h>
#include <kernel/panic.h>

#define PENDING(ret, name, ...) \
	__attribute__((weak)) ret name(__VA_ARGS__) \
	{ \
		panic("%s is not implemented on " ARCH_NAME " yet", #name); \
	}

PENDING(int, arch_aspace_create, paddr_t *root)
PENDING(void, arch_aspace_destroy, paddr_t root)
PENDING(int, arch_page_map, paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
PENDING(void, arch_page_unmap, paddr_t root, vaddr_t va)
PENDING(bool, arch_page_query, paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot)
PENDING(void, arch_aspace_switch, paddr_t root)
PENDING(paddr_t, arch_kernel_root, void)
PENDING(void, arch_tlb_flush_all, void)
PENDING(void, arch_send_ipi, struct cpu *target)

/* These three degrade instead: kmain calls them on every architecture. */
__attribute__((weak)) int arch_cpu_start(struct cpu *c, void *stack_top)
{
	return -38;	/* -ENOSYS */
}

__attribute__((weak)) void arch_timer_init(void)
{
}

__attribute__((weak)) uint64_t arch_time_ns(void)
{
	return arch_cycles();
}
PENDING(int, arch_irq_line_enable, unsigned line, struct cpu *target)
PENDING(void, arch_irq_line_disable, unsigned line)
PENDING(void, arch_irq_line_ack, unsigned line)
PENDING(unsigned, arch_irq_line_count, void)
PENDING(void, arch_thread_init, struct thread *t, void (*entry)(void *), void *arg)
PENDING(void, arch_switch, struct thread *prev, struct thread *next)
PENDING(void, arch_uregs_init, struct user_regs *r, vaddr_t pc, vaddr_t sp, uint64_t a0, uint64_t a1)
PENDING(void, arch_return_to_user, struct user_regs *r)
PENDING(uint64_t, arch_syscall_nr, const struct user_regs *r)
PENDING(uint64_t, arch_syscall_arg, const struct user_regs *r, unsigned i)
PENDING(void, arch_syscall_set_result, struct user_regs *r, int64_t status, uint64_t value)
PENDING(vaddr_t, arch_uregs_pc, const struct user_regs *r)
PENDING(void, arch_msg_get, const struct user_regs *r, uint64_t *msg)
PENDING(void, arch_msg_set, struct user_regs *r, const uint64_t *msg)

__attribute__((weak)) int arch_ioport_access(uint64_t port, uint64_t width, uint64_t *value, bool write)
{
	return -38;	/* -ENOSYS: no port I/O here */
}

/* A port defines this (returning true) once threads and user mode work. */
__attribute__((weak)) bool arch_threads_supported(void)
{
	return false;
}
