# riscv64: a RISC-V Linux-style Image, loaded by QEMU -kernel and entered by OpenSBI in S-mode.

ARCH_TRIPLE := riscv64-unknown-none-elf
# No linker relaxation: the two link passes must give every instruction the same size.
ARCH_CFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_LDFLAGS := --no-relax --orphan-handling=error
ARCH_LDSCRIPT := microkernel/arch/riscv64/kernel.ld
KERNEL_SRCS += $(wildcard microkernel/arch/riscv64/*.c) $(wildcard microkernel/arch/riscv64/*.S)
# The user F/D registers are saved and loaded in fpu.S and switch.S, the files assembled with them.
$(B)/obj/microkernel/arch/riscv64/fpu.S.o: KERNEL_CFLAGS += -march=rv64imafdc
$(B)/obj/microkernel/arch/riscv64/switch.S.o: KERNEL_CFLAGS += -march=rv64imafdc

ARCH_IMAGES := $(B)/Image

$(B)/Image: $(B)/kernel.elf
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY) -O binary $< $@
