#!/usr/bin/env bash
# The VM stage of scripts/test.sh: every kernel, BPF-gate, netns and interop test on Debian
# 12's own 6.1 kernel. Starts one single-CPU VM per host CPU (at most 4), all taking items
# from one queue (scripts/vm/suite.sh), and prints one summary line per item.
#
#   bash scripts/vm/stage.sh [--workers N] [--timeout SEC] [ITEM...]
#
# ITEMs are queue lines ("script tests/vm/test_sit_site.sh", "ctest REGEX"); default: all
# (scripts/vm/suite.sh --list). Exits non-zero if any item failed, did not run, or a VM gave
# no result; 125 when no VM could run at all.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
workers=$(nproc)
[ "$workers" -gt 4 ] && workers=4
timeout_s=3600
while [ $# -gt 0 ]; do
	case "$1" in
	--workers) workers=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	*) break ;;
	esac
done

# Prepared once here, so the workers do not queue on its lock.
bash "$here/prepare.sh" >/dev/null || { echo "stf-xdp vm: cannot prepare the kernel and initramfs" >&2; exit 125; }

# The queue lives in the worktree (build/), which every VM sees at the same path.
mkdir -p "$root/build"
queue=$(mktemp -d "$root/build/.vm-queue.XXXXXX")
pids=()
cleanup() {
	set +e
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$queue"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$queue/list"; else bash "$here/suite.sh" --list >"$queue/list"; fi
items=$(grep -c . "$queue/list")
[ "$workers" -gt "$items" ] && workers=$items

start=$(date +%s)
echo "stf-xdp vm: $items items on $workers VM(s); console of VM n in $queue/console.n while running"
for n in $(seq "$workers"); do
	# Only the first VM's console goes to standard output as it runs; the others' is printed
	# when they end.
	vm=(bash "$here/run.sh" --smp 1 --timeout "$timeout_s" --env "STF_VM_QUEUE=$queue" "$here/suite.sh")
	if [ "$n" = 1 ]; then
		"${vm[@]}" 2>&1 &
	else
		"${vm[@]}" >"$queue/console.$n" 2>&1 &
	fi
	pids+=("$!")
done
vm_fail=0
vm_none=1
for n in $(seq "$workers"); do
	rc=0
	wait "${pids[$((n - 1))]}" || rc=$?
	if [ "$n" != 1 ]; then
		echo "==== console of VM $n"
		cat "$queue/console.$n"
	fi
	case "$rc" in
	0 | 1) vm_none=0 ;; # the worker's verdict is in the results
	*) echo "stf-xdp vm: VM $n ended with $rc (no result, timeout or QEMU failure)"; vm_fail=1 ;;
	esac
done
pids=()

echo
echo "==== VM stage summary: Debian 12's $(cat "$(bash "$here/prepare.sh")/kver" 2>/dev/null) kernel, $workers VM(s), $(($(date +%s) - start)) s"
fails=0
i=0
while IFS= read -r item; do
	i=$((i + 1))
	if [ -s "$queue/claim.$i/result" ]; then
		r=$(cat "$queue/claim.$i/result")
	else
		r="FAIL ${item#* }: never finished (its VM stopped or timed out)"
	fi
	echo "  $r"
	case "$r" in PASS*) ;; *) fails=$((fails + 1)) ;; esac
done <"$queue/list"
if grep -q '^FAIL tests/netns/sweep.sh' "$queue/results" 2>/dev/null; then
	grep '^FAIL tests/netns/sweep.sh' "$queue/results" | sed 's/^/  /'
	fails=$((fails + 1))
fi
[ "$vm_fail" = 0 ] && [ "$fails" = 0 ] && { echo "  all $items passed"; exit 0; }
[ "$vm_none" = 1 ] && { echo "  no VM produced a result: QEMU cannot run here (see above)"; exit 125; }
echo "  $fails failed"
exit 1
