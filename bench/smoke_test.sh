#!/bin/bash
# bench.smoke: stf-bench --quick runs every case (each run proven by its counter inside
# stf-bench) and writes JSON with one object per case; the list below is kept here, not
# derived from stf-bench, so a case that disappears fails this test. Usage: smoke_test.sh STF_BENCH
set -euo pipefail
bench=$1
json=$(mktemp /tmp/stf-bench-smoke.XXXXXX)
trap 'rm -f "$json"' EXIT
"$bench" --quick --json "$json" >/dev/null
/usr/bin/python3 - "$json" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1]))
cost = {c["case"]: c for c in cases if c["kind"] == "cost"}
mem = {c["case"]: c["bytes"] for c in cases if c["kind"] != "cost"}
want = ["decap valid", "decap dropped (inner_src_spoofed)", "non-tunnel IPv4",
        "non-tunnel IPv6", "encap to 2002::", "encap via the relay",
        "non-tunnel egress (ff02::16)", "encap part: checks", "encap part: + FIB lookup",
        "encap part: + FIB, adjust_room", "encap part: old: + check_mtu, 4 store_bytes",
        "encap part: new: FIB, adjust_room, direct stores",
        "decap valid, 8 locals", "decap dropped (inner_src_spoofed), 8 locals",
        "encap to 2002::, 8 locals", "decap valid, ingress filter off",
        "decap valid, loop guard off", "decap valid, permit private",
        "LAN encap to 2002:: (fast path)", "LAN non-tunnel IPv6 (no relay)"]
want += ["decap valid, %s %d" % (k, n) for k in ("deny", "allow") for n in (10, 1000, 100000)]
bad = []
if len(cost) != len([c for c in cases if c["kind"] == "cost"]):
    bad.append("duplicate case names")
for name in want:
    c = cost.get(name)
    if c is None:
        bad.append("missing case: " + name)
        continue
    for k in ("baseline_ns", "case_ns", "delta_ns", "delta_q1_ns", "delta_q3_ns"):
        if not isinstance(c.get(k), (int, float)) or c["case_ns"] <= 0:
            bad.append("%s: bad %s" % (name, k))
    # Every counted case proves every run: runs x rounds plus the warm-up.
    if "non-tunnel IP" not in name and c["proven_runs"] < c["runs"] * c["rounds"]:
        bad.append("%s: only %d runs proven" % (name, c["proven_runs"]))
bad += ["unexpected case: " + n for n in cost if n not in want]
for k in ("deny", "allow"):
    sizes = [mem.get("map: stf_%s_v1, %d prefixes" % (k, n), 0) for n in (10, 1000, 100000)]
    if not (0 < sizes[0] < sizes[1] < sizes[2]):
        bad.append("%s trie memory does not grow with its prefixes: %s" % (k, sizes))
for n in ("attach", "stats", "stats -j", "attach, 1000 deny prefixes"):
    if mem.get("rss: " + n, 0) <= 0:
        bad.append("no peak RSS for " + n)
print("\n".join(bad) or "%d cases, %d memory figures" % (len(cost), len(mem)))
sys.exit(1 if bad else 0)
PY
