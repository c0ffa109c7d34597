/* x86_64's own Linux system calls: the thread pointer is set with arch_prctl. */
#pragma once

PX_DECLARE(arch_prctl);

#define PX_ARCH_CALLS CALL(arch_prctl), CALL(pause),

/* The registers px_fork_save keeps (fork.S): callee-saved ones, stack pointer and return address. */
#define PX_FORK_WORDS 8
