#!/usr/bin/env bash
# The VM stage's test list, run INSIDE the 6.1 guest (scripts/vm/run.sh scripts/vm/suite.sh):
# the kernel tests and the BPF table gate through ctest, every netns end-to-end test, then the
# interop tests against the kernel's sit (tests/vm/), all with the binaries built on the host.
# Prints one line per test script and a summary; exits non-zero if anything failed or nothing
# ran.
#
# The netns scripts run directly, not through ctest: ctest gives each 300 s, a budget set for
# the host, and software emulation runs process-heavy scripts 10-40 times slower.
#
#   STF_VM_CTEST_REGEX   which ctest tests (default: kernel tests and bpf.gate_all_cases)
#   STF_VM_NETNS         which tests/netns scripts (default: every test_*.sh; "" = none)
#   STF_VM_TESTS         which tests/vm scripts (default: every test_*.sh; "" = none)
#   STF_VM_TEST_TIMEOUT  seconds per script (default 900)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ "${STF_XDP_IN_VM:-}" = 1 ] || { echo "scripts/vm/suite.sh runs in the VM: bash scripts/vm/run.sh $0" >&2; exit 2; }

# Loading sit (the interop peer) makes the kernel put a fallback device sit0 into every new
# network namespace, which the tests that expect a fresh namespace to hold only lo would
# count. Keep the fallback device to the initial namespace, as a host that loads sit for its
# own 6to4 would do for containers.
sysctl -qw net.core.fb_tunnels_only_for_init_net=1

regex=${STF_VM_CTEST_REGEX-'^(kernel\.|bpf\.gate_all_cases$)'}
per_test=${STF_VM_TEST_TIMEOUT:-900}
export STF_XDP=${STF_XDP:-$root/build/stf-xdp}
results=()
fails=0
t0=$(date +%s)

if [ -n "$regex" ]; then
	start=$(date +%s)
	ctest --test-dir "$root/build" -R "$regex" --output-on-failure --no-tests=error \
		--timeout 300 2>&1 | tee /tmp/ctest.log
	rc=${PIPESTATUS[0]}
	results+=("$( [ "$rc" = 0 ] && echo PASS || echo FAIL ) ctest -R '$regex' ($(($(date +%s) - start)) s): $(grep -E 'tests passed' /tmp/ctest.log | tail -n1)")
	[ "$rc" = 0 ] || fails=$((fails + 1))
fi

# run_script PATH: one test script under the per-script timeout, its line in the summary.
run_script() {
	local t=$1 start rc
	start=$(date +%s)
	echo "==== $t"
	timeout --kill-after=10 "$per_test" bash "$root/$t" 2>&1 | tee /tmp/vmtest.log
	rc=${PIPESTATUS[0]}
	[ "$rc" = 124 ] && echo "(timed out after $per_test s)" >>/tmp/vmtest.log
	results+=("$( [ "$rc" = 0 ] && echo PASS || echo FAIL ) $t ($(($(date +%s) - start)) s): $(tail -n1 /tmp/vmtest.log)")
	[ "$rc" = 0 ] || fails=$((fails + 1))
}

[ -n "${STF_VM_NETNS+set}" ] || STF_VM_NETNS=$(cd "$root" && ls tests/netns/test_*.sh | tr '\n' ' ')
if [ -n "$STF_VM_NETNS" ]; then
	bash "$root/tests/netns/sweep.sh" --before
	for t in $STF_VM_NETNS; do run_script "$t"; done
	# A script killed by the timeout never ran its cleanup: remove its leftovers, and fail.
	bash "$root/tests/netns/sweep.sh" --after || {
		results+=("FAIL tests/netns/sweep.sh --after: leftovers of the scripts above")
		fails=$((fails + 1))
	}
fi

[ -n "${STF_VM_TESTS+set}" ] || STF_VM_TESTS=$(cd "$root" && ls tests/vm/test_*.sh 2>/dev/null | tr '\n' ' ')
for t in $STF_VM_TESTS; do run_script "$t"; done

echo "==== VM stage summary on $(uname -r) ($(($(date +%s) - t0)) s)"
printf '  %s\n' "${results[@]}"
[ "${#results[@]}" -gt 0 ] || { echo "  nothing ran"; exit 1; }
[ "$fails" = 0 ]
