#!/usr/bin/env bash
# The VM stage's worker, run INSIDE the 6.1 guest (scripts/vm/stage.sh starts one per host
# CPU; scripts/vm/run.sh scripts/vm/suite.sh runs one alone). It takes items from a queue
# shared by every worker and runs each with the binaries built on the host:
#
#   ctest REGEX     the kernel tests and the BPF table gate, through ctest
#   provision ARGS  vagrant/provision.sh with these ctest arguments (the Vagrant box's
#                   provisioning, tested here where vagrant cannot download boxes)
#   script PATH     one test script (tests/netns/test_*.sh, tests/vm/test_*.sh) under a
#                   per-script timeout: not through ctest, whose 300 s per netns test is a
#                   budget for the host, and software emulation runs process-heavy scripts
#                   10-40 times slower
#
# A worker claims an item by creating QUEUE/claim.N (mkdir is atomic on the host's file
# system, through 9p), so the slowest item does not hold the others up behind it, and appends
# "PASS|FAIL item (seconds): last line of its output" to QUEUE/results.
#
#   STF_VM_QUEUE         the queue directory (QUEUE/list: one item a line); default: a
#                        private queue of everything (scripts/vm/suite.sh --list)
#   STF_VM_TEST_TIMEOUT  seconds per item (default 2400: test_bad_input takes about 1200 s
#                        alone on 2 idle CPUs; a hang is still cut well inside the stage)
#
# Exits non-zero if an item this worker ran failed, or if it ran none and the queue had none.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# --list: the whole VM stage, heaviest first (so two workers end at about the same time).
if [ "${1:-}" = --list ]; then
	cd "$root" || exit 1
	# The two longest (about 15-20 minutes each under emulation) first, one per worker; the
	# rest, a few minutes each, then fill in behind whichever ends first.
	echo "script tests/netns/test_bad_input.sh"
	echo "script tests/netns/test_hostile.sh"
	echo "script tests/vm/test_hygiene.sh"
	echo "ctest ^(kernel\\.|bpf\\.gate_all_cases\$)"
	ls tests/netns/test_*.sh tests/vm/test_*.sh |
		grep -v -e test_bad_input -e test_hostile -e test_hygiene | sed 's/^/script /'
	echo "provision -R ^unit\\."
	exit 0
fi

[ "${STF_XDP_IN_VM:-}" = 1 ] || { echo "scripts/vm/suite.sh runs in the VM: bash scripts/vm/run.sh $0" >&2; exit 2; }

# Loading sit (the interop peer) makes the kernel put a fallback device sit0 into every new
# network namespace, which the tests that expect a fresh namespace to hold only lo would
# count. Keep it in the initial namespace only, as a host that loads sit for its own 6to4
# would for its containers.
sysctl -qw net.core.fb_tunnels_only_for_init_net=1

export STF_XDP=${STF_XDP:-$root/build/stf-xdp}
per_item=${STF_VM_TEST_TIMEOUT:-2400}
queue=${STF_VM_QUEUE:-}
if [ -z "$queue" ]; then
	queue=$(mktemp -d /tmp/stf-vm-queue.XXXXXX)
	bash "$0" --list >"$queue/list"
fi
[ -s "$queue/list" ] || { echo "empty queue $queue/list" >&2; exit 1; }

ran=0
fails=0
t0=$(date +%s)
bash "$root/tests/netns/sweep.sh" --before

run_item() { # run_item KIND ARG
	case "$1" in
	ctest)
		ctest --test-dir "$root/build" -R "$2" --output-on-failure --no-tests=error --timeout 600
		;;
	script)
		timeout --kill-after=10 "$per_item" bash "$root/$2"
		local rc=$?
		[ "$rc" = 124 ] && echo "(timed out after $per_item s)"
		return "$rc"
		;;
	provision)
		# vagrant/provision.sh, the Vagrant box's provisioning, in this guest: the same
		# entry point (scripts/test.sh, its packages found installed) with the ctest
		# arguments given, then the interop tests. Word-split on purpose: "-R REGEX".
		# shellcheck disable=SC2086
		STF_XDP_INTEROP=0 timeout --kill-after=10 "$per_item" bash "$root/vagrant/provision.sh" "$root" $2
		;;
	*) echo "unknown queue item kind $1"; return 2 ;;
	esac
}

i=0
while IFS= read -r item; do
	i=$((i + 1))
	[ -n "$item" ] || continue
	mkdir "$queue/claim.$i" 2>/dev/null || continue # another worker has it
	start=$(date +%s)
	echo "==== [$(hostname) $(uname -r)] $item"
	run_item ${item%% *} "${item#* }" 2>&1 | tee /tmp/item.log
	rc=${PIPESTATUS[0]}
	last=$(grep -E 'tests passed|passed, [0-9]+ failed|timed out|^provision: ' /tmp/item.log | tail -n1)
	[ -n "$last" ] || last=$(tail -n1 /tmp/item.log)
	line="$([ "$rc" = 0 ] && echo PASS || echo FAIL) ${item#* } ($(($(date +%s) - start)) s): $last"
	echo "$line" >>"$queue/results"
	echo "$line" >"$queue/claim.$i/result"
	ran=$((ran + 1))
	[ "$rc" = 0 ] || fails=$((fails + 1))
done <"$queue/list"

# A script killed by its timeout never ran its cleanup: remove what it left, and fail.
if ! bash "$root/tests/netns/sweep.sh" --after; then
	echo "FAIL tests/netns/sweep.sh --after: leftovers in $(hostname)" >>"$queue/results"
	fails=$((fails + 1))
fi
echo "==== worker done on $(uname -r): $ran items, $fails failed, $(($(date +%s) - t0)) s"
if [ -z "${STF_VM_QUEUE:-}" ]; then
	echo "==== VM stage summary on $(uname -r)"
	sed 's/^/  /' "$queue/results"
fi
[ "$fails" = 0 ]
