#!/bin/bash
# Removes what killed end-to-end tests left behind, and says so.
#
# Every test run names its namespaces and temporary directory "stft-<pid>-...", after the pid
# of the test script (lib.sh's STFT_PREFIX). When ctest's timeout kills a script with
# SIGKILL, its EXIT trap never runs: its namespaces (with the veths, XDP and tc programs in
# them), the processes it started inside them (tcpdump, nc, listeners) and its /tmp
# directory stay. Such a run is recognisable by its pid: no longer a running bash. A run
# that is still alive (a test in progress, a second suite on the same machine) is left alone.
#
#   sweep.sh --before   remove the leftovers of earlier runs; exit 0 unless one could not be
#                       removed (a leftover from a crash before this run is not this run's
#                       failure, but it must not linger into this run's checks)
#   sweep.sh --after    the suite is over: any leftover is a failure (exit 1), after removing it
#   sweep.sh --list     print the leftovers, change nothing
#
# ctest runs --before as a setup fixture and --after as a cleanup fixture of every netns
# test (tests/netns/CMakeLists.txt), so --after runs even when a test failed or timed out.
set -u
set -o pipefail

mode="${1:-}"
case "$mode" in
--before | --after | --list) ;;
*)
	echo "usage: $0 --before|--after|--list" >&2
	exit 2
	;;
esac

# alive PID: PID is a running bash, i.e. a test script that is still going.
alive() {
	local comm
	comm="$(cat "/proc/$1/comm" 2>/dev/null)" || return 1
	[ "$comm" = bash ]
}

# The namespaces and directories of runs whose script is gone.
namespaces=()
if ! list="$(ip netns list)"; then
	echo "sweep: ip netns list failed" >&2
	exit 1
fi
while read -r name _; do
	[[ "$name" =~ ^stft-([0-9]+)- ]] || continue
	alive "${BASH_REMATCH[1]}" || namespaces+=("$name")
done <<<"$list"
dirs=()
for d in /tmp/stft-*; do
	[ -d "$d" ] || continue
	[[ "$d" =~ ^/tmp/stft-([0-9]+)- ]] || continue
	alive "${BASH_REMATCH[1]}" || dirs+=("$d")
done

found=$((${#namespaces[@]} + ${#dirs[@]}))
for n in "${namespaces[@]}"; do echo "sweep: leftover namespace $n (pids: $(ip netns pids "$n" | paste -sd' '))"; done
for d in "${dirs[@]}"; do echo "sweep: leftover directory $d"; done
[ "$mode" = --list ] && exit 0

failed=0
for n in "${namespaces[@]}"; do
	for pid in $(ip netns pids "$n"); do kill -9 "$pid" 2>/dev/null; done
	ip netns del "$n" || failed=1
done
for d in "${dirs[@]}"; do
	# A bpffs mounted inside (test_dispatcher.sh) first: rm cannot remove a mount point.
	for m in $(awk -v d="$d" 'index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r); do
		umount -l "$m" || failed=1
	done
	rm -rf "$d" || failed=1
done

if [ $failed -ne 0 ]; then
	echo "sweep: FAILED to remove some leftovers (see above)" >&2
	exit 1
fi
if [ "$mode" = --after ] && [ "$found" -gt 0 ]; then
	echo "sweep: FAIL: the suite left $found leftovers (removed now); a test did not clean up after itself"
	exit 1
fi
echo "sweep: $found leftovers removed ($mode)"
exit 0
