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
PORT=musl
# shellcheck source=ports/lib.sh
. "$(dirname "$0")/../lib.sh"
port_args "--arch ARCH --sysroot DIR" "$@"
[ -d "$recipe/arch/$arch" ] || port_fail "no port for $arch yet"

# The recipe hash: every file of the recipe, and the compiler that builds it.
hash=$(clang --version | port_hash)
cache=$cache_root/musl-$hash/$arch

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    musl ($arch): building from Debian's source package (recipe $hash)"
	port_work
	src=$work/musl
	port_source musl "$src"
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
	) >>"$log" 2>&1 || port_fail "build failed; log above" "$log"
	# Where long double is IEEE quad precision (aarch64, riscv64) its arithmetic is
	# in software, in the compiler's runtime: libgcc.a from Debian's cross package
	# named in arch/<arch>/libgcc goes into the sysroot, and tools/cc links it.
	if [ -f "$recipe/arch/$arch/libgcc" ]; then
		port_download "$(cat "$recipe/arch/$arch/libgcc")" libgcc
		find "$work/libgcc" -name libgcc.a -exec cp {} "$work/out/lib/libgcc.a" \;
		[ -f "$work/out/lib/libgcc.a" ] || port_fail "no libgcc.a in $(cat "$recipe/arch/$arch/libgcc")"
	fi
	rm -rf "$cache"
	mkdir -p "$(dirname "$cache")"
	mv "$work/out" "$cache"
	: >"$cache/.done"
fi

rm -rf "$sysroot"
mkdir -p "$sysroot"
cp -a "$cache/include" "$cache/lib" "$sysroot/"
