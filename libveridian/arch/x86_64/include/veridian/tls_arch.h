/*
 * x86_64: the thread pointer is the FS base (set with vr_thread_set_tls).
 * Reading the base itself needs FSGSBASE, which not every CPU has, so this
 * reads the word at %fs:0, which the x86_64 TLS ABI makes point to itself.
 */
#pragma once

#include <stdint.h>

static inline uint64_t vr_tls_self(void)
{
	uint64_t v;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(v));
	return v;
}
