#!/usr/bin/env bash
# Writes the vmlinux ELF inside a bzImage (vmlinuz) to standard output: the method of the
# kernel's scripts/extract-vmlinux with Debian's tools. A bzImage is a boot stub followed by
# the compressed kernel; find each compressor's magic, decompress from there, keep the first
# result that is an ELF file. QEMU's -kernel boots that ELF by PVH, which microvm needs.
set -euo pipefail

img=${1:?usage: extract-vmlinux.sh VMLINUZ}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

is_elf() { [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

try() { # try MAGIC(as printf escapes) DECOMPRESSOR...
	local magic=$1 pos
	shift
	for pos in $(LC_ALL=C grep -abo "$(printf "$magic")" "$img" | cut -d: -f1); do
		tail -c "+$((pos + 1))" "$img" | "$@" >"$tmp" 2>/dev/null || true
		if [ -s "$tmp" ] && is_elf "$tmp"; then
			cat "$tmp"
			exit 0
		fi
	done
}

# Magics without a NUL byte (a shell string cannot hold one): gzip, xz (Debian's choice), zstd.
try '\037\213\010' gzip -dc
try '\3757zXZ' xz -dc
try '\050\265\057\375' zstd -qdc
echo "extract-vmlinux: no compressed ELF kernel found in $img" >&2
exit 1
