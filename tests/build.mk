# Host unit tests: pure kernel logic compiled for the build machine with
# AddressSanitizer and UBSan. Each tests/unit/<component>/test_*.c becomes one
# binary, linked with the kernel sources it names in its UNIT_SRCS line.

UNIT_B := build/host/unit
UNIT_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Itests/unit -Itests/unit/host -Imicrokernel/include \
	-Imicrokernel/arch/x86_64/include -Ilibveridian/include -pthread
UNIT_TESTS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(UNIT_B)/%,$(UNIT_TESTS))
# Every header a test may reach: a changed header rebuilds them all (they build in seconds).
UNIT_HEADERS := $(shell find tests/unit microkernel/include microkernel/arch/x86_64/include posix \
	libveridian/include -name '*.h')

# The kernel sources a test links are listed in the test itself:
#   // UNIT_SRCS: microkernel/lib/fmt.c microkernel/kern/boot.c
unit_srcs = $(shell sed -n 's|^// UNIT_SRCS:||p' $(1))

.SECONDEXPANSION:
$(UNIT_B)/%: tests/unit/%.c $$(call unit_srcs,tests/unit/%.c) $(UNIT_HEADERS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@mkdir -p $(dir $(UNIT_B)/.deps/$*)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -MF $(UNIT_B)/.deps/$*.d -o $@ $< $(call unit_srcs,$<)
# What a test #includes besides headers (a kernel .c, another test) rebuilds it too.
-include $(patsubst $(UNIT_B)/%,$(UNIT_B)/.deps/%.d,$(UNIT_BINS))

# Device trees exactly as QEMU builds them for its virt machines, for the FDT tests.
UNIT_FIXTURES := build/host/fixtures/virt-aarch64.dtb build/host/fixtures/virt-riscv64.dtb
build/host/fixtures/empty.bin:
	@mkdir -p $(@D)
	$(Q)head -c 4096 /dev/zero > $@
build/host/fixtures/virt-aarch64.dtb: build/host/fixtures/empty.bin
	$(Q)qemu-system-aarch64 -M virt,gic-version=3,dumpdtb=$@ -cpu cortex-a72 -smp 4 -m 256 \
		-kernel $< -initrd $< -append "key=value mode=test" -display none 2>/dev/null
build/host/fixtures/virt-riscv64.dtb: build/host/fixtures/empty.bin
	$(Q)qemu-system-riscv64 -M virt,dumpdtb=$@ -smp 4 -m 256 \
		-kernel $< -initrd $< -append "key=value mode=test" -display none 2>/dev/null

.PHONY: unit-tests
unit-tests: $(UNIT_BINS) $(UNIT_FIXTURES)

# The POSIX test programs (tests/posix/*.c) also build against Debian's musl
# and run on the build machine's Linux: a test that fails there is wrong, not
# VeridianOS (tools/testrun.py runs them as linux.posix.<name>).
POSIX_LINUX_B := build/host/posix-linux
POSIX_LINUX_BINS := $(patsubst tests/posix/%.c,$(POSIX_LINUX_B)/%,$(wildcard tests/posix/*.c))
# Debian's musl-gcc has no Linux uapi headers: the same ones as the sysroot's.
POSIX_LINUX_UAPI := build/host/uapi

$(POSIX_LINUX_UAPI)/.done: $(shell find ports/linux-uapi) ports/lib.sh
	$(Q)$(call port_locked,linux-uapi,linux) ports/linux-uapi/build.sh --arch $(shell uname -m) --sysroot $(POSIX_LINUX_UAPI)
	$(Q)touch $@

$(POSIX_LINUX_B)/%: tests/posix/%.c tests/posix/check.h $(POSIX_LINUX_UAPI)/.done
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -static -isystem $(POSIX_LINUX_UAPI)/include -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -O2 -Wall -Wextra -Werror -Wno-format-truncation \
		-o $@ $<

# dynamic.c is linked against a shared library of tests/posix/lib/ and opens
# another: both in $(POSIX_LINUX_LIB), found through the program's run path.
POSIX_LINUX_LIB := build/host/posix-linux-lib
POSIX_LINUX_LIBS := $(patsubst tests/posix/lib/%.c,$(POSIX_LINUX_LIB)/lib%.so,$(wildcard tests/posix/lib/*.c))

$(POSIX_LINUX_LIB)/lib%.so: tests/posix/lib/%.c
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -shared -fPIC -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

$(POSIX_LINUX_B)/dynamic: tests/posix/dynamic.c tests/posix/check.h $(POSIX_LINUX_LIBS)
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -O2 -Wall -Wextra -Werror \
		-o $@ $< -L$(POSIX_LINUX_LIB) -lvrdyn-a -Wl,-rpath,$(abspath $(POSIX_LINUX_LIB))

.PHONY: posix-linux-tests
posix-linux-tests: $(POSIX_LINUX_BINS)

# The external test suites (docs/EXTERNAL-TESTS.md) built the same way against
# Debian's musl: the Linux reference tools/testrun.py runs as linux.ext.<suite>.
EXT_LINUX_B := build/host/ext-linux
EXT_LINUX := $(EXT_LINUX_B)/busybox/busybox $(EXT_LINUX_B)/sqlite/fuzzcheck

$(EXT_LINUX_B)/busybox/busybox: $(shell find ports/busybox ports/busybox-tests) ports/lib.sh
	$(Q)$(call port_locked,busybox-tests,linux) ports/busybox-tests/build.sh --arch linux --out $(@D)

$(EXT_LINUX_B)/sqlite/fuzzcheck: $(shell find ports/sqlite) ports/lib.sh
	$(Q)$(call port_locked,sqlite,linux) ports/sqlite/build.sh --arch linux --out $(@D)

.PHONY: ext-linux
ext-linux: $(EXT_LINUX)
