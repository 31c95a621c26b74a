#!/usr/bin/env bash
# Prepares what scripts/vm/run.sh boots: Debian 12's own kernel (the one linux-image-amd64
# depends on today, resolved, never hard-coded) as an uncompressed vmlinux ELF (QEMU's
# microvm boots it by PVH), and a busybox initramfs holding the modules the tests need.
#
#   bash scripts/vm/prepare.sh        prints the cache directory on its last line
#
# Everything is cached under $STF_XDP_VM_CACHE (default /var/cache/stf-xdp-vm, outside git),
# one directory per kernel package version; a second run only checks that the files exist.
# The initramfs is rebuilt when this script or scripts/vm/init changes (its hash is in the
# file name), the kernel only when Debian publishes a new one.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${STF_XDP_VM_CACHE:-/var/cache/stf-xdp-vm}

say() { printf 'stf-xdp vm: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for tool in apt-cache apt-get dpkg-deb depmod modprobe busybox cpio gzip; do
	command -v "$tool" >/dev/null || die "missing $tool (bash scripts/setup.sh installs it)"
done
[ -x /bin/busybox ] && file_bb=/bin/busybox || file_bb=$(command -v busybox)
# busybox-static: the initramfs has no libc before /usr is mounted.
if ldd "$file_bb" >/dev/null 2>&1; then die "$file_bb is dynamically linked: install busybox-static"; fi

# ---- the kernel package ----------------------------------------------------------------------
# linux-image-amd64 is a metapackage; its Depends names the current ABI (linux-image-6.1.0-N-amd64).
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
	say "linux-image-amd64 is unknown to apt: running apt-get update"
	apt-get update -qq
	pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$pkg" ] || die "cannot resolve the kernel package linux-image-amd64 depends on"
ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate version of $pkg"
kver=${pkg#linux-image-} # the module directory's name, e.g. 6.1.0-57-amd64

dir="$cache/$pkg-$ver"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9 # two runs at once (ctest -j, two worktrees) share one preparation

if [ ! -s "$dir/vmlinux" ] || [ ! -s "$dir/rootfs/lib/modules/$kver/modules.dep" ]; then
	say "fetching $pkg $ver"
	tmp=$(mktemp -d "$dir/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -qq "$pkg=$ver") || die "apt-get download $pkg=$ver failed"
	rm -rf "$dir/rootfs"
	dpkg-deb -x "$tmp"/*.deb "$dir/rootfs"
	# The package ships no modules.dep: build it (and the aliases) for this tree.
	depmod -b "$dir/rootfs" "$kver"
	bash "$here/extract-vmlinux.sh" "$dir/rootfs/boot/vmlinuz-$kver" >"$tmp/vmlinux"
	mv "$tmp/vmlinux" "$dir/vmlinux"
	rm -rf "$tmp"
	trap - EXIT
fi

# ---- the initramfs ---------------------------------------------------------------------------
# What the guest loads at boot, in the order modprobe --show-depends gives (dependencies
# first). It has no modprobe of its own before /usr is mounted, and nothing is loaded later:
#   virtio_mmio, 9p, 9pnet_virtio   the shares (host /usr, /etc, the worktree)
#   veth                            every topology; XDP native mode on veth
#   sit                             the interop peer (pulls tunnel4, ip_tunnel)
#   sch_ingress, cls_bpf, act_bpf   clsact qdisc and tc BPF programs
#   af_packet                       tcpdump and scapy's raw sockets
#   inet_diag, tcp_diag, udp_diag   ss
#   tun                             /dev/net/tun, for tools that make their own devices
#   virtio_rng                      entropy at once (python's os.urandom waits for it)
#   nf_tables (pulls nfnetlink)     test_fast_path's forward rule, which the fast path bypasses
#                                   (filter chains and counters are in nf_tables itself)
modules=(virtio_mmio 9pnet_virtio 9p veth sit sch_ingress cls_bpf act_bpf af_packet
	inet_diag tcp_diag udp_diag tun virtio_rng nf_tables)

hash=$(cat "$0" "$here/init" | sha256sum | cut -c1-12)
initrd="$dir/initrd-$hash.cpio.gz"
if [ ! -s "$initrd" ]; then
	say "building the initramfs for $kver"
	stage=$(mktemp -d "$dir/.initrd.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage"/{busybox,modules,proc,sys,dev,run,tmp,usr,etc,var,root,mnt,job}
	cp "$file_bb" "$stage/busybox/busybox"
	for applet in $("$file_bb" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/busybox/$applet"
	done
	# Debian 12 is merged-/usr: these are symlinks on the host too, valid once /usr is mounted.
	# (So the modules are in /modules, not /lib/modules.)
	for d in bin sbin lib lib32 lib64 libx32; do
		ln -s "usr/$d" "$stage/$d"
	done
	: >"$stage/modules/order"
	local_mod() { # copies one module, decompressed if it is compressed; records the load order
		local src=$1 base
		base=$(basename "$src")
		case "$base" in
		*.ko.xz) xz -dc "$src" >"$stage/modules/${base%.xz}"; base=${base%.xz} ;;
		*.ko.zst) zstd -qdc "$src" >"$stage/modules/${base%.zst}"; base=${base%.zst} ;;
		*) cp "$src" "$stage/modules/$base" ;;
		esac
		grep -qx "$base" "$stage/modules/order" || echo "$base" >>"$stage/modules/order"
	}
	for m in "${modules[@]}"; do
		deps=$(modprobe -d "$dir/rootfs" -S "$kver" --show-depends "$m") ||
			die "module $m is not in $pkg"
		while read -r kind path _; do
			[ "$kind" = insmod ] && local_mod "$path" # modprobe -d prints the full path
		done <<<"$deps"
	done
	cp "$here/init" "$stage/init"
	chmod 755 "$stage/init"
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$stage"
	trap - EXIT
	# Older initramfs images of this kernel are stale.
	find "$dir" -maxdepth 1 -name 'initrd-*.cpio.gz' ! -name "$(basename "$initrd")" -delete
fi

ln -sfn "$(basename "$initrd")" "$dir/initrd.cpio.gz"
printf '%s\n' "$kver" >"$dir/kver"
echo "$dir"
