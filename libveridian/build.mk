# libveridian: the native user-space library, and the rules every native user program uses.
include libveridian/arch/$(ARCH)/arch.mk

USER_CFLAGS := --target=$(ARCH_TRIPLE) -std=c11 -O2 -g -ffreestanding -nostdlib \
	-fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -fno-common \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Ilibveridian/include -Ilibveridian/arch/$(ARCH)/include -I$(B)/gen/include \
	-Imicrokernel/include $(USER_ARCH_CFLAGS)
USER_LDFLAGS := -static -nostdlib --no-dynamic-linker -e _start -z separate-loadable-segments \
	--build-id=none $(if $(filter riscv64,$(ARCH)),--no-relax)

# The kernel's freestanding string functions and printf engine serve user space too.
LIBVR_SRCS := $(wildcard libveridian/src/*.c) $(wildcard libveridian/arch/$(ARCH)/*.S) \
	microkernel/lib/string.c microkernel/lib/fmt.c
LIBVR_OBJS := $(patsubst %,$(B)/user/%.o,$(LIBVR_SRCS))
# memcpy's aligned middle is the kernel architecture's (arch/copy.h, where it has one).
$(B)/user/microkernel/lib/string.c.o: USER_CFLAGS += -Imicrokernel/arch/$(ARCH)/include
LIBVR := $(B)/user/libveridian.a

$(B)/gen/include/veridian/syscalls.h: microkernel/syscalls.tbl tools/gensyscalls.py
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/gensyscalls.py user-header $< > $@

$(B)/user/%.c.o: %.c $(B)/gen/include/veridian/syscalls.h
	@mkdir -p $(@D)
	@echo "  CC      $< (user)"
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(B)/user/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(LIBVR): $(LIBVR_OBJS)
	$(Q)rm -f $@ && llvm-ar rcs $@ $^

-include $(LIBVR_OBJS:.o=.d)
