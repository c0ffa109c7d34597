#!/bin/sh
# Installs the Debian packages the build, `make run` and `make test` need, when
# any is missing. Quick and silent when everything is there already.
set -eu

PACKAGES="make clang lld llvm python3 \
	qemu-system-x86 qemu-system-arm qemu-system-misc qemu-system-data \
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools \
	ovmf qemu-efi-aarch64 opensbi e2fsprogs gdb-multiarch dpkg-dev patch musl-tools \
	tcl"

# Ports (ports/*) take Debian bookworm's source packages with `apt-get source`,
# which needs a deb-src entry. Added once, then apt's index is refreshed.
SRC_LIST=/etc/apt/sources.list.d/veridian-src.sources

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
need_src=""
grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ ||
	grep -qs '^deb-src .*bookworm' /etc/apt/sources.list || need_src=yes
[ -z "$missing" ] && [ -z "$need_src" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "setup: run as root or install sudo" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$need_src" ]; then
	echo "setup: adding Debian bookworm source packages to apt ($SRC_LIST)"
	printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
		"Suites: bookworm" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
		$SUDO tee "$SRC_LIST" >/dev/null
fi
$SUDO apt-get update -qq
[ -z "$missing" ] && exit 0
echo "setup: installing missing host packages:$missing"
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup: done"
