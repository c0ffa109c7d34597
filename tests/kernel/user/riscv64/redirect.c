/*
 * riscv64 parts of test_redirect.c. The frame holds no privileged state
 * (sstatus is not in it), so there is nothing to forge or check beyond the
 * registers themselves.
 */
#include "../redirect.h"

bool uframe_sane(const struct vr_uframe *f)
{
	return f->x[0] != 0;	/* a pc was saved */
}

void uframe_forge(struct vr_uframe *f)
{
	(void)f;
}

uint64_t spin_on_bad_stack(uint64_t arg)
{
	__asm__ volatile("li sp, 0x100\n1: j 1b" ::: "memory");
	return arg;
}
