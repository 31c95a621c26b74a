#!/usr/bin/env bash
# Installs, builds and runs every stf-xdp test: unit, kernel (netlink/dataplane), BPF
# PROG_TEST_RUN tables and network-namespace end-to-end tests on this machine's kernel, then
# the VM stage: the kernel tests, the netns suite and the interop tests against the kernel's
# sit inside a QEMU guest running Debian 12's own 6.1 kernel (scripts/vm/). Exits non-zero
# on any failure, and when no test ran at all.
#
#   STF_XDP_SKIP_VM=1   skip the VM stage (said loudly; the run is then not a full one)
#   arguments           passed to the host's ctest (e.g. -R netns)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"

# --no-tests=error: an empty suite is a failure, never a silent pass.
host_rc=0
ctest --test-dir "$root/build" --output-on-failure --no-tests=error "$@" || host_rc=$?

banner() { printf '\n########################################################################\n# %s\n########################################################################\n' "$*"; }

vm_rc=0
if [ "${STF_XDP_SKIP_VM:-}" = 1 ]; then
	banner "VM STAGE SKIPPED (STF_XDP_SKIP_VM=1): nothing ran on Debian's 6.1 kernel or against sit"
else
	banner "VM stage: Debian 12's 6.1 kernel under QEMU (scripts/vm/stage.sh)"
	start=$(date +%s)
	bash "$root/scripts/vm/stage.sh" --timeout "${STF_XDP_VM_TIMEOUT:-3600}" || vm_rc=$?
	echo "VM stage: exit $vm_rc after $(($(date +%s) - start)) s"
	if [ "$vm_rc" = 125 ] || [ "$vm_rc" = 124 ]; then
		echo "The VM could not run or did not finish (see above). To run only the host's tests," \
			"say so explicitly: STF_XDP_SKIP_VM=1 bash scripts/test.sh" >&2
	fi
fi

if [ "$host_rc" != 0 ]; then echo "host tests failed (ctest exit $host_rc)" >&2; fi
if [ "$vm_rc" != 0 ]; then echo "VM stage failed (exit $vm_rc)" >&2; fi
[ "$host_rc" = 0 ] && [ "$vm_rc" = 0 ]
