#!/usr/bin/env bash
# Provisions a Debian 12 machine for stf-xdp and runs its suite there: the Vagrant box
# (vagrant/Vagrantfile) and, the same script, the VM stage's guest (scripts/vm/suite.sh's
# "provision" item), so it is tested where vagrant cannot run.
#
#   bash vagrant/provision.sh [SOURCE_DIR [CTEST_ARGS...]]
#
# 1. scripts/test.sh: installs the Debian packages (scripts/setup.sh), builds, runs every
#    ctest test on this machine's kernel (Debian 12's 6.1 here). Its VM stage is skipped on
#    purpose, and says so: this machine already is the kernel that stage emulates.
# 2. the interop tests against the kernel's sit (tests/vm/test_*.sh), directly; STF_XDP_INTEROP=0
#    leaves them out, and says so (the VM stage runs them as items of their own).
# Exits non-zero if either failed.
set -euo pipefail

src=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
[ $# -gt 0 ] && shift
cd "$src"

rc=0
STF_XDP_SKIP_VM=1 bash scripts/test.sh "$@" || rc=$?

# sit after the ctest run: once loaded it puts a fallback device sit0 into every new
# namespace, unless fb_tunnels_only_for_init_net keeps it in the initial one (two kernel
# tests count a fresh namespace's links; the interop tests make their tunnels by netlink).
if [ "${STF_XDP_INTEROP:-1}" = 0 ]; then
	echo "provision: interop tests against sit LEFT OUT (STF_XDP_INTEROP=0)"
	exit "$rc"
fi
if [ ! -d /sys/module/sit ]; then
	modprobe sit || { echo "provision: cannot load sit" >&2; exit 1; }
fi
sysctl -qw net.core.fb_tunnels_only_for_init_net=1
for t in tests/vm/test_*.sh; do
	echo "==== $t"
	bash "$t" || rc=1
done
[ "$rc" = 0 ] && echo "provision: all passed" || echo "provision: FAILED" >&2
exit "$rc"
