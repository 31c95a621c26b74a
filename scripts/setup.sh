#!/usr/bin/env bash
# Installs the Debian packages stf-xdp needs (Debian 12, as root) and builds it into build/.
# Used by scripts/demo.sh and scripts/test.sh; safe to run again (installs only what is missing).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "stf-xdp setup: run as root (it installs packages; the dataplane needs CAP_BPF/CAP_NET_ADMIN)" >&2
	exit 1
fi

packages=(
	# build
	build-essential cmake pkg-config clang llvm
	libbpf-dev libmnl-dev libxdp-dev bpftool libelf-dev zlib1g-dev linux-libc-dev libmicrohttpd-dev
	nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
	# tests and demo
	iproute2 iputils-ping netcat-openbsd tcpdump ethtool nftables python3 python3-scapy
	# tests/netns/test_dispatcher.sh: a second program on libxdp's dispatcher (xdp-filter)
	xdp-tools
	# the 6.1 VM stage (scripts/vm/): QEMU, the guest's initramfs, Debian's kernel package
	qemu-system-x86 busybox-static kmod cpio xz-utils apt
	# tests/vm/test_systemd_unit.sh: systemd-udevd in the guest (systemd itself is Debian's)
	udev
	# packaging: cpack -G DEB (dpkg-shlibdeps) and the package test (man, groff, col, file)
	dpkg-dev man-db groff-base bsdextrautils file
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "stf-xdp setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j "$(nproc)"
