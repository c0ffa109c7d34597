/* Host test helpers: catching a kernel panic. */
#pragma once

#include <setjmp.h>

extern jmp_buf *panic_catcher;
extern int panics_caught;

/* Runs @stmt and evaluates to 1 if it panicked. */
#define EXPECT_PANIC(stmt) \
	({ \
		jmp_buf jb_; \
		int hit_ = 0; \
		panic_catcher = &jb_; \
		if (setjmp(jb_) == 0) { \
			stmt; \
		} else { \
			hit_ = 1; \
		} \
		panic_catcher = NULL; \
		hit_; \
	})
