# User-space code generation for riscv64: RV64GC, no linker relaxation (no gp setup in crt0).
USER_ARCH_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -mno-relax
