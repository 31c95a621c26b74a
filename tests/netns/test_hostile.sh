#!/bin/bash
# (c) Hostile input: every malformed or martian 6to4 frame crafted by hostile.py (scapy,
# independent of stf-xdp's encapsulator) is dropped by the XDP decapsulator, is NOT delivered
# to the site host, and is counted under exactly its drop reason, by exactly the number sent.
# The positive controls (valid 6to4, relayed native source, RFC 6040 ECN combinations) must
# be delivered, with the right ECN field. Then: the encapsulation side (IPv6 from the host
# whose embedded IPv4 destination is a martian or our own: dropped by the tc program under
# its reason; valid ones leave with a correct outer header), a second local prefix (prefix
# add/del), and --permit-private (RFC 1918 outer sources accepted, martians still not).
#
#            decap cases: scapy sendp on inet's a0, towards ar's eth0 MAC
#                                                   |
#   +------+ eth0     lan0 +------+ eth0     a0 +------+
#   |  ah  |---------------|  ar  |-------------| inet |  (tcpdump on a0 for the outer
#   +------+               +------+             +------+   headers of encapsulated frames)
#   2002:c000:201:1::10    192.0.2.1/24         192.0.2.254/24
#   UDP listener :5555     stf-xdp attach eth0 (router mode, XDP on eth0)
#      |
#   encap cases: scapy sendp on ah's eth0, towards ar's lan0 MAC
#
# Synchronisation without sleeps: each decap round sends CASE x N and then one valid
# "barrier" frame on the same link; once the host has the barrier, every frame before it has
# been through the router, so the counters and the listener can be read exactly. Encap
# rounds poll the counter (bounded) until it has moved by N, then compare the whole diff.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require scapy

HOSTILE="$STFT_LIB_DIR/hostile.py"
N=3
PORT=5555

topo_internet
topo_site a 192.0.2.1
RMAC="$(mac_of ar eth0)"
RX="$STFT_TMP/rx.log"

bg ah "$STFT_TMP/listener.log" "$PY" "$HOSTILE" listen --port $PORT --out "$RX"
wait_port ah $PORT udp || die "UDP listener did not start: $(cat "$STFT_TMP/listener.log")"

# What the FIB cases of hostile.py need (its defaults): a second IPv4 address of the router
# that is not a V4ADDR, a prefix routed out of its LAN side, an unreachable prefix; and a
# native IPv6 address of the host behind the router for the relay cases.
must ip -n "$(ns ar)" addr add 203.0.113.200/32 dev lan0
must ip -n "$(ns ar)" route add 203.0.113.64/26 dev lan0
must ip -n "$(ns ar)" route add unreachable 203.0.113.32/28
addr ar lan0 2001:db8:99::1/64
addr ah eth0 2001:db8:99::10/64

must stf ar attach eth0
expect_out "status -j shows eth0 attached with exactly local 192.0.2.1" '["192.0.2.1"]' \
	stf_json ar '[l["address"] for l in d["interfaces"][0]["local"]]' status eth0


ROUND=0
SEND_EXTRA="" # more hostile.py send options for the next rounds
# run_case CASE COUNTER DELIVERED ECN [label]: one round, all its checks.
run_case() {
	local case="$1" counter="$2" delivered="$3" ecn="$4" label="${5:-}"
	ROUND=$((ROUND + 1))
	local tag="r$ROUND" before="$STFT_TMP/before.$ROUND" after="$STFT_TMP/after.$ROUND"
	stats_snap ar eth0 "$before" || {
		check "[$case$label] stats -j readable" false
		return
	}
	# shellcheck disable=SC2086
	if ! nsx inet "$PY" "$HOSTILE" send --iface a0 --dst-mac "$RMAC" --count $N \
		--tag "$tag" --barrier $SEND_EXTRA "$case" >"$STFT_TMP/send.$ROUND" 2>&1; then
		check "[$case$label] hostile.py send" sh -c "cat $STFT_TMP/send.$ROUND; false"
		return
	fi
	if ! wait_until 5 file_has "$RX" "stft:$tag:barrier:0 "; then
		check "[$case$label] barrier frame delivered (router still forwards valid 6to4)" false
		return
	fi
	stats_snap ar eth0 "$after" || {
		check "[$case$label] stats -j readable" false
		return
	}
	local want got
	if [ "$counter" = - ]; then
		want="$(expected_diff "decap+1")"
	else
		want="$(expected_diff "$counter+$N" "decap+1")"
	fi
	expect_out "[$case$label] counted: only ${counter/#-/no counter} moved, by $N (+1 barrier decap)" "$want" \
		stats_diff "$before" "$after" eth0

	if [ "$delivered" = yes ]; then
		expect_out "[$case$label] delivered to the host ($N of $N)" "$N" grep_count "^stft:$tag:$case:" "$RX"
		if [ "$ecn" != - ]; then
			expect_out "[$case$label] delivered with ECN field $ecn" "$N" \
				grep_count "^stft:$tag:$case:[0-9]+ ecn=$ecn " "$RX"
		fi
	else
		# The barrier in the same file proves the listener wrote it: 0 is a real count.
		expect_out "[$case$label] not delivered to the host" 0 grep_count "^stft:$tag:$case:" "$RX"
	fi
}

# run_enc_case CASE COUNTER: N plain IPv6 frames from the host to the router's lan0, which
# routes them into the tunnel device; the tc program must count each under COUNTER. The
# counter is polled (bounded) until it has moved by N, then the whole diff must be exact.
LMAC="$(mac_of ar lan0)"
run_enc_case() {
	local case="$1" counter="$2"
	ROUND=$((ROUND + 1))
	local before="$STFT_TMP/before.$ROUND" after="$STFT_TMP/after.$ROUND"
	stats_snap ar eth0 "$before" || {
		check "[$case] stats -j readable" false
		return
	}
	if ! nsx ah "$PY" "$HOSTILE" send --iface eth0 --dst-mac "$LMAC" --count $N \
		--tag "r$ROUND" "$case" >"$STFT_TMP/send.$ROUND" 2>&1; then
		check "[$case] hostile.py send" sh -c "cat $STFT_TMP/send.$ROUND; false"
		return
	fi
	moved() {
		stats_snap ar eth0 "$after" &&
			[ "$(counter_delta "$before" "$after" eth0 "$counter")" -ge $N ]
	}
	wait_until 5 moved
	stats_snap ar eth0 "$after" || {
		check "[$case] stats -j readable" false
		return
	}
	expect_out "[$case] encap side: only $counter moved, by $N" \
		"$counter+$N" stats_diff "$before" "$after" eth0
}

CASES="$STFT_TMP/cases"
"$PY" "$HOSTILE" list >"$CASES" || die "hostile.py list failed"
[ "$(grep -vc '^enc_' "$CASES")" -ge 30 ] || die "hostile.py list returned too few decap cases"
[ "$(grep -c '^enc_' "$CASES")" -ge 10 ] || die "hostile.py list returned too few encap cases"

log "router mode, default options: every decapsulation case (injected from inet)"
while read -r case counter delivered ecn; do
	run_case "$case" "$counter" "$delivered" "$ecn"
done < <(grep -Ev '^(enc|relay|loop)_' "$CASES")

log "encapsulation side: martian or own embedded IPv4 destinations (sent from the site host)"
# The outer headers of the valid ones (enc_valid, enc_dscp_ect0: the first two enc cases, the
# only ones that may leave) as they arrive on inet's side of the link.
bg inet "$STFT_TMP/enc.td" tcpdump -vv -n -c $((2 * N)) -i a0 'ip proto 41 and src host 192.0.2.1'
TD=$BG_PID
wait_until 10 file_has "$STFT_TMP/enc.td" "listening on" || die "tcpdump did not start"
while read -r case counter _; do
	run_enc_case "$case" "$counter"
done < <(grep '^enc_' "$CASES")
bg_wait "$TD" 5 || bg_stop "$TD"
hdr="$(grep -m1 'proto IPv6 (41)' "$STFT_TMP/enc.td")"
check "outer header of enc_valid: TOS 0, TTL 64, DF clear, protocol 41 ($hdr)" \
	grep -qE '^[0-9:.]+ IP \(tos 0x0, ttl 64, id [0-9]+, offset 0, flags \[none\], proto IPv6 \(41\)' <<<"$hdr"
expect_out "tcpdump decoded all $((2 * N)) outer headers of the valid cases" $((2 * N)) \
	grep_count '^[0-9:.]+ IP \(tos .*proto IPv6 \(41\)' "$STFT_TMP/enc.td"
# tcpdump -vv verifies the IPv4 header checksum of every one of them and flags a bad one.
expect_out "outer header checksums verified by tcpdump (no 'bad cksum')" 0 grep_count 'bad cksum' "$STFT_TMP/enc.td"
expect_out "enc_dscp_ect0: DSCP EF + ECT(0) copied to the outer TOS (0xba), $N packets" "$N" \
	grep_count '^[0-9:.]+ IP \(tos 0xba,' "$STFT_TMP/enc.td"
check "the inner UDP datagram is intact inside (2002:c000:201:1::10 > 2002:c633:6401::1 UDP)" \
	grep -q '2002:c000:201:1::10\.[0-9]* > 2002:c633:6401::1\.5555: .*UDP' "$STFT_TMP/enc.td"

log "a second local prefix (prefix add 203.0.113.77): decapsulated for it, and not after del"
addr ah eth0 2002:cb00:714d:1::10/64
addr ar lan0 2002:cb00:714d:1::1/64
check "prefix add eth0 203.0.113.77" stf ar prefix add eth0 203.0.113.77
SEND_EXTRA="--outer-dst 203.0.113.77 --inner-dst 2002:cb00:714d:1::10 --barrier-outer-dst 192.0.2.1 --barrier-inner-dst 2002:c000:201:1::10"
run_case valid decap yes 0 " 2nd prefix"
run_case idst_other_site inner_dst_mismatch no - " 2nd prefix"
run_case isrc_spoofed_6to4 inner_src_spoofed no - " 2nd prefix"
check "prefix del eth0 203.0.113.77" stf ar prefix del eth0 203.0.113.77
run_case valid - no - " prefix deleted"
SEND_EXTRA=""

log "loop guard: a relay whose ::/0 leads into its own tunnel (--relay another relay)"
# Native to native through a relay needs an exception (a translator); only then can a packet
# re-enter the tunnel and be sent on, which the guard stops.
must stf ar detach eth0
must stf ar attach eth0 --mode relay --relay 203.0.113.150
must stf ar filter add eth0 exception 198.51.100.1/32
run_case loop_native_dst inner_dst_loop no - " loop guard"
must stf ar detach eth0
must stf ar attach eth0 --mode relay --relay 203.0.113.150 --loop-guard off
must stf ar filter add eth0 exception 198.51.100.1/32
expect_out "status -j says loop_guard false" false stf_json ar 'd["interfaces"][0]["loop_guard"]' status eth0
stats_snap ar eth0 "$STFT_TMP/l0" || die "stats -j failed"
must nsx inet "$PY" "$HOSTILE" send --iface a0 --dst-mac "$RMAC" --count $N --tag loopoff --barrier loop_native_dst
wait_until 5 file_has "$RX" "stft:loopoff:barrier:0 " || die "barrier not delivered"
stats_snap ar eth0 "$STFT_TMP/l1" || die "stats -j failed"
expect_out "loop guard off: decapsulated, then encapsulated again towards 203.0.113.150" \
	"decap+$((N + 1)) encap+$N" stats_diff "$STFT_TMP/l0" "$STFT_TMP/l1" eth0
must stf ar detach eth0
must stf ar attach eth0

log "strict relay list and exception list (filter relay / filter exception)"
check "filter add eth0 relay 203.0.113.1/32 (the only relay allowed)" stf ar filter add eth0 relay 203.0.113.1/32
run_case valid_native_src outer_src_not_relay no - " strict relays"
run_case valid decap yes 0 " strict relays (6to4 sources unaffected)"
check "filter add eth0 exception 198.51.100.1/32 (a translator)" stf ar filter add eth0 exception 198.51.100.1/32
run_case valid_native_src decap yes 0 " exception"
run_case isrc_spoofed_6to4 decap yes - " exception (mismatched 6to4 source accepted)"
run_case idst_other_site inner_dst_mismatch no - " exception (destination still checked)"
check "filter del both" sh -c "ip netns exec $(ns ar) $STF_XDP filter del eth0 exception 198.51.100.1/32 &&
	ip netns exec $(ns ar) $STF_XDP filter del eth0 relay 203.0.113.1/32"
run_case isrc_spoofed_6to4 inner_src_spoofed no - " lists emptied"

log "ingress filter off: sources routed elsewhere are accepted, the router's own still not"
must stf ar detach eth0
must stf ar attach eth0 --ingress-filter off
expect_out "status -j says ingress_filter false" false stf_json ar 'd["interfaces"][0]["ingress_filter"]' status eth0
run_case osrc_wrong_iface decap yes 0 " ingress off"
run_case osrc_unreachable decap yes 0 " ingress off"
run_case osrc_own_v4addr outer_src_local no - " ingress off"
run_case osrc_host_secondary outer_src_local no - " ingress off"

log "relay mode: 6to4 into native IPv6 is decapsulated, native into native is not"
must stf ar detach eth0
must stf ar attach eth0 --mode relay
[ "$(grep -c '^relay_' "$CASES")" -ge 2 ] || die "hostile.py list returned too few relay cases"
while read -r case counter delivered ecn; do
	run_case "$case" "$counter" "$delivered" "$ecn" " relay"
done < <(grep '^relay_' "$CASES")

log "re-attach with --permit-private: RFC 1918 outer sources are accepted, martians still not"
must stf ar detach eth0
must stf ar attach eth0 --permit-private
expect_out "status -j after --permit-private attach says permit_private" true \
	stf_json ar 'd["interfaces"][0]["permit_private"]' status eth0
for case in osrc_10.1.2.3 osrc_172.16.5.5 osrc_192.168.1.1; do
	run_case "$case" decap yes 0 " permit-private"
done
run_case osrc_127.0.0.1 outer_src_loopback no - " permit-private"
run_case osrc_subnet_bcast outer_src_subnet_broadcast no - " permit-private"
run_case valid decap yes 0 " permit-private"

must stf ar detach eth0
finish
