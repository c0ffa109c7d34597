/*
 * aarch64 has no Linux system calls of its own here: musl's __set_thread_area
 * sets the thread pointer (TPIDR_EL0) itself, and clone sets a new thread's
 * with thread_set_tls (clone.c).
 */
#pragma once

#define PX_ARCH_CALLS

/* The registers px_fork_save keeps (fork.S): callee-saved ones, stack pointer and return address. */
#define PX_FORK_WORDS 21
