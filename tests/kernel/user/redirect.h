/* The per-architecture parts of test_redirect.c (<arch>/redirect.c). */
#pragma once

#include <stdbool.h>
#include <veridian/uframe_arch.h>

/* Whether @f's flags are a user mode's (no privileged bit, interrupts on). */
bool uframe_sane(const struct vr_uframe *f);

/* Sets privileged bits in @f's flags, as a handler must not be able to. */
void uframe_forge(struct vr_uframe *f);

/* Points the stack pointer at unmapped memory and spins; never returns. */
uint64_t spin_on_bad_stack(uint64_t arg);
