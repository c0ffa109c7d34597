# The root task: the first user process. It runs the in-guest test suite
# (tests/kernel/user/) in test mode and the benchmarks in bench mode.
ROOT_SRCS := $(wildcard roottask/*.c) $(wildcard tests/kernel/user/*.c) \
	$(wildcard tests/kernel/user/$(ARCH)/*.c)
ROOT_OBJS := $(patsubst %,$(B)/user/%.o,$(ROOT_SRCS))
ROOT_ELF := $(B)/root.elf

# root.full.elf keeps the debug information (for gdb); the boot module is stripped.
$(B)/root.full.elf: $(ROOT_OBJS) $(LIBVR)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(ROOT_OBJS) $(LIBVR)

$(ROOT_ELF): $(B)/root.full.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

-include $(ROOT_OBJS:.o=.d)
