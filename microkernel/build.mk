# The kernel: generic code, then microkernel/arch/$(ARCH)/arch.mk adds its own
# sources, flags, linker script and boot images.

KERNEL_SRCS := $(wildcard microkernel/kern/*.c) $(wildcard microkernel/lib/*.c)
# In-kernel tests (KTEST), linked into every kernel and run by the boot self test.
KERNEL_SRCS += $(wildcard tests/kernel/*.c) $(wildcard tests/kernel/$(ARCH)/*.c)
include microkernel/arch/$(ARCH)/arch.mk

KERNEL_CFLAGS := --target=$(ARCH_TRIPLE) -std=c11 -O2 -g -ffreestanding -nostdlib \
	-fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fno-common -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Imicrokernel/include -Imicrokernel/arch/$(ARCH)/include -I$(B)/gen $(ARCH_CFLAGS)
KERNEL_LDFLAGS := -nostdlib -static --no-dynamic-linker -z max-page-size=4096 \
	--build-id=none -T $(ARCH_LDSCRIPT) $(ARCH_LDFLAGS)

# The system-call table generates the dispatcher and the prototypes every sys_* matches.
KERNEL_GEN := $(B)/gen/syscall_defs.h $(B)/gen/syscall_table.c
$(B)/gen/syscall_defs.h: microkernel/syscalls.tbl tools/gensyscalls.py
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/gensyscalls.py kernel-header $< > $@
$(B)/gen/syscall_table.c: microkernel/syscalls.tbl tools/gensyscalls.py
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/gensyscalls.py kernel-table $< > $@
$(B)/obj/gen/syscall_table.c.o: $(B)/gen/syscall_table.c $(B)/gen/syscall_defs.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

KERNEL_OBJS := $(patsubst %,$(B)/obj/%.o,$(KERNEL_SRCS)) $(B)/obj/gen/syscall_table.c.o
# Every kernel object may include the generated header.
$(patsubst %,$(B)/obj/%.o,$(KERNEL_SRCS)): | $(B)/gen/syscall_defs.h

$(B)/obj/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# Two-pass link: the first pass has an empty symbol table; tools/gensyms.py
# turns its text symbols into $(B)/ksyms.c for the second. The table sits after
# all code and data that the code refers to, so no function moves; the check
# below makes sure of that.
$(B)/ksyms-empty.c:
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/gensyms.py --empty > $@

$(B)/ksyms-%.o: $(B)/ksyms-%.c
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/kernel.pass1.elf: $(KERNEL_OBJS) $(B)/ksyms-empty.o $(ARCH_LDSCRIPT)
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(B)/ksyms-empty.o

$(B)/ksyms-full.c: $(B)/kernel.pass1.elf tools/gensyms.py
	$(Q)$(NM) -n --defined-only $< | $(PYTHON) tools/gensyms.py > $@

$(B)/kernel.elf: $(B)/kernel.pass1.elf $(B)/ksyms-full.o
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(B)/ksyms-full.o
	$(Q)$(NM) -n --defined-only $< | grep -i ' t ' > $@.syms1
	$(Q)$(NM) -n --defined-only $@ | grep -i ' t ' > $@.syms2
	$(Q)cmp -s $@.syms1 $@.syms2 || { echo "kernel.elf: functions moved between link passes"; rm -f $@; exit 1; }


-include $(KERNEL_OBJS:.o=.d)
