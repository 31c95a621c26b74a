# shellcheck shell=bash
# Part of lib.sh (which sources it): JSON probes and stf-xdp's counters (stats -j snapshots,
# their differences).

# ---- JSON and counters ---------------------------------------------------------------------

# json_get PYEXPR: evaluate PYEXPR with d = the JSON document on stdin; print the result.
json_get() {
	"$PY" -c 'import json,sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(json.dumps(r) if isinstance(r, (dict, list, bool)) or r is None else r)' "$1"
}

# The counter names the dataplane has (include/stf/contract.h): a typo in a test is an error.
stft_counter_names() {
	sed -n 's/^[[:space:]]*X([0-9]*, *[A-Z]*, *\([a-z0-9_]*\),.*/\1/p' "$STFT_REPO/include/stf/contract.h"
}

# stats_snap NS IFACE FILE: save `stats -j IFACE` (fails if it is not valid stats JSON).
stats_snap() {
	stf "$1" -j stats "$2" >"$3" 2>"$3.err" || {
		cat "$3" "$3.err"
		return 1
	}
	"$PY" - "$3" "$2" <<'EOF' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
assert any(i.get("ifname") == sys.argv[2] for i in d["interfaces"]), "no entry for " + sys.argv[2]
EOF
}

# The stats document flattened to {counter_name: packets}. decap/encap, every passed entry
# and every drop reason; missing entries are 0 (a CLI may print only non-zero drops).
STFT_FLATTEN_PY='
import json, sys
def flat(path, ifname):
    d = json.load(open(path))
    i = [x for x in d["interfaces"] if x.get("ifname") == ifname][0]
    out = {}
    for k, v in i.items():  # the STAT counters: decap, encap, slow_path
        if isinstance(v, dict) and "packets" in v:
            out[k] = v["packets"]
    for section in ("passed", "drops"):
        for k, v in i.get(section, {}).items():
            n = v["packets"] if isinstance(v, dict) else int(v)
            out[k] = n
            if section == "passed" and not k.startswith("pass_"):
                out["pass_" + k] = n
    return out
'

# counter FILE IFACE NAME: packets of one counter in a snapshot.
counter() {
	stft_counter_names | grep -qx "$3" || {
		echo "unknown counter name $3 (not in contract.h)" >&2
		return 1
	}
	"$PY" -c "$STFT_FLATTEN_PY"'
print(flat(sys.argv[1], sys.argv[2]).get(sys.argv[3], 0))' "$1" "$2" "$3"
}

# stats_diff BEFORE AFTER IFACE: every counter that changed, "name+N" sorted, space separated
# ("" if none). Comparing it to an expected string checks that ONLY the expected counters
# moved, by exactly the expected amounts.
# STATS_DIFF_IGNORE (space separated) names counters left out: by default
# encap_inner_multicast, because the kernel's own link-scope chatter on the tunnel device
# (MLD reports for ff02::2 and ff05::2, which it joins when IPv6 forwarding is on, sent a
# random moment after it comes up) is routed into it and dropped there by design,
# at a moment no test controls.
STATS_DIFF_IGNORE="${STATS_DIFF_IGNORE-encap_inner_multicast}"
stats_diff() {
	"$PY" -c "$STFT_FLATTEN_PY"'
a = flat(sys.argv[1], sys.argv[3]); b = flat(sys.argv[2], sys.argv[3])
ignore = sys.argv[4].split()
ch = []
for k in sorted(set(a) | set(b)):
    if k.startswith("pass_") and k[5:] in b and k[5:] != k:  # alias of a passed entry
        continue
    if k in ignore:
        continue
    dv = b.get(k, 0) - a.get(k, 0)
    if dv:
        ch.append("%s%+d" % (k, dv))
print(" ".join(ch))' "$1" "$2" "$3" "$STATS_DIFF_IGNORE"
}

# expected_diff "name+N" ...: the sorted, merged diff string stats_diff prints.
expected_diff() {
	printf '%s\n' "$@" | grep -v '^$' | sed 's/+/ /' |
		awk '{s[$1] += $2} END {for (k in s) if (s[k]) printf "%s+%d\n", k, s[k]}' |
		LC_ALL=C sort | paste -sd' '
}

# counter_delta BEFORE AFTER IFACE NAME
counter_delta() {
	local a b
	a="$(counter "$1" "$3" "$4")" && b="$(counter "$2" "$3" "$4")" || return 1
	echo $((b - a))
}
