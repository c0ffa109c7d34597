/*
 * The console's input: the root task's UART driver (console.c) over the
 * per-architecture receive side of the console UART (uart.h).
 */
#pragma once

#include "uart.h"

/* Starts the driver thread, which hands what is typed to the vfs server (VFS_CONSOLE_INPUT). */
int64_t console_start(void);
