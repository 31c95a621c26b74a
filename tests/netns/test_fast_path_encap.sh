#!/bin/bash
# The encapsulating fast path (attach --lan, bpf/lan.bpf.c) on a 6to4 site router: the same
# scapy-crafted IPv6 packets from A's LAN host to site B, captured as they leave A's router
# towards the IPv4 internet with the fast path off (the kernel forwards them into the tunnel,
# tc encapsulates) and on (XDP on lan0 encapsulates), must be byte for byte identical but for
# the random IP ID (and the header checksum it changes, which is verified), with exact
# counters. Hostile and edge packets from the LAN must come out exactly as on the slow path:
# refused by tc under the same reason, answered by the kernel with the same ICMP error.
# Also: --lan's refusals leave everything as it was, status shows the LAN side, detach
# removes it.
#
#   ah (2002:c000:201:1::10) --lan0-- ar [eth0 192.0.2.1] --a0-- inet -- br [198.51.100.1] -- bh
#   inet's a0 has GRO on: a veth receives XDP-redirected frames only with NAPI on its peer
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require scapy tcpdump

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
B6=$SITE_b_HOST6
nsx inet ethtool -K a0 gro on >/dev/null || die "gro on inet's a0"
# The replies come back through the decapsulator's fast path (the switch covers both).
nsx ah ethtool -K eth0 gro on >/dev/null || die "gro on ah's eth0"
must stf br attach eth0

# ---- --lan's refusals change nothing --------------------------------------------------
refused() { # refused WHAT RC MESSAGE attach-args...: exit RC, MESSAGE on stderr, no state
	local what="$1" rc="$2" msg="$3"
	shift 3
	expect_eq "$what: exit $rc" "$rc" "$(stf_rc ar attach eth0 "$@")"
	check "$what: says so" grep -qF -- "$msg" "$STFT_TMP/last.err"
	expect_out "$what: no tunnel made" "" stf_links ar
	expect_out "$what: eth0 has no XDP program" none xdp_of ar eth0
}
refused "a missing LAN interface" 3 "no such interface: lan9 (--lan)" --lan lan0,lan9
expect_out "a missing LAN interface: lan0 untouched" none xdp_of ar lan0
refused "the attached interface as LAN" 2 "eth0 is the interface attached to" --lan eth0
check "a foreign XDP program on ar's lan0" nsx ar "$PY" "$STFT_LIB_DIR/hostile.py" foreign-xdp --iface lan0
FOREIGN="$(xdp_of ar lan0)" || die "cannot read lan0's XDP program"
refused "a foreign program on the LAN interface" 5 "LAN interface lan0 already has an XDP program" --lan lan0
expect_out "the foreign program is still there, same id" "$FOREIGN" xdp_of ar lan0
must ip -n "$(ns ar)" link set dev lan0 xdp off

dry_lan() { stf ar attach eth0 --lan lan0 --dry-run | grep 'on LAN'; }
expect_out "attach --dry-run names the LAN hook" "  fast path: XDP (native) on LAN lan0" dry_lan
must stf ar attach eth0 --lan lan0
LANXDP="$(xdp_of ar lan0)" || die "cannot read lan0's XDP program"
check "lan0 carries a native XDP program ($LANXDP)" test "${LANXDP% *}" = native
prog_name() { bpftool -j prog show id "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["name"])'; }
expect_out "it is stf-xdp's stf_lan" stf_lan prog_name "${LANXDP#* }"
expect_out "status -j (a later invocation) finds the LAN side" "lan0 native" \
	stf_json ar 'd["interfaces"][0]["lan"][0]["ifname"] + " " + d["interfaces"][0]["lan"][0]["xdp"]["mode"]' status eth0
check "status names it" stf_grep ar "lan0 \\(XDP native" status eth0
check "warm up: ping A -> B (neighbours resolved on every hop)" ping6 ah "$B6" 2

# send_v6 SEQ0 N: N crafted packets from ah to B, identical each run: echo requests with a
# traffic class (DSCP and ECN are copied outward) and a flow label, sizes up to a full
# tunnel MTU, and a UDP datagram.
send_v6() {
	nsx ah "$PY" - "$SITE_a_HOST6" "$B6" "$1" "$2" <<'EOF'
import sys
from scapy.all import IPv6, ICMPv6EchoRequest, UDP, Raw, send, conf
conf.verb = 0
src, dst, seq0, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for s in range(seq0, seq0 + n):
    size = (100, 1000, 1432, 8, 500)[s % 5]  # 1432 + 48 = the tunnel's 1480
    data = bytes((s + i) & 0xff for i in range(size))
    l4 = UDP(sport=4000 + s, dport=9) / Raw(data) if s % 5 == 4 else ICMPv6EchoRequest(id=0x5454, seq=s, data=data)
    send(IPv6(src=src, dst=dst, hlim=64, tc=0xb9, fl=0x12345 + s) / l4)
EOF
}
# capture FILE cmd...: protocol 41 leaving ar (as inet's a0 receives it) while cmd runs.
capture() { capture_while inet a0 'ip proto 41 and src host 192.0.2.1' "$@"; }
# frames FILE: one line per frame: MACs, then the IPv4 packet in hex with its ID and checksum
# zeroed; "BADSUM" replaces a frame whose header checksum is wrong.
frames() {
	"$PY" - "$1" <<'EOF'
import sys
from scapy.all import rdpcap
for p in rdpcap(sys.argv[1]):
    b = bytearray(bytes(p))
    h = b[14:34]
    s = sum((h[i] << 8) | h[i + 1] for i in range(0, 20, 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    if s != 0xffff:
        print("BADSUM", bytes(b).hex())
        continue
    b[18:20] = b"\0\0"  # IP ID: random per packet
    b[24:26] = b"\0\0"  # its checksum
    print(b[0:6].hex(":"), b[6:12].hex(":"), bytes(b[14:]).hex())
EOF
}
snap() { stats_snap ar eth0 "$STFT_TMP/$1" || die "stats -j failed"; }
diff_of() { stats_diff "$STFT_TMP/$1" "$STFT_TMP/$2" eth0; }

# hostile PHASE: the hostile and edge cases, one "case: answer | counters" line each, into
# $STFT_TMP/hostile.PHASE; nothing of them may leave ar towards the internet.
nsx ar ip -6 route add unreachable 2002:c633:6402::/48 || die "unreachable route"
probe() { # probe SRC DST HLIM SIZE: the ICMPv6 type (and MTU) of the answer, or none
	nsx ah "$PY" - "$@" <<'EOF'
import sys
from scapy.all import IPv6, ICMPv6EchoRequest, sr1, conf
conf.verb = 0
src, dst, hlim, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
r = sr1(IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6EchoRequest(id=0x77, seq=1, data=b"x" * size),
        timeout=2)
print("none" if r is None else "%d %s" % (r.payload.type, getattr(r.payload, "mtu", "")))
EOF
}
hostile_cases() {
	local out="$1" name src dst hlim size n=0
	: >"$out"
	while read -r name src dst hlim size; do
		snap "h$n"
		local answer
		answer="$(probe "$src" "$dst" "$hlim" "$size")" || answer="probe failed"
		snap "h$((n + 1))"
		printf '%s: %s | %s\n' "$name" "$answer" "$(diff_of "h$n" "h$((n + 1))")" >>"$out"
		n=$((n + 1))
	done <<EOF
spoofed_6to4_source 2002:cb00:7109::10 $B6 64 40
dst_embeds_our_v4addr $SITE_a_HOST6 2002:c000:201:5::1 64 40
dst_embeds_private $SITE_a_HOST6 2002:a00:1::1 64 40
dst_embeds_broadcast $SITE_a_HOST6 2002:c000:2ff::1 64 40
hop_limit_1 $SITE_a_HOST6 $B6 1 40
too_big $SITE_a_HOST6 $B6 64 1433
tunnel_not_the_route $SITE_a_HOST6 2002:c633:6402::1 64 40
EOF
}
hostile() { capture "$STFT_TMP/hostile.$1.pcap" hostile_cases "$STFT_TMP/hostile.$1"; }
cat >"$STFT_TMP/hostile.want" <<'EOF'
spoofed_6to4_source: none | encap_src_not_local+1
dst_embeds_our_v4addr: none | encap_dst_local+1
dst_embeds_private: none | encap_dst_private+1
dst_embeds_broadcast: none | encap_dst_subnet_broadcast+1
hop_limit_1: 3  | 
too_big: 2 1480 | 
tunnel_not_the_route: 1  | 
EOF

# ---- slow, then fast ---------------------------------------------------------------------
snap s0
capture "$STFT_TMP/slow.pcap" send_v6 1 10
snap s1
expect_out "slow: 10 encapsulated by tc (and the replies decapsulated)" "decap+10 encap+10" diff_of s0 s1
hostile slow
check "slow: hostile and edge packets as expected" diff -u "$STFT_TMP/hostile.want" "$STFT_TMP/hostile.slow"

printf '{"fast_path": true}\n' >"$STFT_TMP/nolan.json"
expect_eq "apply without the LAN set: refused in place (exit 2)" 2 "$(stf_rc ar apply eth0 "$STFT_TMP/nolan.json")"
check "apply names the LAN change" grep -q "lan lan0 -> none" "$STFT_TMP/last.out" "$STFT_TMP/last.err"
printf '{"fast_path": true, "lan": ["lan0"]}\n' >"$STFT_TMP/fast.json"
must stf ar apply eth0 "$STFT_TMP/fast.json"
snap f0
capture "$STFT_TMP/fast.pcap" send_v6 1 10
snap f1
expect_out "fast: the 10 encapsulated from XDP (and the replies forwarded from XDP)" \
	"decap+10 encap+10 fast_encap+10 fast_forward+10" diff_of f0 f1
hostile fast
check "fast: hostile and edge packets as expected" diff -u "$STFT_TMP/hostile.want" "$STFT_TMP/hostile.fast"
check "hostile and edge packets: identical on both paths" cmp "$STFT_TMP/hostile.slow" "$STFT_TMP/hostile.fast"
for p in slow fast; do
	frames "$STFT_TMP/hostile.$p.pcap" >"$STFT_TMP/hostile.$p.txt"
	expect_out "$p: none of the hostile packets left towards the internet" 0 \
		sh -c "wc -l <'$STFT_TMP/hostile.$p.txt'"
done

frames "$STFT_TMP/slow.pcap" >"$STFT_TMP/slow.txt"
frames "$STFT_TMP/fast.pcap" >"$STFT_TMP/fast.txt"
expect_out "slow path sent the 10 frames" 10 sh -c "wc -l <'$STFT_TMP/slow.txt'"
check "no frame with a wrong IPv4 checksum" sh -c "! grep -q BADSUM '$STFT_TMP/slow.txt' '$STFT_TMP/fast.txt'"
check "fast and slow path frames identical but for the IP ID (MACs, outer and inner bytes)" \
	cmp "$STFT_TMP/slow.txt" "$STFT_TMP/fast.txt"
expect_out "outer TOS = inner traffic class, DF clear, TTL 64, proto 41, hop limit 63 inside" \
	"45b9 0000 40 29 3f" sh -c "cut -d' ' -f3 '$STFT_TMP/fast.txt' | sed -E 's/^(.{4}).{8}(.{4})(.{2})(.{2}).{34}(.{2}).*/\1 \2 \3 \4 \5/' | sort -u"

# ---- the first packet to an unresolved IPv4 next hop goes slow --------------------------
must nsx ar ip neigh flush dev eth0
snap n0
capture "$STFT_TMP/unres.pcap" send_v6 1 1
snap n1
expect_out "unresolved next hop: the first packet through tc (no fast_encap)" \
	"decap+1 encap+1 fast_forward+1" diff_of n0 n1
frames "$STFT_TMP/unres.pcap" >"$STFT_TMP/unres.txt"
check "and it left, as the slow path sends it" sh -c "head -1 '$STFT_TMP/slow.txt' | cmp - '$STFT_TMP/unres.txt'"
capture "$STFT_TMP/resolved.pcap" send_v6 1 2
snap n2
expect_out "then resolved: fast again" "decap+2 encap+2 fast_encap+2 fast_forward+2" diff_of n1 n2

# ---- the switch, and detach ---------------------------------------------------------------
printf '{"fast_path": false, "lan": ["lan0"]}\n' >"$STFT_TMP/slow.json"
must stf ar apply eth0 "$STFT_TMP/slow.json"
check "fast path off: the LAN program stays hooked" stf_grep ar "lan0 \\(XDP native" status eth0
snap o0
check "fast path off: ping A -> B" ping6 ah "$B6" 2
snap o1
expect_out "fast path off: no fast_encap" "decap+2 encap+2" diff_of o0 o1
must stf ar detach eth0
expect_out "detach removed lan0's program" none xdp_of ar lan0
expect_out "detach removed the tunnel" "" stf_links ar
must stf br detach eth0
finish
