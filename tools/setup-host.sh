#!/bin/sh
# Installs the Debian packages the build, `make run` and `make test` need, when
# any is missing. Quick and silent when everything is there already.
set -eu

PACKAGES="make clang lld llvm python3 \
	qemu-system-x86 qemu-system-arm qemu-system-misc qemu-system-data \
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools \
	ovmf qemu-efi-aarch64 opensbi e2fsprogs gdb-multiarch"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "setup: installing missing host packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "setup: run as root or install sudo" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup: done"
