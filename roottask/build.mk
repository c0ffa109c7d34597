# The root task: the first user process. It runs the in-guest test suite
# (tests/kernel/user/) in test mode and the benchmarks in bench mode.
ROOT_SRCS := $(wildcard roottask/*.c) $(wildcard tests/kernel/user/*.c) \
	$(wildcard tests/kernel/user/$(ARCH)/*.c)
ROOT_OBJS := $(patsubst %,$(B)/user/%.o,$(ROOT_SRCS))

# Where musl is ported (MUSL_ARCHES: every architecture now), the root task
# carries the POSIX test programs (tests/posix/, built with tools/cc) and runs
# them (tests/kernel/user/posix/).
ifneq ($(filter $(ARCH),$(MUSL_ARCHES)),)
ROOT_OBJS += $(patsubst %,$(B)/user/%.o,$(wildcard tests/kernel/user/posix/*.c)) \
	$(B)/user/posix_programs.S.o

# posix_programs[]: {name, image, size} for each program, ending with a NULL name.
$(B)/gen/posix_programs.S: $(POSIX_TESTS) roottask/build.mk
	@mkdir -p $(@D)
	$(Q){ echo '	.section .rodata.posix_images, "a"'; \
	  for f in $(POSIX_TESTS); do n=$$(basename $$f .elf); \
	    printf '\t.balign 16\nimage_%s:\n\t.incbin "%s"\nimage_%s_end:\nname_%s:\n\t.asciz "%s"\n' \
	      $$n $$f $$n $$n $$n; done; \
	  echo '	.section .rodata.posix_programs, "a"'; \
	  echo '	.balign 8'; echo '	.globl posix_programs'; echo 'posix_programs:'; \
	  for f in $(POSIX_TESTS); do n=$$(basename $$f .elf); \
	    printf '\t.quad name_%s, image_%s, image_%s_end - image_%s\n' $$n $$n $$n $$n; done; \
	  echo '	.quad 0, 0, 0'; } > $@

$(B)/user/posix_programs.S.o: $(B)/gen/posix_programs.S $(POSIX_TESTS)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@
endif
ROOT_ELF := $(B)/root.elf

# root.full.elf keeps the debug information (for gdb); the boot module is stripped.
$(B)/root.full.elf: $(ROOT_OBJS) $(LIBVR)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(ROOT_OBJS) $(LIBVR)

$(ROOT_ELF): $(B)/root.full.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

-include $(ROOT_OBJS:.o=.d)
