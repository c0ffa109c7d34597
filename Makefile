# VeridianOS: one non-recursive build for every architecture.
#   make [ARCH=x86_64|aarch64|riscv64]   build the kernel and boot images under build/<arch>/
#   make run                              build and boot in QEMU
#   make test                             set up, build all three architectures, run every test
#   make bench                            instruction counts per operation under -icount
#   make bench-linux                      the same measurements on Debian's Linux kernel
#   make bench-compare                    both side by side (tools/benchcmp.py)
#   make debug                            QEMU waiting for gdb (see tools/gdbinit)
# Each directory contributes a build.mk; the per-architecture details live in
# microkernel/arch/<arch>/arch.mk.

ARCH ?= x86_64
ARCHES := x86_64 aarch64 riscv64
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH must be one of $(ARCHES), not '$(ARCH)')
endif

B := build/$(ARCH)
CC := clang
LD := ld.lld
OBJCOPY := llvm-objcopy
NM := llvm-nm
PYTHON := python3
HOSTCC := clang

# Quiet by default; V=1 shows the commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

include microkernel/build.mk
include libveridian/build.mk
include posix/build.mk
include roottask/build.mk
include tests/build.mk

# Everything one architecture boots: the kernel, its boot images and the root task.
images: $(B)/kernel.elf $(ARCH_IMAGES) $(ROOT_ELF) $(ROOT_EXT_ELF)
	@:

# make test-ext-full's, on top: the ext-full root task (all the fuzz databases).
ext-full-images: images $(ROOT_EXT_FULL_ELF) $(ARCH_EXT_FULL_IMAGES)
	@:

SETUP := tools/setup-host.sh
QEMU := $(PYTHON) tools/qemu.py

.PHONY: all images ext-full-images run test test-ext-full bench bench-linux bench-compare debug loc clean setup format

all: images

setup:
	$(Q)$(SETUP)

run: setup
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) images
	$(Q)$(QEMU) run --arch $(ARCH) --build build $(if $(FIRMWARE),--firmware $(FIRMWARE))

debug: setup
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) images
	$(Q)$(QEMU) debug --arch $(ARCH) --build build $(if $(FIRMWARE),--firmware $(FIRMWARE))

# Every architecture is built first, so a build failure stops the run before any test.
test: setup
	$(Q)for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a images || exit 1; done
	$(Q)$(MAKE) --no-print-directory unit-tests posix-linux-tests ext-linux
	$(Q)$(PYTHON) tools/testrun.py --build build $(if $(TESTS),--only '$(TESTS)')

# The whole of the external test suites in VeridianOS (make test runs a subset), one
# architecture after the other (ARCHES=x86_64 for one); not part of make test.
test-ext-full: setup
	$(Q)for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a ext-full-images || exit 1; done
	$(Q)$(MAKE) --no-print-directory ext-linux
	$(Q)$(PYTHON) tools/ext-full.py --build build $(ARCHES)

bench: setup
	$(Q)for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a images || exit 1; done
	$(Q)for a in $(ARCHES); do $(QEMU) bench --arch $$a --build build || exit 1; done

# Debian's own kernel for each architecture (cached under ~/.cache/veridian/linux-bench/,
# LINUX_RELEASE=trixie takes another release's) on the same machines, booting a
# small benchmark init from tools/linux-bench/.
bench-linux: setup
	$(Q)$(PYTHON) tools/linux-bench/run.py --build build $(if $(LINUX_RELEASE),--release $(LINUX_RELEASE))

bench-compare: setup
	$(Q)for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a images || exit 1; done
	$(Q)$(PYTHON) tools/benchcmp.py --build build

loc:
	$(Q)$(PYTHON) tools/loc.py microkernel

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
