/*
 * The console UART as a user-space driver sees it, per architecture: which
 * device line it raises, and how to make it raise and drop its transmit
 * interrupt. On a finished system devmgr learns this from ACPI or the device
 * tree; the test knows QEMU's machines.
 */
#pragma once

#include <veridian/vr.h>

struct test_uart {
	unsigned line;
	/* Gets access to the registers through the root resource; 0 or -errno. */
	int64_t (*open)(handle_t resource);
	void (*raise)(void);
	void (*quiet)(void);
};

extern const struct test_uart test_uart;
