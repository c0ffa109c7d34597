/*
 * Starting the root task: the ELF file the boot loader brought along as a
 * module (GRUB module "root", or the initrd), run as the first process with
 * the root resource. A kernel thread watches it: the root task ends the
 * system with system_exit(); if it dies instead, the kernel says so.
 */
#include <kernel/boot.h>
#include <kernel/cap.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/vmo.h>
#include <uapi/veridian/rootinfo.h>

#define ROOT_STACK_TOP 0x00007ff000000000ull
#define ROOT_STACK_SIZE (256 * 1024)

struct kobject *resource_create_root(void);

static struct process *root;

static const struct boot_module *find_module(void)
{
	for (unsigned i = 0; i < boot_info.nmodules; i++)
		if (strcmp(boot_info.modules[i].name, "root") == 0 ||
		    strcmp(boot_info.modules[i].name, "initrd") == 0)
			return &boot_info.modules[i];
	return NULL;
}

static void watch_root(void *arg)
{
	int64_t status = 0;

	process_wait(root, &status);
	kprintf("root task exited with status %ld without ending the system\n", status);
	if (boot_cmdline_is("mode", "test") || boot_cmdline_is("mode", "bench"))
		arch_exit(status ? (int)status : 1);
}

/* Installs the root task's initial handles and writes its rootinfo on its stack. */
static int setup(struct process *p, const struct boot_module *m, struct rootinfo *ri)
{
	struct kobject *res = resource_create_root();
	struct vmo *image = vmo_create_anon(m->size);
	int err = res && image ? 0 : -ENOMEM;

	memset(ri, 0, sizeof(*ri));
	ri->magic = ROOTINFO_MAGIC;
	ri->image_size = m->size;
	if (!err)
		err = vmo_write_kernel(image, 0, phys_to_virt(m->base), m->size);
	if (!err)
		err = cap_install(&p->caps, &p->k, RIGHT_MANAGE | RIGHT_MAP | RIGHT_DUPLICATE, &ri->self);
	if (!err)
		err = cap_install(&p->caps, res, RIGHTS_ALL, &ri->resource);
	if (!err)
		err = cap_install(&p->caps, &image->k,
				  RIGHT_READ | RIGHT_MAP | RIGHT_DUPLICATE | RIGHT_TRANSFER, &ri->image);
	kobj_put(res);
	if (image)
		vmo_put(image);
	size_t n = MIN(strlen(boot_info.cmdline), sizeof(ri->cmdline) - 1);
	memcpy(ri->cmdline, boot_info.cmdline, n);
	return err;
}

int root_start(int kernel_test_failures)
{
	const struct boot_module *m = find_module();
	struct rootinfo ri;
	vaddr_t entry, stack = ROOT_STACK_TOP - ROOT_STACK_SIZE;

	if (!m) {
		kprintf("root: no root task module\n");
		return -ENOENT;
	}
	root = process_create();
	if (!root)
		return -ENOMEM;
	struct vmo *sv = vmo_create_anon(ROOT_STACK_SIZE);
	int err = sv ? elf_load(root, phys_to_virt(m->base), m->size, &entry) : -ENOMEM;
	if (!err)
		err = vm_map(root, sv, &stack, 0, ROOT_STACK_SIZE, PROT_READ | PROT_WRITE,
			     PROT_READ | PROT_WRITE);
	if (sv)
		vmo_put(sv);
	if (!err)
		err = setup(root, m, &ri);
	ri.kernel_test_failures = (uint64_t)kernel_test_failures;
	/* The rootinfo sits at the top of the stack; the stack proper starts below it. */
	vaddr_t info = ALIGN_DOWN(ROOT_STACK_TOP - sizeof(ri), 64);
	if (!err)
		err = user_copy(root, info, &ri, sizeof(ri), true);
	struct thread *t = err ? NULL : thread_create_user(root, entry, info - 64, info);
	struct thread *w = t ? thread_create_kernel(watch_root, NULL, PRIO_DEFAULT) : NULL;
	if (!w) {
		kprintf("root: cannot start the root task: %d\n", err ? err : -ENOMEM);
		process_kill(root, -ENOMEM);
		return err ? err : -ENOMEM;
	}
	/* Copied out (the image VMO, the loaded segments): the module's memory is the allocator's. */
	uint64_t given = frame_give(m->base, m->base + m->size);
	kprintf("root: starting the root task (%lu bytes) at %#lx; its module's %lu frames given back\n",
		m->size, entry, given);
	thread_start(w);
	thread_start(t);
	kobj_put(&t->k);
	kobj_put(&w->k);
	return 0;
}
