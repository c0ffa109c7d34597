# x86_64: a multiboot2 ELF kernel booted by GRUB 2 from a hybrid BIOS/UEFI ISO.

ARCH_TRIPLE := x86_64-unknown-none-elf
ARCH_CFLAGS := -mcmodel=kernel -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mgeneral-regs-only
ARCH_LDFLAGS :=
ARCH_LDSCRIPT := microkernel/arch/x86_64/kernel.ld
KERNEL_SRCS += $(wildcard microkernel/arch/x86_64/*.c) $(wildcard microkernel/arch/x86_64/*.S)

# One ISO per boot mode: GRUB's menu (and so the kernel command line) is fixed
# when the image is made. The modes and their command lines are in tools/qemu.py.
X86_MODES := run test bench bench-posix panic fault hang stack ext
ARCH_IMAGES := $(foreach m,$(X86_MODES),$(B)/veridian-$(m).iso)
# make test-ext-full's image (its initrd carries all the fuzz databases): not in make test's.
ARCH_EXT_FULL_IMAGES := $(B)/veridian-ext-full.iso

$(B)/veridian-%.iso: $(B)/kernel.elf $(B)/root.elf tools/mkiso.sh tools/qemu.py
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $< "$$($(PYTHON) -c 'import sys; sys.path.insert(0, "tools"); import qemu; print(qemu.MODES["$*"])')" $@ $(B)/root.elf

# The ext modes (the external test suites) boot their own root task (roottask/build.mk).
$(B)/veridian-ext.iso $(B)/veridian-ext-full.iso: $(B)/veridian-%.iso: $(B)/kernel.elf $(B)/root-%.elf tools/mkiso.sh tools/qemu.py
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $< "$$($(PYTHON) -c 'import sys; sys.path.insert(0, "tools"); import qemu; print(qemu.MODES["$*"])')" $@ $(B)/root-$*.elf
