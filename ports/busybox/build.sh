#!/bin/sh
# The busybox port: a shell (ash) and the core utilities, from Debian
# bookworm's busybox source package, with the applets listed in config,
# built with tools/cc against one architecture's sysroot.
#   ports/busybox/build.sh --arch x86_64 --out build/x86_64/ports/busybox
# The compiled tree is cached in ~/.cache/veridian/ports/busybox-<hash>/<arch>/
# (VERIDIAN_CACHE moves it), keyed by this recipe, the compiler, tools/cc and
# the sysroot's headers; every build links it again against the current
# sysroot (the POSIX layer changes more often than busybox), which takes
# seconds.
set -eu
PORT=busybox
# shellcheck source=ports/lib.sh
. "$(dirname "$0")/../lib.sh"
port_args "--arch ARCH --out FILE" "$@"
port_sysroot

hash=$( (clang --version; cd "$sysroot_dir/include" && find . -type f | LC_ALL=C sort | xargs sha256sum) |
	port_hash "$root/tools/cc")
cache=$cache_root/busybox-$hash/$arch

# busybox's Kbuild remembers each object's command line: the compiler is a
# wrapper at a fixed place in the cache, so another checkout of the project
# (another tools/cc path) does not rebuild everything. It runs the tools/cc
# of whoever builds now ($VERIDIAN_CC).
cc=$cache_root/busybox-$hash/cc-$arch
port_cc_wrapper "$cc"
make_busybox() {
	make -C "$1" -j"$(nproc)" CC="$cc" HOSTCC=gcc SKIP_STRIP=y busybox
}

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    busybox ($arch): building from Debian's source package (recipe $hash)"
	port_work
	port_source busybox "$cache"
	# busybox declares its globals pointers "*const" and writes them once
	# through a cast (SET_PTR_TO_GLOBALS); clang takes the "const" at its
	# word and may read the pointer before that write, then write through
	# the old NULL (riscv64's diff did, docs/EXTERNAL-TESTS.md).
	# BB_GLOBAL_CONST (set empty in config) is busybox's own switch for its
	# other such pointers; this makes ptr_to_globals follow it too.
	sed -i 's/^extern struct globals \*const ptr_to_globals;$/extern struct globals *BB_GLOBAL_CONST ptr_to_globals;/' "$cache/include/libbb.h"
	grep -q '^extern struct globals \*BB_GLOBAL_CONST ptr_to_globals;$' "$cache/include/libbb.h" ||
		port_fail "libbb.h's ptr_to_globals not found"
	port_kconfig "$cache" "$recipe/config"
	make_busybox "$cache" >>"$log" 2>&1 || port_fail "build failed" "$log"
	: >"$cache/.done"
fi

# Link again against the current sysroot (objects are up to date: only the link runs).
rm -f "$cache/busybox_unstripped" "$cache/busybox"
port_work
make_busybox "$cache" >"$log" 2>&1 || port_fail "link failed" "$log"
mkdir -p "$(dirname "$out")"
cp "$cache/busybox" "$out"
