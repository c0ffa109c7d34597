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

usage() { echo "usage: $0 --arch ARCH|linux --out DIR" >&2; exit 2; }
arch="" out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$arch" ] && [ -n "$out" ] || usage

recipe=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$recipe/../.." && pwd)
if [ "$arch" = linux ]; then
	compiler=$(musl-gcc --version | head -n 1)
	headers=""
else
	sysroot=$root/build/$arch/sysroot
	[ -f "$sysroot/lib/libc.a" ] || { echo "busybox-tests: no sysroot for $arch (make ARCH=$arch sysroot)" >&2; exit 1; }
	compiler=$(clang --version | head -n 1)
	headers=$(cd "$sysroot/include" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum)
fi
hash=$( (cd "$recipe" && find . -type f | LC_ALL=C sort | xargs sha256sum
	sha256sum "$recipe/../busybox/config"; echo "$compiler"; echo "$headers"
	sha256sum "$root/tools/cc") | sha256sum | cut -c1-16)
cache_root=${VERIDIAN_CACHE:-$HOME/.cache/veridian}/ports
cache=$cache_root/busybox-tests-$hash/$arch

# As ports/busybox: the compiler is a wrapper at a fixed place in the cache.
cc=$cache_root/busybox-tests-$hash/cc-$arch
mkdir -p "$cache_root/busybox-tests-$hash"
if [ "$arch" = linux ]; then
	printf '#!/bin/sh\nexec musl-gcc "$@"\n' >"$cc.tmp"
else
	printf '#!/bin/sh\nexec "$VERIDIAN_CC" --arch %s "$@"\n' "$arch" >"$cc.tmp"
fi
chmod +x "$cc.tmp"
mv "$cc.tmp" "$cc"
export VERIDIAN_CC="$root/tools/cc"
make_busybox() {
	make -C "$1" -j"$(nproc)" CC="$cc" HOSTCC=gcc SKIP_STRIP=y busybox
}

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    busybox-tests ($arch): building from Debian's source package (recipe $hash)"
	work=$(mktemp -d "$cache_root/busybox-tests-work.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	log=$work/build.log
	(cd "$work" && apt-get source -qq busybox) >"$log" 2>&1 ||
		{ cat "$log" >&2; echo "busybox-tests: apt-get source failed (is a deb-src entry set up? make setup)" >&2; exit 1; }
	src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*' | head -n 1)
	[ -n "$src" ] || { echo "busybox-tests: no source tree after apt-get source" >&2; exit 1; }
	rm -rf "$cache"
	mkdir -p "$(dirname "$cache")"
	mv "$src" "$cache"
	(
		cd "$cache"
		# busybox declares its globals pointers "*const" and writes them once
		# through a cast; clang takes the "const" at its word and may read the
		# pointer before that write (riscv64's diff did: a write through NULL).
		# BB_GLOBAL_CONST (set empty in config) is busybox's own switch for
		# that; this makes ptr_to_globals follow it as the others do.
		sed -i 's/^extern struct globals \*const ptr_to_globals;$/extern struct globals *BB_GLOBAL_CONST ptr_to_globals;/' include/libbb.h
		grep -q '^extern struct globals \*BB_GLOBAL_CONST ptr_to_globals;$' include/libbb.h ||
			{ echo "busybox-tests: libbb.h's ptr_to_globals not found" >&2; exit 1; }
		make allnoconfig
		grep -hv '^#' "$recipe/../busybox/config" "$recipe/config" | while IFS== read -r key value; do
			[ -n "$key" ] || continue
			sed -i -e "/^# $key is not set\$/d" -e "/^$key=/d" .config
			echo "$key=$value" >>.config
		done
		yes "" | make oldconfig
		for line in $(grep -hv '^#' "$recipe/../busybox/config" "$recipe/config"); do
			grep -qx "$line" .config || { echo "busybox-tests: $line did not stick" >&2; exit 1; }
		done
	) >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "busybox-tests: configuration failed" >&2; exit 1; }
	make_busybox "$cache" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "busybox-tests: build failed" >&2; exit 1; }
	: >"$cache/.done"
fi

# Link again against the current sysroot (objects are up to date: only the link runs).
rm -f "$cache/busybox_unstripped" "$cache/busybox"
log=$(mktemp)
make_busybox "$cache" >"$log" 2>&1 || { tail -n 40 "$log" >&2; rm -f "$log"; echo "busybox-tests: link failed" >&2; exit 1; }
rm -f "$log"
rm -rf "$out"
mkdir -p "$out/shell"
cp "$cache/busybox" "$cache/.config" "$out/"
cp -R "$cache/testsuite" "$out/testsuite"
cp -R "$cache/shell/ash_test" "$out/shell/ash_test"
for p in printenv recho zecho; do
	if [ "$arch" = linux ]; then
		musl-gcc -static -O2 -o "$out/shell/ash_test/$p" "$cache/shell/ash_test/$p.c"
	else
		"$root/tools/cc" --arch "$arch" -O2 -o "$out/shell/ash_test/$p" "$cache/shell/ash_test/$p.c"
	fi
done
