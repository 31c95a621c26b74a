#!/bin/bash
# The decapsulator's fast path (--fast-path, bpf/lib/forward.h) on a 6to4 site router: the
# same crafted packets from site B to A's LAN host, captured on the LAN with the fast path off
# (the kernel forwards them) and on (XDP forwards them), must be byte for byte identical,
# Ethernet addresses included, with exact counters. What it cannot decide must go the slow
# way (Time Exceeded, Packet Too Big, the router's own address, no neighbour yet), and a
# netfilter FORWARD drop rule is bypassed by it, as documented.
#
#   ah (2002:c000:201:1::10) --lan0-- ar [eth0 192.0.2.1] -- inet -- br [198.51.100.1] -- bh
#   LAN MTU 1280; ah's eth0 has GRO on, which a veth needs to receive XDP-redirected frames
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require scapy
command -v tcpdump >/dev/null || die "tcpdump missing: apt-get install tcpdump"
command -v nft >/dev/null || die "nft missing: apt-get install nftables"

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6
# Packet Too Big needs a LAN smaller than the tunnel (1480).
nsx ar ip link set lan0 mtu 1280 && nsx ah ip link set eth0 mtu 1280 || die "LAN MTU"
# A veth receives XDP-redirected frames only with NAPI on its peer: XDP or GRO (README.md).
nsx ah ethtool -K eth0 gro on >/dev/null || die "gro on ah's eth0"

must stf ar attach eth0
must stf br attach eth0
expect_out "status -j: fast_path false by default" false \
	stf_json ar 'd["interfaces"][0]["fast_path"]' status eth0
check "status shows the switch" stf_grep ar "fast path" status eth0
check "warm up: ping B -> A (neighbours resolved on every hop)" ping6 bh "$A6" 2

# send_echo SEQ0 N [HLIM] [SIZE] [DST]: N crafted echo requests from bh, identical each run.
send_echo() {
	nsx bh "$PY" - "$B6" "${5:-$A6}" "$1" "$2" "${3:-64}" "${4:-100}" <<'EOF'
import sys
from scapy.all import IPv6, ICMPv6EchoRequest, send, conf
conf.verb = 0
src, dst, seq0, n, hlim, size = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
for s in range(seq0, seq0 + n):
    send(IPv6(src=src, dst=dst, hlim=hlim, fl=0x12345) /
         ICMPv6EchoRequest(id=0x5454, seq=s, data=bytes((s + i) & 0xff for i in range(size))))
EOF
}
# capture FILE cmd...: echo requests arriving on ah's eth0 while cmd runs.
capture() { capture_while ah eth0 'icmp6 and ip6[40] == 128' "$@"; }
# frames FILE: one line per captured frame: dst MAC, src MAC, the IPv6 packet in hex.
frames() {
	"$PY" - "$1" <<'EOF'
import sys
from scapy.all import rdpcap
for p in rdpcap(sys.argv[1]):
    b = bytes(p)
    print(b[0:6].hex(":"), b[6:12].hex(":"), b[14:].hex())
EOF
}
snap() { stats_snap ar eth0 "$STFT_TMP/$1" || die "stats -j failed"; }

# ---- the same packets, slow then fast --------------------------------------------------
snap s0
capture "$STFT_TMP/slow.pcap" send_echo 1 5
snap s1
expect_out "slow: ar decapsulated 5, forwarded by the kernel (replies encapsulated)" \
	"decap+5 encap+5" stats_diff "$STFT_TMP/s0" "$STFT_TMP/s1" eth0

printf '{"fast_path": true}\n' >"$STFT_TMP/fast.json"
must stf ar apply eth0 "$STFT_TMP/fast.json"
expect_out "status -j: fast_path true after apply (in place)" true \
	stf_json ar 'd["interfaces"][0]["fast_path"]' status eth0
snap f0
capture "$STFT_TMP/fast.pcap" send_echo 1 5
snap f1
expect_out "fast: decap+5 and fast_forward+5 (replies encapsulated)" \
	"decap+5 encap+5 fast_forward+5" stats_diff "$STFT_TMP/f0" "$STFT_TMP/f1" eth0
frames "$STFT_TMP/slow.pcap" >"$STFT_TMP/slow.txt"
frames "$STFT_TMP/fast.pcap" >"$STFT_TMP/fast.txt"
expect_out "slow path delivered the 5 frames on the LAN" 5 sh -c "wc -l <'$STFT_TMP/slow.txt'"
check "fast and slow path frames identical (MACs, every IPv6 byte incl. hop limit)" \
	cmp "$STFT_TMP/slow.txt" "$STFT_TMP/fast.txt"
WANT_MACS="$(mac_of ah eth0) $(mac_of ar lan0)"
expect_out "the frames go from ar's lan0 to ah's eth0" "$WANT_MACS" \
	sh -c "cut -d' ' -f1,2 '$STFT_TMP/fast.txt' | sort -u"
expect_out "hop limit 64 - 1 (br) - 1 (ar) = 62 on the LAN" 3e \
	sh -c "cut -d' ' -f3 '$STFT_TMP/fast.txt' | cut -c15-16 | sort -u"

# ---- what must go the slow way ----------------------------------------------------------
# sr1_from_bh HLIM SIZE DST: the ICMPv6 type of the first answer ("none" if none).
sr1_from_bh() {
	nsx bh "$PY" - "$B6" "$3" "$1" "$2" <<'EOF'
import sys
from scapy.all import IPv6, ICMPv6EchoRequest, sr1, conf
conf.verb = 0
r = sr1(IPv6(src=sys.argv[1], dst=sys.argv[2], hlim=int(sys.argv[3])) /
        ICMPv6EchoRequest(id=0x77, seq=1, data=b"x" * int(sys.argv[4])), timeout=3)
print("none" if r is None else "%d %s" % (r.payload.type, getattr(r.payload, "mtu", "")))
EOF
}
snap t0
expect_out "hop limit 1 at ar: Time Exceeded comes back (slow path)" "3 " sr1_from_bh 2 40 "$A6"
snap t1
expect_out "hop limit 1: decap+1, no fast_forward" "decap+1 encap+1" \
	stats_diff "$STFT_TMP/t0" "$STFT_TMP/t1" eth0
expect_out "1400 bytes onto a 1280-byte LAN: Packet Too Big (mtu 1280) comes back" "2 1280" \
	sr1_from_bh 64 1352 "$A6"
snap t2
expect_out "too big: decap+1, no fast_forward" "decap+1 encap+1" \
	stats_diff "$STFT_TMP/t1" "$STFT_TMP/t2" eth0
check "the router's own LAN address answers (local delivery)" ping6 bh "$SITE_a_RTR6" 3
snap t3
expect_out "local: decap+3, no fast_forward" "decap+3 encap+3" \
	stats_diff "$STFT_TMP/t2" "$STFT_TMP/t3" eth0
FRESH=${SITE_a_P6}:1::11
nsx ah ip -6 addr add "$FRESH/64" dev eth0 nodad || die "fresh address"
check "a fresh LAN address (no neighbour entry yet) is reached" ping6 bh "$FRESH" 1
snap t4
expect_out "no neighbour: the first packet went slow (decap+1, no fast_forward)" \
	"decap+1 encap+1" stats_diff "$STFT_TMP/t3" "$STFT_TMP/t4" eth0
check "the next packets to it are fast" ping6 bh "$FRESH" 2
snap t5
expect_out "then fast: decap+2 fast_forward+2" "decap+2 encap+2 fast_forward+2" \
	stats_diff "$STFT_TMP/t4" "$STFT_TMP/t5" eth0

# ---- netfilter's forward hook is bypassed (documented) ----------------------------------
nsx ar nft -f - <<EOF || die "nft rules"
table ip6 stft {
	chain forward { type filter hook forward priority 0; policy accept;
		ip6 daddr $A6 icmpv6 type echo-request counter drop; }
}
EOF
check "fast path on: a FORWARD drop rule does not stop the pings (bypassed)" ping6 bh "$A6" 2
printf '{"fast_path": false}\n' >"$STFT_TMP/slow.json"
must stf ar apply eth0 "$STFT_TMP/slow.json"
check "fast path off: the same rule drops them" ping6_lost bh "$A6" 2
nsx ar nft delete table ip6 stft || die "nft delete"
check "rule gone: pings pass again on the slow path" ping6 bh "$A6" 2

must stf ar detach eth0
must stf br detach eth0
finish
