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

usage() { echo "usage: $0 --arch ARCH --out FILE" >&2; exit 2; }
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
sysroot=$root/build/$arch/sysroot
[ -f "$sysroot/lib/libc.a" ] || { echo "busybox: no sysroot for $arch (make ARCH=$arch sysroot)" >&2; exit 1; }

hash=$( (cd "$recipe" && find . -type f | LC_ALL=C sort | xargs sha256sum; clang --version
	sha256sum "$root/tools/cc"
	cd "$sysroot/include" && find . -type f | LC_ALL=C sort | xargs sha256sum) |
	sha256sum | cut -c1-16)
cache_root=${VERIDIAN_CACHE:-$HOME/.cache/veridian}/ports
cache=$cache_root/busybox-$hash/$arch

# busybox's Kbuild remembers each object's command line: the compiler is a
# wrapper at a fixed place in the cache, so another checkout of the project
# (another tools/cc path) does not rebuild everything. It runs the tools/cc
# of whoever builds now ($VERIDIAN_CC).
cc=$cache_root/busybox-$hash/cc-$arch
make_busybox() {
	make -C "$1" -j"$(nproc)" CC="$cc" HOSTCC=gcc SKIP_STRIP=y busybox
}
mkdir -p "$cache_root/busybox-$hash"
printf '#!/bin/sh\nexec "$VERIDIAN_CC" --arch %s "$@"\n' "$arch" >"$cc.tmp"
chmod +x "$cc.tmp"
mv "$cc.tmp" "$cc"
export VERIDIAN_CC="$root/tools/cc"

if [ ! -f "$cache/.done" ]; then
	echo "  PORT    busybox ($arch): building from Debian's source package (recipe $hash)"
	work=$(mktemp -d "$cache_root/busybox-work.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	log=$work/build.log
	(cd "$work" && apt-get source -qq busybox) >"$log" 2>&1 ||
		{ cat "$log" >&2; echo "busybox: apt-get source failed (is a deb-src entry set up? make setup)" >&2; exit 1; }
	src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*' | head -n 1)
	[ -n "$src" ] || { echo "busybox: no source tree after apt-get source" >&2; exit 1; }
	rm -rf "$cache"
	mkdir -p "$(dirname "$cache")"
	mv "$src" "$cache"
	(
		cd "$cache"
		make allnoconfig
		grep -v '^#' "$recipe/config" | while IFS== read -r key value; do
			[ -n "$key" ] || continue
			sed -i -e "/^# $key is not set\$/d" -e "/^$key=/d" .config
			echo "$key=$value" >>.config
		done
		yes "" | make oldconfig
		for line in $(grep -v '^#' "$recipe/config"); do
			grep -qx "$line" .config || { echo "busybox: $line did not stick" >&2; exit 1; }
		done
	) >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "busybox: configuration failed" >&2; exit 1; }
	make_busybox "$cache" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "busybox: build failed" >&2; exit 1; }
	: >"$cache/.done"
fi

# Link again against the current sysroot (objects are up to date: only the link runs).
rm -f "$cache/busybox_unstripped" "$cache/busybox"
log=$(mktemp)
make_busybox "$cache" >"$log" 2>&1 || { tail -n 40 "$log" >&2; rm -f "$log"; echo "busybox: link failed" >&2; exit 1; }
rm -f "$log"
mkdir -p "$(dirname "$out")"
cp "$cache/busybox" "$out"
