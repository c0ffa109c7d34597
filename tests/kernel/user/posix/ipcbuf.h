/*
 * IPC buffers for the in-guest tests that talk to the POSIX servers
 * directly: a long message part goes through the calling thread's IPC
 * buffer, which each thread registers for itself.
 */
#pragma once

#include "../../../../roottask/posix.h"

/* A fresh page registered as the calling thread's IPC buffer; NULL if not. */
static inline void *ipc_buffer_new(void)
{
	handle_t vmo;
	uint64_t at;

	if (vr_vmo_create(VR_PAGE, 0, &vmo) ||
	    vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) ||
	    vr_ipc_buffer_set(at))
		return NULL;
	return (void *)(uintptr_t)at;
}

/* This test file's buffer for the root task's thread, made at first use. */
static inline void *ipc_buffer(void)
{
	static void *buf;

	return buf ? buf : (buf = ipc_buffer_new());
}
