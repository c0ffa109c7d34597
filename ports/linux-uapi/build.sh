#!/bin/sh
# The Linux uapi headers of the sysroot: linux/, asm/, asm-generic/, drm/ ...
# from Debian bookworm's linux-libc-dev-<debian arch>-cross package (the same
# kernel version for every architecture), for the Linux APIs the POSIX layer
# provides (drm, input, epoll, ...). Installed over musl's headers.
#   ports/linux-uapi/build.sh --arch x86_64 --sysroot build/x86_64/sysroot
# The extracted headers are cached in ~/.cache/veridian/ports/linux-uapi-<recipe
# hash>/<arch>/ (VERIDIAN_CACHE moves it).
set -eu

usage() { echo "usage: $0 --arch ARCH --sysroot DIR" >&2; exit 2; }
arch="" sysroot=""
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--arch=*) arch=${1#--arch=}; shift ;;
	--sysroot) sysroot=$2; shift 2 ;;
	--sysroot=*) sysroot=${1#--sysroot=}; shift ;;
	*) usage ;;
	esac
done
[ -n "$arch" ] && [ -n "$sysroot" ] || usage

case "$arch" in
x86_64) debarch=amd64 triplet=x86_64-linux-gnu ;;
aarch64) debarch=arm64 triplet=aarch64-linux-gnu ;;
riscv64) debarch=riscv64 triplet=riscv64-linux-gnu ;;
*) echo "linux-uapi: no package for $arch" >&2; exit 1 ;;
esac
pkg=linux-libc-dev-$debarch-cross

recipe=$(cd "$(dirname "$0")" && pwd)
hash=$( (cd "$recipe" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)
cache_root=${VERIDIAN_CACHE:-$HOME/.cache/veridian}/ports
cache=$cache_root/linux-uapi-$hash/$arch

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    linux-uapi ($arch): $pkg (recipe $hash)"
	mkdir -p "$cache_root"
	work=$(mktemp -d "$cache_root/linux-uapi-work.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# apt-get download writes as the _apt user where it can; a world-writable
	# work directory spares the warning when run as root.
	chmod 777 "$work"
	(cd "$work" && apt-get download -qq "$pkg" && dpkg-deb -x "$pkg"_*.deb x) >"$work/log" 2>&1 ||
		{ cat "$work/log" >&2; echo "linux-uapi: could not get $pkg" >&2; exit 1; }
	inc=$work/x/usr/$triplet/include
	[ -f "$inc/linux/input.h" ] && [ -f "$inc/asm/ioctl.h" ] && [ -f "$inc/drm/drm.h" ] ||
		{ echo "linux-uapi: $pkg has no usable headers" >&2; exit 1; }
	rm -rf "$cache"
	mkdir -p "$cache"
	mv "$inc" "$cache/include"
	: >"$cache/.done"
fi

# musl's own headers win where both have one (none do today: the kernel's
# uapi has no top-level C library headers).
mkdir -p "$sysroot/include"
cp -Rn "$cache/include/." "$sysroot/include/"
