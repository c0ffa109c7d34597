# riscv64: a RISC-V Linux-style Image, loaded by QEMU -kernel and entered by OpenSBI in S-mode.

ARCH_TRIPLE := riscv64-unknown-none-elf
# No linker relaxation: the two link passes must give every instruction the same size.
ARCH_CFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_LDFLAGS := --no-relax --orphan-handling=error
ARCH_LDSCRIPT := microkernel/arch/riscv64/kernel.ld
KERNEL_SRCS += $(wildcard microkernel/arch/riscv64/*.c) $(wildcard microkernel/arch/riscv64/*.S)
# The user F/D registers are saved and loaded in fpu.S, the one file assembled with them.
$(B)/obj/microkernel/arch/riscv64/fpu.S.o: KERNEL_CFLAGS += -march=rv64imafdc
# cpu.c's leaves (arch_irq_save and arch_irq_restore, a few times in every system call and
# switch) are one CSR instruction each: a frame record would triple them, and a backtrace
# never starts inside one.
$(B)/obj/microkernel/arch/riscv64/cpu.c.o: KERNEL_CFLAGS += -momit-leaf-frame-pointer

ARCH_IMAGES := $(B)/Image

$(B)/Image: $(B)/kernel.elf
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY) -O binary $< $@
