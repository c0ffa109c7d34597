#!/bin/sh
# The musl port: takes Debian bookworm's musl source package, puts in
# VeridianOS's system-call seam and overrides (this directory), builds the
# static C library, and its position-independent objects with the dynamic
# linker as libc_pic.a (libc.so is linked from it with the POSIX layer by
# posix/build.mk), and installs them as the sysroot of one architecture.
#   ports/musl/build.sh --arch x86_64 --sysroot build/x86_64/sysroot
# The result is cached in ~/.cache/veridian/ports/musl-<recipe hash>/<arch>/
# (VERIDIAN_CACHE moves it), so a second build is a copy.
set -eu

usage() { echo "usage: $0 --arch ARCH --sysroot DIR" >&2; exit 2; }
arch="" sysroot=""
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--sysroot) sysroot=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$arch" ] && [ -n "$sysroot" ] || usage

recipe=$(cd "$(dirname "$0")" && pwd)
[ -d "$recipe/arch/$arch" ] || { echo "musl: no port for $arch yet" >&2; exit 1; }

# The recipe hash: every file of the recipe, and the compiler that builds it.
hash=$( (cd "$recipe" && find . -type f | LC_ALL=C sort | xargs sha256sum; clang --version) |
	sha256sum | cut -c1-16)
cache_root=${VERIDIAN_CACHE:-$HOME/.cache/veridian}/ports
cache=$cache_root/musl-$hash/$arch

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    musl ($arch): building from Debian's source package (recipe $hash)"
	mkdir -p "$cache_root"
	work=$(mktemp -d "$cache_root/musl-work.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	log=$work/build.log
	(cd "$work" && apt-get source -qq musl) >"$log" 2>&1 ||
		{ cat "$log" >&2; echo "musl: apt-get source failed (is a deb-src entry set up? make setup)" >&2; exit 1; }
	src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'musl-*' | head -n 1)
	[ -n "$src" ] || { echo "musl: no source tree after apt-get source" >&2; exit 1; }
	"$recipe/prepare.sh" "$src" "$arch"
	# musl calls x86_64 "x86_64" and the others by their usual names too.
	(
		cd "$src"
		./configure --target="$arch-linux-musl" --prefix=/ --syslibdir=/lib \
			--disable-shared --enable-static \
			CC="clang --target=$arch-linux-musl" AR=llvm-ar RANLIB=llvm-ranlib \
			CFLAGS="-O2 -g0 -fno-pic -ffunction-sections -fdata-sections"
		make -j"$(nproc)"
		make install DESTDIR="$work/out"
		make -j"$(nproc)" -f Makefile -f "$recipe/pic.mk" pic
		cp lib/libc_pic.a "$work/out/lib/libc_pic.a"
		cp dynamic.list "$work/out/lib/musl-dynamic.list"
	) >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "musl: build failed; log above" >&2; exit 1; }
	# Where long double is IEEE quad precision (aarch64, riscv64) its arithmetic is
	# in software, in the compiler's runtime: libgcc.a from Debian's cross package
	# named in arch/<arch>/libgcc goes into the sysroot, and tools/cc links it.
	if [ -f "$recipe/arch/$arch/libgcc" ]; then
		pkg=$(cat "$recipe/arch/$arch/libgcc")
		(cd "$work" && apt-get download -qq "$pkg" && dpkg-deb -x "$pkg"_*.deb libgcc) >>"$log" 2>&1 ||
			{ tail -n 20 "$log" >&2; echo "musl: could not get $pkg" >&2; exit 1; }
		find "$work/libgcc" -name libgcc.a -exec cp {} "$work/out/lib/libgcc.a" \;
		[ -f "$work/out/lib/libgcc.a" ] || { echo "musl: no libgcc.a in $pkg" >&2; exit 1; }
	fi
	rm -rf "$cache"
	mkdir -p "$(dirname "$cache")"
	mv "$work/out" "$cache"
	: >"$cache/.done"
fi

rm -rf "$sysroot"
mkdir -p "$sysroot"
cp -a "$cache/include" "$cache/lib" "$sysroot/"
