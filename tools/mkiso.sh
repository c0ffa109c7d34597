#!/bin/sh
# Makes a hybrid BIOS/UEFI boot ISO with GRUB 2 that loads the kernel through multiboot2.
# Usage: mkiso.sh kernel.elf "command line" out.iso [root-task.elf]
set -eu
kernel=$1 cmdline=$2 out=$3 root=${4:-}
dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/veridian.elf"
module=""
if [ -n "$root" ]; then
	cp "$root" "$dir/boot/root.elf"
	module="module2 /boot/root.elf root"
fi
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
menuentry "VeridianOS" {
	multiboot2 /boot/veridian.elf $cmdline
	$module
	boot
}
CFG
# The log stays outside the tree being packed, or xorriso sees a file change under it.
grub-mkrescue -o "$out" "$dir" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
