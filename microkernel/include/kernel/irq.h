/* Device interrupt lines as the generic kernel sees them (see arch.h for the hooks). */
#pragma once

#include <kernel/types.h>

/* How often each of the first 256 lines has fired (for tests). */
extern uint64_t irq_line_counts[256];
