#!/usr/bin/env bash
# stf-bench-pps against the kernel's sit, in Debian 12's 6.1 kernel under QEMU (run.sh): this
# host's kernel has no sit, the guest's has. A benchmark, never a test: the VM stage
# (stage.sh, suite.sh --list) does not run it. The guest is emulated (TCG), so its figures
# describe the emulation; only the ratios of one run mean anything (bench/README.md).
#
#   bash scripts/vm/bench-sit.sh [STF-BENCH-PPS ARGS...]
#
# --sit is always added: a guest that cannot make a sit device is a failure here. A --json
# FILE inside the worktree is written there (the guest sees the worktree read-write). Uses
# the build in build/ (bash scripts/setup.sh). With the defaults (20000 frames, 15 rounds)
# it takes a few minutes.
#
# One vCPU: the benchmark's generator and every receiver run on one CPU anyway, and with two
# the 6.1 guest finds the emulated TSCs unsynchronised and falls back to the jiffies clock,
# whose 4 ms steps make every run's duration (and the wall clock) useless. The guest
# refuses to run on any clock but the TSC. Batches of 8 frames (--batch 8, before the
# caller's arguments, which may override it): with the kernel's 64, the receive work of one
# batch under emulation outlasts the 2 ms softirq limit, the kernel defers it to ksoftirqd,
# the veth rings overflow and the runs are not proven.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bench=$root/build/stf-bench-pps
[ -x "$bench" ] || { echo "stf-xdp vm: no $bench: bash scripts/setup.sh first" >&2; exit 2; }

clock=/sys/devices/system/clocksource/clocksource0/current_clocksource
msg='guest clock $c, not tsc: every duration would be in 4 ms steps'
cmd="c=\$(cat $clock); [ \"\$c\" = tsc ] || { echo \"$msg\" >&2; exit 3; }
exec $(printf '%q ' "$bench" --sit --batch 8 "$@")"
exec bash "$here/run.sh" --smp 1 --timeout 3600 -c "$cmd"
