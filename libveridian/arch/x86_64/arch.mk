# User-space code generation for x86_64.
USER_ARCH_CFLAGS :=
