#!/bin/bash
# What sit decapsulates and stf-xdp refuses, and where both refuse: the same crafted 6to4
# packets to a sit 6to4 tunnel and to an stf-xdp router, each case counted on both sides.
# Runs in the 6.1 VM (the README's list, "On Debian 12's own kernel", comes from here).
#
#   site A (stf-xdp)                                                   site B (sit)
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#                        192.0.2.1/24    scapy sends from  198.51.100.1/24
#                        stf-xdp attach  203.0.113.5       sit 6to4, forwarding on
#
# Each case sends 2 packets to each side (UDP in IPv6 in IPv4 from the 6to4 user 203.0.113.5,
# 2002:cb00:7105::1, to the site's host P:1::10, one field changed) and reads: sit's verdict
# (tun6to4's rx and rx_errors: ipip6_rcv delivered the packet into the tunnel device, or
# refused it), what br's IPv6 stack did next (forwarded, delivered, or dropped and under
# which counter), and stf-xdp's counters (the reason). Every one of the three is checked.
# br has no native IPv6 route, so native destinations meet "no route" there; on a sit
# router with a default route they would be forwarded.
. "$(dirname "$0")/lib_vm.sh"
stft_require scapy
stft_require_sit

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
must stf ar attach eth0
sit_6to4 br 198.51.100.1
bg br /dev/null sleep 100000
BR_PID=$BG_PID
wait_until 10 grep -qx sleep "/proc/$BR_PID/comm" || die "no process parked in br"
check "warm-up: ping A -> B and back" ping6 ah "$SITE_b_HOST6" 2

# case NAME|OUTER|INNER: OUTER and INNER are key=value,... changes to the valid packet
# (outer src, ttl, tos; inner src, dst), with BCAST (the target link's broadcast), SELF (the
# target's own address), COMPAT (::target), OTHER (another site's 2002:: prefix).
# Expected: sit's "rx+R err+E", br's stack outcome, stf-xdp's counters.
CASES="control: a valid 6to4 packet||
outer TTL 0|ttl=0|
outer source 10.1.2.3 (RFC 1918)|src=10.1.2.3|src=2002:a01:203::1
outer source 169.254.1.1|src=169.254.1.1|src=2002:a9fe:101::1
outer source 240.0.0.1|src=240.0.0.1|src=2002:f000:1::1
outer source the link's broadcast|src=BCAST|src=BCAST
inner source ::||src=::
inner source ::ffff:203.0.113.5||src=::ffff:203.0.113.5
inner source ::203.0.113.5 (IPv4-compatible)||src=::203.0.113.5
inner source fe80::1||src=fe80::1
inner source fec0::1||src=fec0::1
inner source ff02::1||src=ff02::1
inner destination ::1||dst=::1
inner destination ::ffff:198.51.100.10||dst=::ffff:198.51.100.10
inner destination ::V4ADDR (IPv4-compatible, the tunnel's own)||dst=COMPAT
inner destination fe80::1||dst=fe80::1
inner destination fec0::1||dst=fec0::1
inner destination native 2001:db8:99::1||dst=2001:db8:99::1
inner source native 2001:db8:5::1 (a relay's)||src=2001:db8:5::1
inner source 2002:: of another V4ADDR||src=2002:cb00:7106::1
inner destination 2002:: of another V4ADDR||dst=OTHER
outer CE, inner not-ECT|tos=3|
outer source the target's own address|src=SELF|src=SELF"
# (case name) -> "sit verdict|br's stack|stf-xdp counters"
declare -A WANT=(
	["control: a valid 6to4 packet"]="rx+2 err+0|forwarded|decap+2"
	["outer TTL 0"]="rx+2 err+0|forwarded|outer_ttl_zero+2"
	["outer source 10.1.2.3 (RFC 1918)"]="rx+2 err+0|forwarded|outer_src_private+2"
	["outer source 169.254.1.1"]="rx+2 err+0|forwarded|outer_src_linklocal+2"
	["outer source 240.0.0.1"]="rx+2 err+0|forwarded|outer_src_reserved+2"
	["outer source the link's broadcast"]="rx+2 err+0|forwarded|outer_src_subnet_broadcast+2"
	["inner source ::"]="rx+2 err+0|dropped: InAddrErrors|inner_src_reserved+2"
	["inner source ::ffff:203.0.113.5"]="rx+2 err+0|forwarded|inner_src_v4mapped+2"
	["inner source ::203.0.113.5 (IPv4-compatible)"]="rx+2 err+0|forwarded|inner_src_reserved+2"
	["inner source fe80::1"]="rx+2 err+0|dropped: InAddrErrors|inner_src_linklocal+2"
	["inner source fec0::1"]="rx+2 err+0|forwarded|inner_src_sitelocal+2"
	["inner source ff02::1"]="rx+2 err+0|dropped: InHdrErrors|inner_src_multicast+2"
	["inner destination ::1"]="rx+2 err+0|dropped: InHdrErrors|inner_dst_reserved+2"
	["inner destination ::ffff:198.51.100.10"]="rx+2 err+0|dropped: InNoRoutes|inner_dst_v4mapped+2"
	["inner destination ::V4ADDR (IPv4-compatible, the tunnel's own)"]="rx+2 err+0|delivered|inner_dst_reserved+2"
	["inner destination fe80::1"]="rx+2 err+0|dropped: InNoRoutes|inner_dst_linklocal+2"
	["inner destination fec0::1"]="rx+2 err+0|dropped: InNoRoutes|inner_dst_sitelocal+2"
	["inner destination native 2001:db8:99::1"]="rx+2 err+0|dropped: InNoRoutes|inner_dst_not_6to4+2"
	["inner source native 2001:db8:5::1 (a relay's)"]="rx+2 err+0|forwarded|decap+2"
	["inner source 2002:: of another V4ADDR"]="rx+0 err+2|-|inner_src_spoofed+2"
	["inner destination 2002:: of another V4ADDR"]="rx+0 err+2|-|inner_dst_mismatch+2"
	["outer CE, inner not-ECT"]="rx+0 err+2|-|ecn_ce_not_ect+2"
	["outer source the target's own address"]="rx+0 err+0|-|outer_src_local+2"
)

# One python for every case (under emulation a start costs seconds): for each, counters,
# send, counters; one line "name|sit|stack|stf-xdp" per case.
printf '%s\n' "$CASES" >"$STFT_TMP/cases"
nsx "$INET_NS" "$PY" - "$BR_PID" "$STF_XDP" "$(ns ar)" "$STFT_TMP/cases" >"$STFT_TMP/out" 2>"$STFT_TMP/err" <<'PYEOF'
import json, subprocess, sys, time
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.sendrecv import send
br_pid, stf, ar_ns, cases = sys.argv[1:5]
def snmp6():
    return {k: int(v) for k, v in (l.split() for l in open("/proc/%s/net/snmp6" % br_pid))}
def tun6to4():
    for l in open("/proc/%s/net/dev" % br_pid):
        if l.strip().startswith("tun6to4:"):
            f = l.split(":", 1)[1].split()
            return int(f[1]), int(f[2])
def stf_counters():
    d = json.loads(subprocess.check_output(["ip", "netns", "exec", ar_ns, stf, "-j", "stats", "eth0"]))
    i = d["interfaces"][0]
    c = {"decap": i["decap"]["packets"]}
    c.update(i["drops"])
    return c
V4, V6 = "203.0.113.5", "2002:cb00:7105::1"
def packet(target, prefix, outer, inner):
    o_src = outer.get("src", V4)
    o_src = {"BCAST": target.rsplit(".", 1)[0] + ".255", "SELF": target}.get(o_src, o_src)
    i_src = inner.get("src", V6)
    if i_src in ("BCAST", "SELF"):
        i_src = "2002:%02x%02x:%02x%02x::1" % tuple(map(int, o_src.split(".")))
    i_dst = inner.get("dst", prefix + ":1::10")
    i_dst = {"COMPAT": "::" + target, "OTHER": "2002:cb00:7107:1::10"}.get(i_dst, i_dst)
    return (IP(src=o_src, dst=target, ttl=int(outer.get("ttl", 64)), tos=int(outer.get("tos", 0)), flags=0) /
            IPv6(src=i_src, dst=i_dst, hlim=64) / UDP(sport=4000, dport=4001) / (b"x" * 8))
def kv(s):
    return dict(x.split("=", 1) for x in s.split(",") if x)
for line in open(cases):
    name, outer, inner = line.rstrip("\n").split("|")
    outer, inner = kv(outer), kv(inner)
    s0, t0, c0 = snmp6(), tun6to4(), stf_counters()
    send([packet("198.51.100.1", "2002:c633:6401", outer, inner),
          packet("192.0.2.1", "2002:c000:201", outer, inner)] * 2, verbose=False)
    time.sleep(0.5)
    s1, t1, c1 = snmp6(), tun6to4(), stf_counters()
    d = {k: s1[k] - s0.get(k, 0) for k in s1}  # snmp6 grows a line per new ICMPv6 type
    if d["Ip6OutForwDatagrams"] >= 2:
        stack = "forwarded"
    elif d["Ip6InDelivers"] >= 2:
        stack = "delivered"
    else:
        errs = [k[3:] for k in ("Ip6InHdrErrors", "Ip6InAddrErrors", "Ip6InNoRoutes", "Ip6InDiscards",
                                "Ip6InTruncatedPkts") if d[k]]
        stack = "dropped: " + ",".join(errs) if errs else "-"
    sit = "rx+%d err+%d" % (t1[0] - t0[0], t1[1] - t0[1])
    # encap_inner_multicast: the kernel's own MLD reports on the tunnel device, at any moment
    stfd = " ".join("%s+%d" % (k, c1[k] - c0[k]) for k in sorted(c1)
                    if c1[k] != c0[k] and k != "encap_inner_multicast")
    print("%s|%s|%s|%s" % (name, sit, stack, stfd), flush=True)
PYEOF
[ $? = 0 ] || { cat "$STFT_TMP/err"; die "the sender failed"; }

printf '# %-62s %-14s %-24s %s\n' case "sit tun6to4" "br's IPv6 stack next" "stf-xdp"
while IFS='|' read -r name sit stack stfd; do
	printf '# %-62s %-14s %-24s %s\n' "$name" "$sit" "$stack" "$stfd"
done <"$STFT_TMP/out"
while IFS='|' read -r name _; do
	got=$(grep -F "$name|" "$STFT_TMP/out" | head -n1 | cut -d'|' -f2-)
	expect_eq "$name: sit | br's stack | stf-xdp" "${WANT[$name]}" "$got"
done <"$STFT_TMP/cases"
must stf ar detach eth0
finish
