#!/bin/sh
# Turns a pristine musl source tree into VeridianOS's: every system call goes
# through the seam (seam/ and arch/<arch>/syscall_arch.h) into the POSIX
# translation layer, and the assembly files that make raw system calls are
# replaced (arch/<arch>/src/) or dropped for musl's generic C (arch/<arch>/remove);
# remove lists generic sources libposix replaces on every architecture;
# src/ replaces musl's generic C files where VeridianOS differs on every architecture;
# patches/ changes musl's own files where a whole replacement would copy them.
#   prepare.sh <musl source dir> <arch>
set -eu
src=$1 arch=$2
recipe=$(cd "$(dirname "$0")" && pwd)

# Our changes to musl's own files, as patches (patches/*.patch, -p1).
for p in "$recipe"/patches/*.patch; do
	patch -s -p1 -d "$src" <"$p" || { echo "musl: $p does not apply" >&2; exit 1; }
done
cp "$recipe/seam/vr_syscall_seam.h" "$src/arch/generic/vr_syscall_seam.h"
cp "$recipe/arch/$arch/syscall_arch.h" "$src/arch/$arch/syscall_arch.h"
for list in "$recipe/remove" "$recipe/arch/$arch/remove"; do
	[ -f "$list" ] || continue
	grep -v '^#' "$list" | while read -r f; do
		[ -n "$f" ] || continue
		[ -f "$src/$f" ] || { echo "musl: $f to remove is not in the source" >&2; exit 1; }
		rm "$src/$f"
	done
done
for dir in "$recipe" "$recipe/arch/$arch"; do
	[ -d "$dir/src" ] || continue
	(cd "$dir" && find src -type f) | while read -r f; do
		mkdir -p "$(dirname "$src/$f")"
		cp "$dir/$f" "$src/$f"
	done
done
# Nothing may reach the kernel behind the seam's back: no system-call
# instruction may be left in the architecture's sources but the signal return
# trampoline (unused until signals exist).
left=$(grep -rlw -e syscall -e svc -e ecall "$src/src" --include='*.s' --include='*.S' |
	grep "/$arch/" | grep -v '/signal/[^/]*/restore\.s$' || true)
[ -z "$left" ] || { echo "musl: raw system calls left in: $left" >&2; exit 1; }
