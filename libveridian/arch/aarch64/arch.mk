# User-space code generation for aarch64.
USER_ARCH_CFLAGS :=
