/* The host tests' stand-in for <arch/abi.h>: the current CPU comes from stubs.c. */
#pragma once

struct cpu;
struct cpu *arch_this_cpu(void);
