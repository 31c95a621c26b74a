#!/usr/bin/env bash
# Boots Debian 12's own kernel (6.1) in a QEMU microvm (software emulation, no KVM needed) and
# runs one command inside; exits with that command's exit status.
#
#   bash scripts/vm/run.sh [options] SCRIPT [ARGS...]   runs `bash SCRIPT ARGS...` in the guest
#   bash scripts/vm/run.sh [options] -c 'COMMAND'       runs `bash -c COMMAND`
#
# options:
#   --timeout SEC     whole VM, boot included (default 900); on expiry QEMU is killed, exit 124
#   --env NAME=VALUE  set in the guest (repeatable)
#   --mem MB          guest memory (default 2048)
#   --smp N           guest CPUs (default: the host's, at most 4)
#   --log FILE        keep the console output there too
#
# STF_XDP_QEMU names another QEMU binary; STF_XDP_VM_CPU and STF_XDP_VM_APPEND change the CPU
# model (default max) and add to the kernel command line.
#
# The guest sees the host's /usr, /etc and /var/lib/dpkg (what is installed) read-only and this worktree read-write at the same
# absolute path (so build/ and ctest's paths work unchanged), through 9p. The kernel and
# initramfs come from scripts/vm/prepare.sh (cached). The guest prints a result line with a
# per-run nonce; QEMU's own exit status says nothing (it is 0 whatever happened inside), so
# a run without that line (hang, panic, QEMU failure) is a failure, never a pass.
#
# Exit status: the command's; 124 on timeout; 125 when the VM could not run or produced no
# result.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

timeout_s=900
mem=2048
smp=$(nproc)
[ "$smp" -gt 4 ] && smp=4
envs=()
log=
cmd_mode=script

say() { printf 'stf-xdp vm: %s\n' "$*" >&2; }
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	-c) cmd_mode=inline; shift; break ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) say "unknown option $1"; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage

qemu=${STF_XDP_QEMU:-$(command -v qemu-system-x86_64 || true)}
if [ -z "$qemu" ] || [ ! -x "$qemu" ]; then
	say "cannot run: no QEMU (${qemu:-qemu-system-x86_64 not found}; apt-get install qemu-system-x86, or bash scripts/setup.sh)"
	exit 125
fi

cache_dir=$(bash "$here/prepare.sh" | tail -n1) || { say "cannot run: preparing the kernel and initramfs failed"; exit 125; }
kernel=$cache_dir/vmlinux
initrd=$cache_dir/initrd.cpio.gz

# The job directory: the command, its environment and the nonce, shared with the guest.
job=$(mktemp -d /tmp/stf-xdp-vm.XXXXXX)
qpid=
cleanup() {
	local rc=$?
	set +e
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		sleep 1
		kill -9 "$qpid" 2>/dev/null
	fi
	rm -rf "$job"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
echo "$nonce" >"$job/nonce"
if [ "$cmd_mode" = inline ]; then
	printf '%s\n' "$1" >"$job/cmd"
else
	script=$1
	shift
	script=$(cd "$(dirname "$script")" && pwd)/$(basename "$script")
	case "$script" in
	/usr/* | "$root"/*) ;;
	*) say "$script is outside the worktree ($root) and /usr: the guest cannot see it"; exit 2 ;;
	esac
	{
		printf 'exec bash %q' "$script"
		printf ' %q' "$@"
		printf '\n'
	} >"$job/cmd"
fi
: >"$job/env"
for e in ${envs[@]+"${envs[@]}"}; do
	printf 'export %s=%q\n' "${e%%=*}" "${e#*=}" >>"$job/env"
done

# The host's TSC rate on the kernel command line: without it, about one boot in four under
# TCG on a busy host hangs while the guest calibrates its clock against the emulated PIT.
tsc_khz() {
	local v
	v=$(cat /sys/devices/system/cpu/cpu0/tsc_freq_khz 2>/dev/null || true)
	[ -n "$v" ] && { echo "$v"; return; }
	v=$(dmesg 2>/dev/null | sed -n 's/.*tsc: \(Refined TSC clocksource calibration\|Detected\): \([0-9.]*\) MHz.*/\2/p' | tail -n1)
	[ -z "$v" ] && v=$(awk -F': ' '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo)
	[ -n "$v" ] && awk -v m="$v" 'BEGIN {printf "%d\n", m * 1000}'
}
khz=$(tsc_khz)
# slab_nomerge: SLUB would otherwise merge caches of one size into anonymous ones, and
# /proc/slabinfo would have no ip6_dst_cache or ip_dst_cache line for tests/vm/test_hygiene.sh
# to read. It changes no behaviour the tests look at, only which cache an object comes from.
append="console=ttyS0 loglevel=4 pci=off panic=-1 oops=panic slab_nomerge ${STF_XDP_VM_APPEND:-} stf.work=$root"
[ -n "$khz" ] && append="$append tsc_early_khz=$khz"

console=$job/console
[ -n "$log" ] && console=$log
: >"$console"

start=$(date +%s.%N)
# -no-reboot: the guest's reboot -f (and a panic, panic=-1) end QEMU. timeout is the last word.
timeout --kill-after=10 "$timeout_s" "$qemu" \
	-M microvm,x-option-roms=off,rtc=on -cpu "${STF_XDP_VM_CPU:-max}" -accel tcg,thread=multi \
	-smp "$smp" -m "$mem" -nodefaults -no-user-config -nographic -no-reboot \
	-serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-device virtio-rng-device \
	-fsdev local,id=usr,path=/usr,security_model=none,readonly=on \
	-device virtio-9p-device,fsdev=usr,mount_tag=usr \
	-fsdev local,id=etc,path=/etc,security_model=none,readonly=on \
	-device virtio-9p-device,fsdev=etc,mount_tag=etc \
	-fsdev local,id=dpkg,path=/var/lib/dpkg,security_model=none,readonly=on \
	-device virtio-9p-device,fsdev=dpkg,mount_tag=dpkg \
	-fsdev local,id=job,path="$job",security_model=none \
	-device virtio-9p-device,fsdev=job,mount_tag=job \
	-fsdev local,id=work,path="$root",security_model=passthrough \
	-device virtio-9p-device,fsdev=work,mount_tag=work \
	</dev/null 2>&1 | tee -a "$console" &
qpid=$(jobs -p | tail -n1)
wait "$qpid" || true
qpid=
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')

result=$(tr -d '\r' <"$console" | sed -n "s/^stf-xdp-vm-result $nonce rc=\([0-9]*\)\$/\1/p" | tail -n1)
if [ -z "$result" ]; then
	if [ "$secs" != "" ] && awk -v s="$secs" -v t="$timeout_s" 'BEGIN {exit !(s >= t)}'; then
		say "timed out after ${secs}s (--timeout $timeout_s): no result from the guest"
		exit 124
	fi
	say "the VM ended after ${secs}s without a result line (panic, boot failure or QEMU error; console above)"
	exit 125
fi
say "guest exit status $result after ${secs}s in the VM"
exit "$result"
