# The root task: the first user process. It runs the in-guest test suite
# (tests/kernel/user/) in test mode and the benchmarks in bench mode; in run
# mode, a shell on the console (roottask/uart.h, one file per architecture: the console UART).
ROOT_SRCS := $(wildcard roottask/*.c) $(wildcard roottask/$(ARCH)/*.c) $(wildcard tests/kernel/user/*.c) \
	$(wildcard tests/kernel/user/$(ARCH)/*.c)
ROOT_OBJS := $(patsubst %,$(B)/user/%.o,$(ROOT_SRCS))

# Where musl is ported (MUSL_ARCHES: every architecture now), the root task
# carries the POSIX test programs (tests/posix/, built with tools/cc) and runs
# them (tests/kernel/user/posix/).
ifneq ($(filter $(ARCH),$(MUSL_ARCHES)),)
ROOT_OBJS += $(patsubst %,$(B)/user/%.o,$(wildcard tests/kernel/user/posix/*.c)) \
	$(B)/user/posix/vfs/cpio.c.o $(B)/user/initrd.S.o

# The initial ramdisk (posix/build.mk), embedded: initrd_start .. initrd_end.
$(B)/gen/initrd.S: roottask/build.mk
	@mkdir -p $(@D)
	$(Q)printf '\t.section .rodata.initrd, "a"\n\t.balign 16\n\t.globl initrd_start, initrd_end\ninitrd_start:\n\t.incbin "%s"\ninitrd_end:\n' $(INITRD) > $@

$(B)/user/initrd.S.o: $(B)/gen/initrd.S $(INITRD)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# The ext boot modes' root tasks (tools/qemu.py): the same with the external
# test suites' initrd (posix/build.mk, EXT_INITRD) in place of the test one;
# ext-full's (make test-ext-full only) with EXT_FULL_INITRD.
$(B)/gen/initrd-ext.S: roottask/build.mk
	@mkdir -p $(@D)
	$(Q)printf '\t.section .rodata.initrd, "a"\n\t.balign 16\n\t.globl initrd_start, initrd_end\ninitrd_start:\n\t.incbin "%s"\ninitrd_end:\n' $(EXT_INITRD) > $@

$(B)/gen/initrd-ext-full.S: roottask/build.mk
	@mkdir -p $(@D)
	$(Q)printf '\t.section .rodata.initrd, "a"\n\t.balign 16\n\t.globl initrd_start, initrd_end\ninitrd_start:\n\t.incbin "%s"\ninitrd_end:\n' $(EXT_FULL_INITRD) > $@

$(B)/user/initrd-ext.S.o: $(B)/gen/initrd-ext.S $(EXT_INITRD)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/user/initrd-ext-full.S.o: $(B)/gen/initrd-ext-full.S $(EXT_FULL_INITRD)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

ROOT_EXT_ELF := $(B)/root-ext.elf
ROOT_EXT_FULL_ELF := $(B)/root-ext-full.elf
$(ROOT_EXT_ELF) $(ROOT_EXT_FULL_ELF): $(B)/root-%.elf: $(filter-out $(B)/user/initrd.S.o,$(ROOT_OBJS)) $(B)/user/initrd-%.S.o $(LIBVR)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@.full $(filter-out $(B)/user/initrd.S.o,$(ROOT_OBJS)) \
		$(B)/user/initrd-$*.S.o $(LIBVR)
	$(Q)$(OBJCOPY) --strip-debug $@.full $@
endif
ROOT_ELF := $(B)/root.elf

# root.full.elf keeps the debug information (for gdb); the boot module is stripped.
$(B)/root.full.elf: $(ROOT_OBJS) $(LIBVR)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(ROOT_OBJS) $(LIBVR)

$(ROOT_ELF): $(B)/root.full.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

-include $(ROOT_OBJS:.o=.d)
