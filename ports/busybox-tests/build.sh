#!/bin/sh
# The test busybox: Debian bookworm's busybox source package configured with
# ../busybox/config plus this recipe's config, built with tools/cc for one
# architecture or with Debian's musl-gcc for this Linux (--arch linux, the
# reference), and the two test suites of the same source tree.
#   ports/busybox-tests/build.sh --arch x86_64 --out build/x86_64/ports/busybox-tests
# --out DIR gets busybox and its .config, testsuite/ (busybox's runtest and
# its tests) and shell/ash_test/ (ash's run-all and tests) with its helper
# programs printenv, recho and zecho built with the same compiler.
# The compiled tree is cached in ~/.cache/veridian/ports/busybox-tests-<hash>/<arch>/
# (VERIDIAN_CACHE moves it); every build links it again against the current sysroot.
set -eu
PORT=busybox-tests
# shellcheck source=ports/lib.sh
. "$(dirname "$0")/../lib.sh"
port_args "--arch ARCH|linux --out DIR" "$@"

if [ "$arch" = linux ]; then
	compiler=$(musl-gcc --version | head -n 1)
	headers=""
else
	port_sysroot
	compiler=$(clang --version | head -n 1)
	headers=$(cd "$sysroot_dir/include" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum)
fi
hash=$(printf '%s\n%s\n' "$compiler" "$headers" | port_hash "$recipe/../busybox/config" "$root/tools/cc")
cache=$cache_root/busybox-tests-$hash/$arch

# As ports/busybox: the compiler is a wrapper at a fixed place in the cache.
cc=$cache_root/busybox-tests-$hash/cc-$arch
port_cc_wrapper "$cc"
make_busybox() {
	make -C "$1" -j"$(nproc)" CC="$cc" HOSTCC=gcc SKIP_STRIP=y busybox
}

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    busybox-tests ($arch): building from Debian's source package (recipe $hash)"
	port_work
	port_source busybox "$cache"
	# busybox declares its globals pointers "*const" and writes them once
	# through a cast; clang takes the "const" at its word and may read the
	# pointer before that write (riscv64's diff did: a write through NULL).
	# BB_GLOBAL_CONST (set empty in ../busybox/config) is busybox's own switch for
	# that; this makes ptr_to_globals follow it as the others do.
	sed -i 's/^extern struct globals \*const ptr_to_globals;$/extern struct globals *BB_GLOBAL_CONST ptr_to_globals;/' "$cache/include/libbb.h"
	grep -q '^extern struct globals \*BB_GLOBAL_CONST ptr_to_globals;$' "$cache/include/libbb.h" ||
		port_fail "libbb.h's ptr_to_globals not found"
	port_kconfig "$cache" "$recipe/../busybox/config" "$recipe/config"
	make_busybox "$cache" >>"$log" 2>&1 || port_fail "build failed" "$log"
	: >"$cache/.done"
fi

# Link again against the current sysroot (objects are up to date: only the link runs).
rm -f "$cache/busybox_unstripped" "$cache/busybox"
port_work
make_busybox "$cache" >"$log" 2>&1 || port_fail "link failed" "$log"
rm -rf "$out"
mkdir -p "$out/shell"
cp "$cache/busybox" "$cache/.config" "$out/"
cp -R "$cache/testsuite" "$out/testsuite"
cp -R "$cache/shell/ash_test" "$out/shell/ash_test"
for p in printenv recho zecho; do
	"$cc" -static -O2 -o "$out/shell/ash_test/$p" "$cache/shell/ash_test/$p.c"
done
