#!/bin/bash
# (d) MTU: the tunnel costs 20 bytes. With link MTU 1500 the tunnel MTU is 1480, and an inner
# packet that does not fit gets an ICMPv6 Packet Too Big with mtu 1480 (never a silent drop).
#
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+  MTU 1500   +------+ MTU 1500  +------+  MTU 1500 +------+  MTU 1500   +------+
#   2002:c000:201:1::10  tunnel MTU 1480                 tunnel MTU 1480  2002:c633:6401:1::10
#
#   +------+ eth0   lan0 +------+ eth0   c0 +------+
#   |  ch  |-------------|  cr  |-----------| inet |     site C: link MTU 1400 -> tunnel 1380
#   +------+             +------+ MTU 1400  +------+     (203.0.113.1, 2002:cb00:7101::/48)
#
# ping sizes: -s is the ICMPv6 payload; the IPv6 packet is s + 8 + 40 bytes. -s 1432 -> 1480
# bytes (fits the tunnel exactly); -s 1433 .. 1452 -> 1481 .. 1500 bytes: fits the host's own
# link (1500) but not the tunnel, so the router answers Packet Too Big mtu=1480. (-s 1453 is
# 1501 bytes: the sending host itself refuses it, "message too long, mtu: 1500", which says
# nothing about the tunnel, so it is not used.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require nc

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
topo_site c 203.0.113.1 1400
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6
C6=$SITE_c_HOST6

must stf ar attach eth0
must stf br attach eth0
must stf cr attach eth0

tun_of() { echo "stf$(ip -n "$(ns "$1")" -j link show eth0 | json_get 'd[0]["ifindex"]')"; }
mtu_of() { ip -n "$(ns "$1")" -j link show "$2" | json_get 'd[0]["mtu"]'; }
TA="$(tun_of ar)" && TC="$(tun_of cr)" || die "cannot read eth0's ifindex"
expect_out "ar: tunnel device $TA MTU = 1500 - 20" 1480 mtu_of ar "$TA"
expect_out "cr: tunnel device $TC MTU = 1400 - 20" 1380 mtu_of cr "$TC"
expect_out "ar: status -j reports the tunnel MTU 1480" 1480 stf_json ar 'd["interfaces"][0]["tunnel"]["mtu"]' status eth0
check "ar: status (human form) reports the tunnel MTU 1480" stf_grep ar "^ +tunnel +$TA \\(ifindex [0-9]+\\) mtu 1480( |\$)" status eth0

# ping6_big NS DST SIZE: one ping with DF-like behaviour (IPv6 never fragments in flight).
ping6_big() { nsx "$1" ping -6 -n -c 1 -W 3 -M "do" -s "$3" "$2" 2>&1; }

# ptb_ok NS DST SIZE MTU: the ping fails and reports Packet Too Big / mtu MTU.
ptb_ok() {
	local out
	out="$(ping6_big "$@")"
	echo "$out"
	if echo "$out" | grep -q ' 0% packet loss'; then
		echo "(the oversized ping was answered: no Packet Too Big)"
		return 1
	fi
	echo "$out" | grep -Eqi "(packet too big: mtu=|message too long, mtu: )$4\\b" || {
		echo "(no 'Packet too big' with mtu $4 in ping's output)"
		return 1
	}
}
# ptb_from NS DST SIZE MTU ROUTER: the ICMPv6 Packet Too Big itself, sent by ROUTER (the
# first oversized packet to a destination, before the host has a path MTU for it).
ptb_from() {
	local out
	out="$(ping6_big "$1" "$2" "$3")"
	echo "$out"
	echo "$out" | grep -Eqi "from $5 .*packet too big: mtu=$4\\b" || {
		echo "(no 'From $5 ... Packet too big: mtu=$4' in ping's output)"
		return 1
	}
}
# route_mtu NS DST: the path MTU the host has learned for DST (from the cached route).
route_mtu() { nsx "$1" ip -6 route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'; }

log "A -> B, tunnel MTU 1480"
check "ping -s 1432 (1480-byte packet) A -> B succeeds" ping6_big ah "$B6" 1432
stats_snap ar eth0 "$STFT_TMP/a0" || die "stats -j failed"
check "ping -s 1452 (1500 bytes) A -> B: 'Packet too big: mtu=1480' from router A" \
	ptb_from ah "$B6" 1452 1480 "$SITE_a_RTR6"
expect_out "ah learned path MTU 1480 towards B" 1480 route_mtu ah "$B6"
check "ping -s 1433 (1481 bytes) A -> B: too big, mtu 1480 (now known locally)" ptb_ok ah "$B6" 1433 1480
check "ping -s 1432 still succeeds after the PTB" ping6_big ah "$B6" 1432
stats_snap ar eth0 "$STFT_TMP/a1" || die "stats -j failed"
expect_out "ar: the oversized packet never reached the encapsulator (no drop, 1 encap/decap)" \
	"decap+1 encap+1" stats_diff "$STFT_TMP/a0" "$STFT_TMP/a1" eth0
log "B -> A, and the far router's reply direction"
check "ping -s 1452 B -> A: 'Packet too big: mtu=1480' from router B" \
	ptb_from bh "$A6" 1452 1480 "$SITE_b_RTR6"
check "ping -s 1432 B -> A succeeds" ping6_big bh "$A6" 1432
check "ping -s 1432 A -> B's router (decap then local delivery)" ping6_big ah "$SITE_b_RTR6" 1432

log "site C: link MTU 1400, tunnel MTU 1380"
check "ping -s 1332 (1380 bytes) C -> A succeeds" ping6_big ch "$A6" 1332
check "ping -s 1333 (1381 bytes) C -> A: 'Packet too big: mtu=1380' from router C" \
	ptb_from ch "$A6" 1333 1380 "$SITE_c_RTR6"
# A -> C with 1480 bytes fits ar's tunnel, so ar sends a 1500-byte IPv4 packet (DF clear,
# RFC 3056 4) that inet must fragment for C's 1400 link. XDP hands outer fragments to the
# kernel (pass_fragment): count them. Whether the ping is then answered depends on the
# kernel having a protocol-41 handler after reassembly (no sit module here): only logged.
stats_snap cr eth0 "$STFT_TMP/c0" || die "stats -j failed"
if ping6_big ah "$C6" 1432 >/dev/null; then r=answered; else r="not answered"; fi
stats_snap cr eth0 "$STFT_TMP/c1" || die "stats -j failed"
log "1480-byte ping A -> C over the 1400 link: $r"
expect_out "cr: the two outer fragments were handed to the kernel (pass_fragment+2)" 2 \
	counter_delta "$STFT_TMP/c0" "$STFT_TMP/c1" eth0 pass_fragment

log "TCP across the tunnel adapts to 1480 (PMTU discovery works end to end)"
check "TCP 1 MiB A -> B, sha256 equal" tcp_transfer ah bh "$B6" 5001 1024
check "TCP 1 MiB C -> B, sha256 equal" tcp_transfer ch bh "$B6" 5002 1024

log "link MTU lowered after attach (tunnel MTU now stale): what no longer fits is counted"
# The host's TCP sends GSO packets (TSO on its veth) that ar forwards into the tunnel whole:
# each segment is 1480 bytes, 1500 once encapsulated, over ar's 1400-byte link. Without
# BPF_MTU_CHK_SEGS, bpf_check_mtu waves every GSO packet through whatever its segments.
tso_of() { nsx "$1" ethtool -k "$2" | sed -n 's/^tcp-segmentation-offload: \([a-z]*\).*/\1/p'; }
expect_out "ah sends with TSO (so the tunnel sees GSO packets)" on tso_of ah eth0
must ip -n "$(ns ar)" link set eth0 mtu 1400
stats_snap ar eth0 "$STFT_TMP/m0" || die "stats -j failed"
head -c 262144 /dev/urandom >"$STFT_TMP/big"
bg bh "$STFT_TMP/sink.log" sh -c "exec nc -6 -n -l 5003 >/dev/null"
wait_port bh 5003 || die "listener on bh did not come up"
nsx ah timeout 5 nc -6 -n -N -w 3 "$B6" 5003 <"$STFT_TMP/big" >/dev/null 2>&1
stats_snap ar eth0 "$STFT_TMP/m1" || die "stats -j failed"
TOO_BIG="$(counter_delta "$STFT_TMP/m0" "$STFT_TMP/m1" eth0 encap_too_big)" || die "counter"
check "ar counted GSO packets whose segments no longer fit as encap_too_big ($TOO_BIG)" \
	test "$TOO_BIG" -gt 0
# moved_besides BEFORE AFTER: counters that moved other than encap, encap_too_big, decap.
moved_besides() {
	local d
	d="$(stats_diff "$1" "$2" eth0)" || return 1
	printf '%s\n' "$d" | tr ' ' '\n' | { grep -Ev '^(encap|encap_too_big|decap)[+]|^$' || true; } | paste -sd' '
}
expect_out "ar: no other counter moved (decap counts the ACKs coming back)" "" \
	moved_besides "$STFT_TMP/m0" "$STFT_TMP/m1"
must stf ar detach eth0
must stf ar attach eth0
expect_out "re-attached: the tunnel follows the link (1400 - 20)" 1380 mtu_of ar "$TA"
check "TCP 256 KiB A -> B works again at the new MTU, sha256 equal" tcp_transfer ah bh "$B6" 5004 256

must stf ar detach eth0
must stf br detach eth0
must stf cr detach eth0
finish
