#!/usr/bin/env bash
# Installs, builds and runs every stf-xdp test: unit, kernel (netlink/dataplane), BPF
# PROG_TEST_RUN tables and network-namespace end-to-end tests. Exits non-zero on any failure,
# and when no test ran at all.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"

# --no-tests=error: an empty suite is a failure, never a silent pass.
ctest --test-dir "$root/build" --output-on-failure --no-tests=error "$@"
