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

# Checkouts share the port cache (keyed by what the recipes hold, ports/lib.sh):
# one build of a port for an architecture at a time, so that two never work in the
# same cached tree at once (busybox links again in its tree on every build; two
# links there at once made one fail with "undefined symbol: main").
PORT_CACHE := $(or $(VERIDIAN_CACHE),$(HOME)/.cache/veridian)/ports
port_locked = mkdir -p $(PORT_CACHE) && flock $(PORT_CACHE)/.lock-$(1)-$(2)

# musl itself: rebuilt (or copied from the cache) when the recipe changes.
$(SYSROOT_MUSL): $(shell find ports/musl) ports/lib.sh
	$(Q)$(call port_locked,musl,$(ARCH)) ports/musl/build.sh --arch $(ARCH) --sysroot $(SYSROOT)
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

# The Linux uapi headers (linux/, asm/, drm/, ...: ports/linux-uapi) over musl's.
SYSROOT_UAPI := $(SYSROOT)/.uapi
$(SYSROOT_UAPI): $(SYSROOT_MUSL) $(shell find ports/linux-uapi) ports/lib.sh
	$(Q)$(call port_locked,linux-uapi,$(ARCH)) ports/linux-uapi/build.sh --arch $(ARCH) --sysroot $(SYSROOT)
	$(Q)touch $@

# The shared C library, libc.so, which is also the dynamic linker
# (/lib/ld-musl-<arch>.so.1): musl's position-independent objects with its
# dynamic linker (libc_pic.a, ports/musl) and the translation layer again,
# -fPIC, its thread-local data initial-exec (the dynamic linker's own static
# TLS: ports/musl/patches/ldso-tls.patch). Linked as musl links it (its
# objects from an archive, so only the runtime's symbols are kept local).
POSIX_PIC_OBJS := $(patsubst %,$(B)/posix-pic/%.o,$(POSIX_SRCS))
LIBC_SO := $(SYSROOT)/lib/libc.so
# The compiler's runtime (complex multiplication, quad-precision long double):
# clang's own builtins for x86_64, Debian's cross libgcc.a (ports/musl) for the others.
LIBC_SO_RUNTIME := $(if $(filter x86_64,$(ARCH)),$(shell $(CC) --rtlib=compiler-rt -print-libgcc-file-name),$(SYSROOT)/lib/libgcc.a)

$(B)/posix-pic/%.c.o: %.c $(B)/gen/include/veridian/syscalls.h | $(SYSROOT_MUSL)
	@mkdir -p $(@D)
	@echo "  CC      $< (posix, PIC)"
	$(Q)$(CC) $(POSIX_CFLAGS) -fPIC -ftls-model=initial-exec -MMD -MP -c $< -o $@

$(B)/posix-pic/%.S.o: %.S $(B)/gen/include/veridian/sysnums.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(POSIX_CFLAGS) -fPIC -c $< -o $@

$(LIBC_SO): $(POSIX_PIC_OBJS) $(SYSROOT_MUSL)
	@echo "  LD      $@"
	$(Q)$(CC) --target=$(ARCH)-linux-musl -fuse-ld=lld -nostdlib -shared -Wl,-e,_dlstart \
		-Wl,--sort-section,alignment -Wl,--sort-common -Wl,--gc-sections -Wl,--hash-style=both \
		-Wl,--no-undefined -Wl,--exclude-libs=$(notdir $(LIBC_SO_RUNTIME)) -Wl,--build-id=none \
		-Wl,--dynamic-list=$(SYSROOT)/lib/musl-dynamic.list -o $@ \
		-Wl,--whole-archive $(SYSROOT)/lib/libc_pic.a -Wl,--no-whole-archive $(POSIX_PIC_OBJS) \
		$(LIBC_SO_RUNTIME)

SYSROOT_FILES := $(SYSROOT_MUSL) $(SYSROOT_UAPI) $(SYSROOT)/lib/crt1.o $(SYSROOT)/lib/libposix.a \
	$(LIBC_SO)

.PHONY: sysroot
sysroot: $(SYSROOT_FILES)

# POSIX test programs (tests/posix/*.c), built with tools/cc; the root task carries them.
POSIX_TESTS := $(patsubst tests/posix/%.c,$(B)/posix/tests/%.elf,$(wildcard tests/posix/*.c))

$(B)/posix/tests/%.elf: tests/posix/%.c tests/posix/check.h tests/posix/child.h $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      $< (tools/cc)"
	$(Q)$(TOOLS_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -O2 -Wall -Wextra -Werror -o $@ $<

# dynamic.c is a dynamically linked program, linked against a shared library
# of tests/posix/lib/; it opens the other with dlopen. They are in /lib.
POSIX_TEST_LIBS := $(patsubst tests/posix/lib/%.c,$(B)/posix/tests/lib/lib%.so,$(wildcard tests/posix/lib/*.c))

$(B)/posix/tests/lib/lib%.so: tests/posix/lib/%.c $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      $< (tools/cc -shared)"
	$(Q)$(TOOLS_CC) -shared -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

$(B)/posix/tests/dynamic.elf: tests/posix/dynamic.c tests/posix/check.h tests/posix/child.h $(POSIX_TEST_LIBS) $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      $< (tools/cc -dynamic)"
	$(Q)$(TOOLS_CC) -dynamic -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -O2 -Wall -Wextra -Werror \
		-o $@ $< -L$(B)/posix/tests/lib -lvrdyn-a

-include $(POSIX_OBJS:.o=.d) $(POSIX_CRT_OBJS:.o=.d) $(POSIX_PIC_OBJS:.o=.d)

# VeridianOS's own POSIX test programs (tests/posix-native/): they use its
# protocols (a server of device files, ...), so they have no Linux run. Also
# /test/<name>, run with the others.
POSIX_NATIVE_TESTS := $(patsubst tests/posix-native/%.c,$(B)/posix/native/%.elf,$(wildcard tests/posix-native/*.c))
$(B)/posix/native/%.elf: $(B)/posix/tests/posix-native/%.c.o $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  LD      $@ (tools/cc)"
	$(Q)$(TOOLS_CC) -Wno-unused-command-line-argument -pthread -o $@ $<

# The POSIX servers: every posix/<name>/ directory with a server.c (or main.c)
# is a program built against the sysroot, /sbin/<name> in the initrd (vfs
# now; proc when posix/proc/ exists). posix/initrd/ is copied in as it is.
POSIX_SERVERS := $(sort $(foreach d,$(wildcard posix/*/server.c posix/*/main.c),$(notdir $(patsubst %/,%,$(dir $(d))))))

# A server's objects: its directory's, and <name>_EXTRA_SRCS (the proc server
# also compiles libveridian's program loader, exec.c and elf_load.c, to start
# its children).
proc_EXTRA_SRCS := libveridian/src/exec.c libveridian/src/elf_load.c

define posix_server
SERVER_OBJS_$(1) := $(patsubst %,$(B)/posix/%.o,$(wildcard posix/$(1)/*.c) $($(1)_EXTRA_SRCS))
$(B)/posix/sbin/$(1): $$(SERVER_OBJS_$(1)) $(SYSROOT_FILES) tools/cc
	@mkdir -p $$(@D)
	@echo "  LD      $$@ (tools/cc)"
	$(Q)$(TOOLS_CC) -Wno-unused-command-line-argument -o $$@ $$(SERVER_OBJS_$(1))
-include $$(SERVER_OBJS_$(1):.o=.d)
endef
$(foreach s,$(POSIX_SERVERS),$(eval $(call posix_server,$(s))))

POSIX_SERVER_ELFS := $(patsubst %,$(B)/posix/sbin/%,$(POSIX_SERVERS))

# The POSIX benchmarks (make bench): /bin/posix-bench, run by the root task in bench mode,
# and the same program dynamically linked, /bin/posix-bench-dynamic, which it spawns.
POSIX_BENCH := $(B)/posix/bench/posix-bench
POSIX_BENCH_DYNAMIC := $(B)/posix/bench/posix-bench-dynamic
$(POSIX_BENCH): tests/bench/posix_bench.c $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      $< (tools/cc)"
	$(Q)$(TOOLS_CC) -std=c11 -O2 -Wall -Wextra -Werror -pthread -Ilibveridian/arch/$(ARCH)/include \
		-o $@ $<
$(POSIX_BENCH_DYNAMIC): tests/bench/posix_bench.c $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  CC      $< (tools/cc -dynamic)"
	$(Q)$(TOOLS_CC) -dynamic -std=c11 -O2 -Wall -Wextra -Werror -pthread \
		-Ilibveridian/arch/$(ARCH)/include -o $@ $<

# The checks of init's test set (tests/init/): /libexec/initcheck, and the
# definitions as /etc/init-test/ (tests/kernel/user/posix/test_init.c).
INITCHECK := $(B)/posix/init-test/initcheck
# tests/init/services/<arch>/: the architecture's own (x86_64: I/O ports).
INIT_TEST_CONFS := $(wildcard tests/init/services/*.conf) $(wildcard tests/init/services/$(ARCH)/*.conf)
INITCHECK_OBJS := $(patsubst %,$(B)/posix/%.o,tests/init/initcheck.c $(wildcard tests/init/$(ARCH)/*.c))
# Compiled as the layer is (it reads its native handles: vr_spawn.h, init/handles.h).
$(INITCHECK): $(INITCHECK_OBJS) $(SYSROOT_FILES) tools/cc
	@mkdir -p $(@D)
	@echo "  LD      $@ (tools/cc)"
	$(Q)$(TOOLS_CC) -Wno-unused-command-line-argument -o $@ $(INITCHECK_OBJS)

# Ports from Debian's source packages (ports/<name>/build.sh, cached outside
# the tree): busybox, the shell and core utilities, as /bin/busybox with a
# link in /bin for each command of ports/busybox/applets.
BUSYBOX := $(B)/ports/busybox
BUSYBOX_LINKS := $(shell grep -v '^\#' ports/busybox/applets)

$(BUSYBOX): $(SYSROOT_FILES) $(shell find ports/busybox) ports/lib.sh tools/cc
	$(Q)$(call port_locked,busybox,$(ARCH)) ports/busybox/build.sh --arch $(ARCH) --out $@

# The initial ramdisk: /sbin/<server>, the POSIX test programs under /test/,
# /bin from the ports, /lib (the dynamic linker, libc.so, and the test
# programs' shared libraries), /etc from posix/initrd/, and the mount points
# of tmpfs (/tmp) and devfs (/dev).
INITRD := $(B)/initrd.cpio
$(INITRD): $(POSIX_SERVER_ELFS) $(POSIX_TESTS) $(POSIX_NATIVE_TESTS) $(BUSYBOX) $(POSIX_BENCH) $(POSIX_BENCH_DYNAMIC) \
		$(LIBC_SO) $(POSIX_TEST_LIBS) $(INITCHECK) $(INIT_TEST_CONFS) \
		tools/mkcpio.py $(shell find posix/initrd)
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) tools/mkcpio.py -o $@ --strip --tree posix/initrd dev/ tmp/:1777 bin/ lib/ proc/:0555 \
		lib/ld-musl-$(ARCH).so.1=$(LIBC_SO) $(foreach l,$(POSIX_TEST_LIBS),lib/$(notdir $(l))=$(l)) \
		bin/busybox=$(BUSYBOX) bin/posix-bench=$(POSIX_BENCH) bin/posix-bench-dynamic=$(POSIX_BENCH_DYNAMIC) $(foreach l,$(BUSYBOX_LINKS),bin/$(l)-\>busybox) \
		$(foreach s,$(POSIX_SERVER_ELFS),sbin/$(notdir $(s))=$(s)) \
		$(foreach t,$(POSIX_TESTS) $(POSIX_NATIVE_TESTS),test/$(basename $(notdir $(t)))=$(t)) \
		libexec/initcheck=$(INITCHECK) $(foreach c,$(INIT_TEST_CONFS),etc/init-test/$(notdir $(c))=$(c))

# The external test suites (docs/EXTERNAL-TESTS.md), run in the ext boot mode:
# a second initrd, the first one plus /ext/ with tests/external/run.sh, the
# test busybox with busybox's and ash's test suites (ports/busybox-tests) and
# SQLite's fuzzcheck (ports/sqlite) with the fuzz databases of EXT_SQLITE_DBS.
# The ext-full mode (make test-ext-full) has a third, the same with all eight
# databases (about 64 MB, EXT_FULL_SQLITE_DBS), so that make test's stays small.
EXT_BUSYBOX := $(B)/ports/busybox-tests/busybox
EXT_SQLITE := $(B)/ports/sqlite/fuzzcheck
EXT_SQLITE_DBS := fuzzdata4.db
EXT_FULL_SQLITE_DBS := $(foreach n,1 2 3 4 5 6 7 8,fuzzdata$(n).db)

$(EXT_BUSYBOX): $(SYSROOT_FILES) $(shell find ports/busybox ports/busybox-tests) ports/lib.sh tools/cc
	$(Q)$(call port_locked,busybox-tests,$(ARCH)) ports/busybox-tests/build.sh --arch $(ARCH) --out $(@D)

$(EXT_SQLITE): $(SYSROOT_FILES) $(shell find ports/sqlite) ports/lib.sh tools/cc
	$(Q)$(call port_locked,sqlite,$(ARCH)) ports/sqlite/build.sh --arch $(ARCH) --out $(@D)

# $(call ext_initrd,DATABASES): the command that writes the ext initrd $@.
define ext_initrd
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) tools/mkcpio.py -o $@ --strip --tree posix/initrd --tree ext/busybox=$(dir $(EXT_BUSYBOX)) \
		dev/ tmp/:1777 bin/ proc/:0555 bin/busybox=$(BUSYBOX) $(foreach l,$(BUSYBOX_LINKS),bin/$(l)-\>busybox) \
		$(foreach s,$(POSIX_SERVER_ELFS),sbin/$(notdir $(s))=$(s)) ext/run.sh=tests/external/run.sh \
		ext/sqlite/fuzzcheck=$(EXT_SQLITE) \
		$(foreach d,$(1),ext/sqlite/$(d)=$(dir $(EXT_SQLITE))$(d))
endef

EXT_INITRD := $(B)/initrd-ext.cpio
EXT_FULL_INITRD := $(B)/initrd-ext-full.cpio
$(EXT_INITRD) $(EXT_FULL_INITRD): $(POSIX_SERVER_ELFS) $(BUSYBOX) $(EXT_BUSYBOX) $(EXT_SQLITE) tests/external/run.sh tools/mkcpio.py posix/build.mk
$(EXT_INITRD):
	$(call ext_initrd,$(EXT_SQLITE_DBS))
$(EXT_FULL_INITRD):
	$(call ext_initrd,$(EXT_FULL_SQLITE_DBS))
