#!/bin/bash
# bench.pps_smoke: stf-bench-pps --quick runs every host case (each run proven by its
# counters inside stf-bench-pps, which exits 1 otherwise) and writes one JSON object per
# case. The list is kept here, not derived from the benchmark, so a case that disappears
# fails this test. Timings are not checked: a benchmark is not a test.
# Usage: pps_smoke_test.sh STF_BENCH_PPS
set -euo pipefail
bench=$1
json=$(mktemp /tmp/stf-bench-pps-smoke.XXXXXX)
trap 'rm -f "$json"' EXIT
"$bench" --quick --no-sit --json "$json" >/dev/null
/usr/bin/python3 - "$json" <<'PY'
import json, sys
cases = {c["case"]: c for c in json.load(open(sys.argv[1]))}
want = ["decap + drop vs bare XDP_DROP", "decap + delivery to a UDP socket vs plain IPv6",
        "router WAN->LAN (decap): fast path on vs off",
        "router LAN->WAN (encap): fast path on vs off",
        "router LAN->WAN (encap): stf-xdp vs plain IPv6 forwarding"]
bad = []
for name in want:
    c = cases.get(name)
    if c is None:
        bad.append("missing case: " + name)
        continue
    if c["proven"] is not True:
        bad.append(name + ": not proven")
    for k in ("a_pps", "b_pps", "ratio", "a_wall_pps", "b_wall_pps"):
        if not isinstance(c.get(k), (int, float)) or c[k] <= 0:
            bad.append("%s: bad %s" % (name, k))
    if c["frames"] != 2000 or c["rounds"] != 2 or c["emulated"] is not False:
        bad.append(name + ": not the quick settings on the host")
bad += ["unexpected case: " + n for n in cases if n not in want]
print("\n".join(bad) or "%d cases, every frame proven" % len(cases))
sys.exit(1 if bad else 0)
PY
