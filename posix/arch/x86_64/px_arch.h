/* x86_64's own Linux system calls: the thread pointer is set with arch_prctl. */
#pragma once

PX_DECLARE(arch_prctl);

#define PX_ARCH_CALLS CALL(arch_prctl),
