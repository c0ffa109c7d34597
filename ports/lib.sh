# What every port recipe does alike; ports/<name>/build.sh sets PORT (its
# name) and sources this file:
#   PORT=busybox; . "$(dirname "$0")/../lib.sh"
# It sets recipe (the recipe's directory), root (the project) and cache_root
# (~/.cache/veridian/ports, VERIDIAN_CACHE moves it), and offers:
#   port_args USAGE "$@"      --arch A, --out F, --sysroot D (also --x=v) into
#                             $arch $out $sysroot; USAGE names the ones needed
#   port_sysroot              $sysroot_dir for $arch; fails if musl is not built
#   port_hash [FILE...]       16 hex digits over the recipe, this file, FILEs
#                             and the text on standard input
#   port_work                 a work directory under the cache (removed on
#                             exit; one per run) in $work, its log in $log
#   port_source PKG DEST      Debian's source package PKG unpacked, moved to DEST
#   port_download PKG DIR     Debian's binary package PKG unpacked into DIR
#   port_kconfig TREE CONF... make allnoconfig in a Kconfig tree, then every
#                             KEY=VALUE of the CONF files on; fails if one
#                             does not stick
#   port_cc_wrapper FILE      a compiler script at a fixed place running
#                             "$VERIDIAN_CC --arch $arch" (or musl-gcc for
#                             --arch linux), for build systems that record
#                             the compiler's path
#   port_fail MESSAGE [LOG]   the log's tail and "PORT: MESSAGE", exit 1
# shellcheck shell=sh

recipe=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$recipe/../.." && pwd)
cache_root=${VERIDIAN_CACHE:-$HOME/.cache/veridian}/ports
arch="" out="" sysroot="" work="" log=""

port_fail() {
	if [ $# -gt 1 ] && [ -f "$2" ]; then
		tail -n 40 "$2" >&2
	fi
	echo "$PORT: $1" >&2
	exit 1
}

port_usage() {
	echo "usage: $0 $usage" >&2
	exit 2
}

port_args() {
	usage=$1
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--arch=* | --out=* | --sysroot=*) name=${1%%=*} value=${1#*=}; shift ;;
		--arch | --out | --sysroot) [ $# -ge 2 ] || port_usage; name=$1 value=$2; shift 2 ;;
		*) port_usage ;;
		esac
		case "$name" in
		--arch) arch=$value ;;
		--out) out=$value ;;
		--sysroot) sysroot=$value ;;
		esac
	done
	for word in $usage; do
		case "$word" in
		--arch) [ -n "$arch" ] ;;
		--out) [ -n "$out" ] ;;
		--sysroot) [ -n "$sysroot" ] ;;
		*) true ;;
		esac || port_usage
	done
}

port_sysroot() {
	sysroot_dir=$root/build/$arch/sysroot
	[ -f "$sysroot_dir/lib/libc.a" ] ||
		port_fail "no sysroot for $arch (make ARCH=$arch sysroot)"
}

# Over what the files hold, never where the checkout is: every clone and
# worktree of the project finds the same cached builds.
port_hash() {
	( (cd "$recipe" && find . -type f | LC_ALL=C sort | xargs sha256sum)
		sha256sum <"$root/ports/lib.sh"
		for f in "$@"; do sha256sum <"$f" || exit 1; done
		cat) | sha256sum | cut -c1-16
}

port_work() {
	[ -z "$work" ] || return 0
	mkdir -p "$cache_root"
	work=$(mktemp -d "$cache_root/$PORT-work.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# apt-get writes as the _apt user where it can; a world-writable work
	# directory spares its warning when run as root.
	chmod 777 "$work"
	log=$work/build.log
}

port_source() {
	(cd "$work" && apt-get source -qq "$1") >>"$log" 2>&1 ||
		port_fail "apt-get source $1 failed (is a deb-src entry set up? make setup)" "$log"
	tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$1-*" | head -n 1)
	[ -n "$tree" ] || port_fail "no source tree after apt-get source $1"
	rm -rf "$2"
	mkdir -p "$(dirname "$2")"
	mv "$tree" "$2"
}

port_download() {
	(cd "$work" && apt-get download -qq "$1" && dpkg-deb -x "$1"_*.deb "$2") >>"$log" 2>&1 ||
		port_fail "could not get $1" "$log"
}

port_kconfig() {
	tree=$1
	shift
	(
		cd "$tree"
		make allnoconfig
		grep -hv '^#' "$@" | while IFS='=' read -r key value; do
			[ -n "$key" ] || continue
			sed -i -e "/^# $key is not set\$/d" -e "/^$key=/d" .config
			echo "$key=$value" >>.config
		done
		yes "" | make oldconfig
		for line in $(grep -hv '^#' "$@"); do
			grep -qx "$line" .config || { echo "$PORT: $line did not stick" >&2; exit 1; }
		done
	) >>"$log" 2>&1 || port_fail "configuration failed" "$log"
}

port_cc_wrapper() {
	mkdir -p "$(dirname "$1")"
	if [ "$arch" = linux ]; then
		printf '#!/bin/sh\nexec musl-gcc "$@"\n' >"$1.tmp"
	else
		printf '#!/bin/sh\nexec "$VERIDIAN_CC" --arch %s "$@"\n' "$arch" >"$1.tmp"
	fi
	chmod +x "$1.tmp"
	mv "$1.tmp" "$1"
	export VERIDIAN_CC="$root/tools/cc"
}
