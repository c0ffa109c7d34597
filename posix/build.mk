# The POSIX layer: musl (ports/musl, cached outside the tree) with the
# translation layer (posix/*.c, libposix.a) and its start-up (crt1.o) make the
# sysroot build/<arch>/sysroot that tools/cc compiles POSIX programs against.
# The architectures in MUSL_ARCHES have it (all three now).
MUSL_ARCHES := x86_64 aarch64 riscv64

SYSROOT := $(B)/sysroot
SYSROOT_MUSL := $(SYSROOT)/.musl
TOOLS_CC := tools/cc --arch $(ARCH)

POSIX_CFLAGS := --target=$(ARCH)-linux-musl -std=c11 -O2 -g -nostdinc -isystem $(SYSROOT)/include \
	-D_GNU_SOURCE -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Iposix -Iposix/arch/$(ARCH) -Ilibveridian/include -Ilibveridian/arch/$(ARCH)/include \
	-I$(B)/gen/include -Imicrokernel/include
POSIX_SRCS := $(filter-out posix/start.c,$(wildcard posix/*.c)) $(wildcard posix/arch/$(ARCH)/*.c) \
	$(filter-out %/start.S,$(wildcard posix/arch/$(ARCH)/*.S))
POSIX_OBJS := $(patsubst %,$(B)/posix/%.o,$(POSIX_SRCS))
POSIX_CRT_OBJS := $(B)/posix/posix/start.c.o $(B)/posix/posix/arch/$(ARCH)/start.S.o

# musl itself: rebuilt (or copied from the cache) when the recipe changes.
$(SYSROOT_MUSL): $(shell find ports/musl -type f)
	$(Q)ports/musl/build.sh --arch $(ARCH) --sysroot $(SYSROOT)
	$(Q)touch $@

$(B)/posix/%.c.o: %.c $(B)/gen/include/veridian/syscalls.h | $(SYSROOT_MUSL)
	@mkdir -p $(@D)
	@echo "  CC      $< (posix)"
	$(Q)$(CC) $(POSIX_CFLAGS) -MMD -MP -c $< -o $@

# The kernel's system-call numbers alone, for the layer's assembly.
$(B)/gen/include/veridian/sysnums.h: $(B)/gen/include/veridian/syscalls.h
	$(Q)sed -n '/^#define VR_SYS_/p' $< > $@

$(B)/posix/%.S.o: %.S $(B)/gen/include/veridian/sysnums.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(POSIX_CFLAGS) -c $< -o $@

# The sysroot's crt1.o is ours: musl's __libc_start_main, reached through posix/start.c.
$(SYSROOT)/lib/crt1.o: $(POSIX_CRT_OBJS) $(SYSROOT_MUSL)
	$(Q)$(LD) -r -o $@ $(POSIX_CRT_OBJS)

$(SYSROOT)/lib/libposix.a: $(POSIX_OBJS) $(SYSROOT_MUSL)
	$(Q)rm -f $@ && llvm-ar rcs $@ $(POSIX_OBJS)

SYSROOT_FILES := $(SYSROOT_MUSL) $(SYSROOT)/lib/crt1.o $(SYSROOT)/lib/libposix.a

.PHONY: sysroot
sysroot: $(SYSROOT_FILES)

# POSIX test programs (tests/posix/*.c), built with tools/cc; the root task carries them.
POSIX_TESTS := $(patsubst tests/posix/%.c,$(B)/posix/tests/%.elf,$(wildcard tests/posix/*.c))

$(B)/posix/tests/%.elf: tests/posix/%.c $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      $< (tools/cc)"
	$(Q)$(TOOLS_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -O2 -Wall -Wextra -Werror -o $@ $<

-include $(POSIX_OBJS:.o=.d) $(POSIX_CRT_OBJS:.o=.d)

# The proc server (posix/proc/): a POSIX program like the tests, which also
# compiles libveridian's program loader (exec.c, elf_load.c) to start its children.
PROC_SERVER := $(B)/sbin/proc
PROC_SERVER_SRCS := $(wildcard posix/proc/*.c) libveridian/src/exec.c libveridian/src/elf_load.c

$(PROC_SERVER): $(PROC_SERVER_SRCS) $(wildcard posix/proc/*.h posix/*.h posix/proto/*.h) \
		$(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      posix/proc (tools/cc)"
	$(Q)$(TOOLS_CC) -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		-Iposix -Iposix/proc -Ilibveridian/include -Ilibveridian/arch/$(ARCH)/include \
		-I$(B)/gen/include -Imicrokernel/include -o $@ $(PROC_SERVER_SRCS)
