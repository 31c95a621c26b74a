#!/bin/bash
# The outer headers stf-xdp emits against the ones the kernel's sit emits for the same inner
# packet, field by field, and parity on what sit refuses to decapsulate. Runs in the 6.1 VM.
#
#   site A (stf-xdp)                                                   site B (sit)
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#   2002:c000:201:1::10  192.0.2.1/24   tcpdump on a0, b0  198.51.100.1/24  2002:c633:6401:1::10
#                        stf-xdp attach eth0               sit 6to4 with sit's defaults
#
# ah and bh each send the same echo request (traffic class 0xb9: DSCP EF, ECT(1); hop limit
# 40) to the other; the outer IPv4 header of each, as captured on inet, is printed side by
# side. The intended differences (README, "On Debian 12's own kernel"): DF (sit's default
# pmtudisc sets it, RFC 3056 says SHOULD NOT, stf-xdp never does); TTL (sit's default
# inherits the inner hop limit, stf-xdp uses --ttl, 64); DSCP (sit's default tos 0 clears it,
# stf-xdp copies it as stf(4) does); ECN both copy (RFC 6040). Every other field must agree.
. "$(dirname "$0")/lib_vm.sh"
stft_require tcpdump scapy
stft_require_sit

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6
must stf ar attach eth0
sit_6to4 br 198.51.100.1
check "warm-up: ping A -> B and back (neighbours resolved)" ping6 ah "$B6" 2

bg "$INET_NS" "$STFT_TMP/td-a.log" tcpdump -i a0 -n -U -Q in -w "$STFT_TMP/a0.pcap" ip proto 41
TDA=$BG_PID
bg "$INET_NS" "$STFT_TMP/td-b.log" tcpdump -i b0 -n -U -Q in -w "$STFT_TMP/b0.pcap" ip proto 41
TDB=$BG_PID
wait_until 10 file_has "$STFT_TMP/td-a.log" listening || die "tcpdump on a0 did not start"
wait_until 10 file_has "$STFT_TMP/td-b.log" listening || die "tcpdump on b0 did not start"
check "ping A -> B with tclass 0xb9, hop limit 40" ping6 ah "$B6" 1 -Q 0xb9 -t 40
check "ping B -> A with tclass 0xb9, hop limit 40" ping6 bh "$A6" 1 -Q 0xb9 -t 40
sleep 1
bg_stop "$TDA"
bg_stop "$TDB"

# compare: the first echo request of each capture; prints the table, checks the fields.
compare() {
	"$PY" - "$STFT_TMP/a0.pcap" "$STFT_TMP/b0.pcap" <<'PYEOF'
import sys
from scapy.utils import rdpcap
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest
def first_request(path):
    for p in rdpcap(path):
        if IP in p and IPv6 in p and ICMPv6EchoRequest in p:
            return p
    sys.exit("no tunnelled echo request in " + path)
s, k = first_request(sys.argv[1]), first_request(sys.argv[2])
def fields(p):
    ip = p[IP]
    raw = bytes(ip)[:20]
    chk = IP(raw); chk.chksum = None
    return {
        "version": ip.version, "ihl": ip.ihl,
        "dscp": ip.tos >> 2, "ecn": ip.tos & 3,
        "total length - inner length": ip.len - len(bytes(p[IPv6])),
        "DF": int(bool(ip.flags & 2)), "MF": int(bool(ip.flags & 1)), "frag offset": ip.frag,
        "ttl": ip.ttl, "protocol": ip.proto,
        "checksum valid": int(IP(bytes(chk))[IP].chksum == ip.chksum),
        "src": ip.src, "dst": ip.dst,
        "inner tclass": p[IPv6].tc, "inner hop limit": p[IPv6].hlim,
    }
a, b = fields(s), fields(k)
print("%-28s %-16s %-16s" % ("field", "stf-xdp", "sit (defaults)"))
for f in a:
    print("%-28s %-16s %-16s%s" % (f, a[f], b[f], "" if a[f] == b[f] else "   <- differs"))
intended = {"DF", "ttl", "dscp", "src", "dst", "inner hop limit"}
bad = [f for f in a if a[f] != b[f] and f not in intended]
want = {"DF": (0, 1), "dscp": (0xb9 >> 2, 0), "ecn": (1, 1), "ttl": (64, b["inner hop limit"]),
        "protocol": (41, 41), "ihl": (5, 5), "MF": (0, 0), "frag offset": (0, 0),
        "checksum valid": (1, 1), "total length - inner length": (20, 20)}
for f, (x, y) in want.items():
    if (a[f], b[f]) != (x, y):
        bad.append("%s: wanted stf-xdp %s, sit %s" % (f, x, y))
if bad:
    sys.exit("unexpected: " + ", ".join(map(str, bad)))
PYEOF
}
# The table is printed whatever the verdict: it is this test's record of the comparison.
compare >"$STFT_TMP/compare.txt" 2>&1
CMP_RC=$?
sed 's/^/# /' "$STFT_TMP/compare.txt"
check "outer headers: only the intended fields differ (DF, TTL, DSCP)" test "$CMP_RC" = 0

log "parity: a 2002:: inner source that does not embed the outer source"
# spoof FROM_V4 TO_V4 INNER_SRC INNER_DST: one such packet, sent from the IPv4 internet.
spoof() {
	nsx "$INET_NS" "$PY" - "$@" <<'PYEOF'
import sys
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest
from scapy.sendrecv import send
o_src, o_dst, i_src, i_dst = sys.argv[1:5]
send(IP(src=o_src, dst=o_dst, flags=0) / IPv6(src=i_src, dst=i_dst, hlim=64) / ICMPv6EchoRequest(id=0x5f5f, seq=1),
     count=3, verbose=False)
PYEOF
}
# hits NS IF: echo requests with id 0x5f5f seen on IF (tcpdump -c bounded by timeout).
bg bh "$STFT_TMP/td-bh.log" tcpdump -i eth0 -n -U -l "icmp6 and ip6[40] == 128"
TBH=$BG_PID
bg ah "$STFT_TMP/td-ah.log" tcpdump -i eth0 -n -U -l "icmp6 and ip6[40] == 128"
TAH=$BG_PID
wait_until 10 file_has "$STFT_TMP/td-bh.log" listening || die "tcpdump in bh did not start"
wait_until 10 file_has "$STFT_TMP/td-ah.log" listening || die "tcpdump in ah did not start"
S0="$(sit_counters br)" || die "sit counters"
stats_snap ar eth0 "$STFT_TMP/p0" || die "stats -j failed"
# Control first: the same packets with a matching source are delivered by both.
spoof 192.0.2.1 198.51.100.1 "$A6" "$B6" || die "scapy send failed"
spoof 198.51.100.1 192.0.2.1 "$B6" "$A6" || die "scapy send failed"
# Then the spoofed ones: inner 2002:c000:202:: (192.0.2.2) from outer 192.0.2.1, and
# inner 2002:c633:6402:: (198.51.100.2) from outer 198.51.100.1.
spoof 192.0.2.1 198.51.100.1 2002:c000:202:1::10 "$B6" || die "scapy send failed"
spoof 198.51.100.1 192.0.2.1 2002:c633:6402:1::10 "$A6" || die "scapy send failed"
sleep 1
bg_stop "$TBH"
bg_stop "$TAH"
S1="$(sit_counters br)" || die "sit counters"
stats_snap ar eth0 "$STFT_TMP/p1" || die "stats -j failed"
seen() { grep -c "$2" "$1" || true; }
expect_eq "sit delivered the 3 matching packets to bh" 3 "$(seen "$STFT_TMP/td-bh.log" "$A6 >")"
expect_eq "stf-xdp delivered the 3 matching packets to ah" 3 "$(seen "$STFT_TMP/td-ah.log" "$B6 >")"
expect_eq "sit refused the 3 spoofed ones" 0 "$(seen "$STFT_TMP/td-bh.log" "2002:c000:202:1::10 >")"
expect_eq "stf-xdp refused the 3 spoofed ones" 0 "$(seen "$STFT_TMP/td-ah.log" "2002:c633:6402:1::10 >")"
log "sit's counters: $(sit_delta "$S0" "$S1")"
log "stf-xdp's counters: $(stats_diff "$STFT_TMP/p0" "$STFT_TMP/p1" eth0)"
must stf ar detach eth0
finish
