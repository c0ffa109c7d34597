#!/bin/sh
# The Linux uapi headers of the sysroot: linux/, asm/, asm-generic/, drm/ ...
# from Debian bookworm's linux-libc-dev-<debian arch>-cross package (the same
# kernel version for every architecture), for the Linux APIs the POSIX layer
# provides (drm, input, epoll, ...). Installed over musl's headers.
#   ports/linux-uapi/build.sh --arch x86_64 --sysroot build/x86_64/sysroot
# The extracted headers are cached in ~/.cache/veridian/ports/linux-uapi-<recipe
# hash>/<arch>/ (VERIDIAN_CACHE moves it).
set -eu
PORT=linux-uapi
# shellcheck source=ports/lib.sh
. "$(dirname "$0")/../lib.sh"
port_args "--arch ARCH --sysroot DIR" "$@"

case "$arch" in
x86_64) debarch=amd64 triplet=x86_64-linux-gnu ;;
aarch64) debarch=arm64 triplet=aarch64-linux-gnu ;;
riscv64) debarch=riscv64 triplet=riscv64-linux-gnu ;;
*) port_fail "no package for $arch" ;;
esac
pkg=linux-libc-dev-$debarch-cross

hash=$(port_hash </dev/null)
cache=$cache_root/linux-uapi-$hash/$arch

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    linux-uapi ($arch): $pkg (recipe $hash)"
	port_work
	port_download "$pkg" x
	inc=$work/x/usr/$triplet/include
	[ -f "$inc/linux/input.h" ] && [ -f "$inc/asm/ioctl.h" ] && [ -f "$inc/drm/drm.h" ] ||
		port_fail "$pkg has no usable headers"
	rm -rf "$cache"
	mkdir -p "$cache"
	mv "$inc" "$cache/include"
	: >"$cache/.done"
fi

# musl's own headers win where both have one (none do today: the kernel's
# uapi has no top-level C library headers).
mkdir -p "$sysroot/include"
cp -Rn "$cache/include/." "$sysroot/include/"
