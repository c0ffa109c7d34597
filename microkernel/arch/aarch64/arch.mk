# aarch64: a Linux arm64 Image booted by QEMU's -kernel (or any arm64 boot loader).

ARCH_TRIPLE := aarch64-unknown-none-elf
# No FP/SIMD registers in the kernel (CPACR_EL1 leaves them trapping). -trap-unreachable
# puts a brk #1 after each call to a noreturn function, so such a call is never a
# function's last instruction: its return address stays inside the caller for
# backtraces, and a noreturn function that returns stops there (exception.c).
ARCH_CFLAGS := -mgeneral-regs-only -mllvm -trap-unreachable
ARCH_LDFLAGS :=
ARCH_LDSCRIPT := microkernel/arch/aarch64/kernel.ld
KERNEL_SRCS += $(wildcard microkernel/arch/aarch64/*.c) $(wildcard microkernel/arch/aarch64/*.S)

ARCH_IMAGES := $(B)/Image

# The Image is the loaded part of kernel.elf as a flat file; its header (head.S)
# tells the boot loader how much memory the kernel needs beyond it for .bss.
$(B)/Image: $(B)/kernel.elf
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY) -O binary $< $@
