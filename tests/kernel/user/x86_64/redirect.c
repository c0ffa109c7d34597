/* x86_64 parts of test_redirect.c: rflags, and a spin with rsp in the unmapped first page. */
#include "../redirect.h"

#define RFLAGS_TF (1u << 8)
#define RFLAGS_IF (1u << 9)
#define RFLAGS_IOPL (3u << 12)
#define RFLAGS_NT (1u << 14)
#define RFLAGS_VM (1u << 17)

bool uframe_sane(const struct vr_uframe *f)
{
	return (f->rflags & RFLAGS_IF) && !(f->rflags & (RFLAGS_TF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM));
}

void uframe_forge(struct vr_uframe *f)
{
	f->rflags = (f->rflags | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM) & ~(uint64_t)RFLAGS_IF;
}

uint64_t spin_on_bad_stack(uint64_t arg)
{
	__asm__ volatile("movq $0x100, %%rsp\n1: jmp 1b" ::: "memory");
	return arg;
}
