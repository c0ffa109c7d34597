/* aarch64 parts of test_redirect.c: pstate, and a spin with sp in the unmapped first page. */
#include "../redirect.h"

#define PSTATE_M 0xfu		/* EL and SP selection: EL0t is 0 */
#define PSTATE_DAIF (0xfu << 6)
#define PSTATE_EL1H 0x5u

bool uframe_sane(const struct vr_uframe *f)
{
	return !(f->pstate & (PSTATE_M | PSTATE_DAIF));
}

void uframe_forge(struct vr_uframe *f)
{
	f->pstate |= PSTATE_EL1H | PSTATE_DAIF;
}

uint64_t spin_on_bad_stack(uint64_t arg)
{
	__asm__ volatile("mov x9, #0x100\n mov sp, x9\n1: b 1b" ::: "x9", "memory");
	return arg;
}
