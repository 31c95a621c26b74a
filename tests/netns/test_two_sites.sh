#!/bin/bash
# (a) Two 6to4 sites talk through stf-xdp in both directions: ping and 1 MiB TCP transfers
# (sha256 compared), and each router's counters show exactly the tunnelled pings.
#
#   site A                                                            site B
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#   2002:c000:201:1::10  192.0.2.1/24  IPv4 routing only  198.51.100.1/24  2002:c633:6401:1::10
#                        stf-xdp attach eth0               stf-xdp attach eth0
#                        (router: decap 2002:c000:201::/48, encap 2002::/16)
#
# Outer packets A<->B are IPv4 protocol 41 between 192.0.2.1 and 198.51.100.1; inet knows
# nothing about IPv6.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require nc

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6

check "IPv4 internet works (ar -> br)" ping4 ar 198.51.100.1 2
check "without stf-xdp, IPv6 A -> B does not get through (2 sent, 0 answered)" ping6_lost ah "$B6" 2

must stf ar attach eth0
must stf br attach eth0
tun_of() { echo "stf$(ip -n "$(ns "$1")" -j link show eth0 | json_get 'd[0]["ifindex"]')"; }
TA="$(tun_of ar)" && TB="$(tun_of br)" || die "cannot read eth0's ifindex"
expect_out "ar: 2002::/16 routed into stf-xdp's tunnel device $TA" "dev $TA mtu 1480 metric 1024" routes6 ar 2002::/16
expect_out "br: 2002::/16 routed into stf-xdp's tunnel device $TB" "dev $TB mtu 1480 metric 1024" routes6 br 2002::/16
XDP_ID="$(stf_json ar 'd["interfaces"][0]["xdp"]["prog_id"]' status eth0)" || die "status -j failed"
expect_out "ar: eth0 carries stf-xdp's own XDP program (native, id $XDP_ID)" "native $XDP_ID" xdp_of ar eth0

# First contact (neighbour resolution on every hop) must work too, so no warm-up ping.
stats_snap ar eth0 "$STFT_TMP/a0" && stats_snap br eth0 "$STFT_TMP/b0" || die "stats -j failed"
check "ping A -> B (5 packets)" ping6 ah "$B6" 5
stats_snap ar eth0 "$STFT_TMP/a1" && stats_snap br eth0 "$STFT_TMP/b1" || die "stats -j failed"
expect_out "ar counted 5 requests encapsulated, 5 replies decapsulated, no drop" \
	"decap+5 encap+5" stats_diff "$STFT_TMP/a0" "$STFT_TMP/a1" eth0
expect_out "br counted 5 requests decapsulated, 5 replies encapsulated, no drop" \
	"decap+5 encap+5" stats_diff "$STFT_TMP/b0" "$STFT_TMP/b1" eth0

check "ping B -> A (5 packets)" ping6 bh "$A6" 5
stats_snap ar eth0 "$STFT_TMP/a2" && stats_snap br eth0 "$STFT_TMP/b2" || die "stats -j failed"
expect_out "ar: B's pings counted (decap+5 encap+5)" \
	"decap+5 encap+5" stats_diff "$STFT_TMP/a1" "$STFT_TMP/a2" eth0
expect_out "br: B's pings counted (decap+5 encap+5)" \
	"decap+5 encap+5" stats_diff "$STFT_TMP/b1" "$STFT_TMP/b2" eth0

check "router to router: ar (lan0 address) pings bh" ping6 ar "$B6" 2
check "TCP 1 MiB A -> B, sha256 equal" tcp_transfer ah bh "$B6" 5001 1024
check "TCP 1 MiB B -> A, sha256 equal" tcp_transfer bh ah "$A6" 5002 1024
check "TCP 1 MiB fetched by A from B, sha256 equal" tcp_fetch ah bh "$B6" 5003 1024

stats_snap ar eth0 "$STFT_TMP/a3" && stats_snap br eth0 "$STFT_TMP/b3" || die "stats -j failed"
# Packets (GSO skbs count once on encap) and bytes per direction: ar sent 1 MiB (A -> B) and
# received 2 MiB (B -> A, the fetch), br the other way round.
bytes_delta() { # bytes_delta R COUNTER
	"$PY" -c 'import json,sys
f = lambda p: [i for i in json.load(open(p))["interfaces"] if i["ifname"] == "eth0"][0][sys.argv[3]]["bytes"]
print(f(sys.argv[2]) - f(sys.argv[1]))' "$STFT_TMP/${1}2" "$STFT_TMP/${1}3" "$2"
}
MIB=1048576
for spec in "a decap 2" "a encap 1" "b decap 1" "b encap 2"; do
	set -- $spec
	d="$(counter_delta "$STFT_TMP/${1}2" "$STFT_TMP/${1}3" eth0 "$2")"
	by="$(bytes_delta "$1" "$2")"
	check "${1}r: $2 counted the TCP transfers ($d packets, $by bytes >= $3 MiB)" \
		test "${d:-0}" -gt 0 -a "${by:-0}" -ge $(($3 * MIB))
done
# changed_besides_traffic BEFORE AFTER: every counter that moved other than decap/encap.
changed_besides_traffic() {
	local d
	d="$(stats_diff "$1" "$2" eth0)" || return 1
	printf '%s\n' "$d" | tr ' ' '\n' | { grep -Ev '^(decap|encap)[+]|^$' || true; } | paste -sd' '
}
for r in a b; do
	expect_out "${r}r: no drop counter moved during all the traffic" "" \
		changed_besides_traffic "$STFT_TMP/${r}0" "$STFT_TMP/${r}3"
done
# The human form shows the same numbers as -j (read back-to-back: nothing flows now).
human_decap() { stf ar stats eth0 | sed -n 's/^ *decap  *\([0-9]*\) packets, \([0-9]*\) bytes$/\1 \2/p'; }
WANT="$(stf_json ar '"%d %d" % (d["interfaces"][0]["decap"]["packets"], d["interfaces"][0]["decap"]["bytes"])' stats eth0)" ||
	die "stats -j failed"
expect_out "ar: human-readable stats show decap = $WANT (packets, bytes), as -j does" "$WANT" human_decap
must stf ar detach eth0
must stf br detach eth0
check "after detach, IPv6 A -> B is gone again (2 sent, 0 answered)" ping6_lost ah "$B6" 2

log "the same with generic (skb) XDP on both routers"
must stf ar attach eth0 --xdp-mode generic
must stf br attach eth0 --xdp-mode generic
XDP_ID="$(stf_json ar 'd["interfaces"][0]["xdp"]["prog_id"]' status eth0)" || die "status -j failed"
expect_out "ar: eth0 carries stf-xdp's XDP program in generic mode (id $XDP_ID)" "generic $XDP_ID" xdp_of ar eth0
expect_out "status -j says xdp mode generic" generic stf_json ar 'd["interfaces"][0]["xdp"]["mode"]' status eth0
stats_snap ar eth0 "$STFT_TMP/g0" && stats_snap br eth0 "$STFT_TMP/h0" || die "stats -j failed"
check "generic: ping A -> B (3)" ping6 ah "$B6" 3
check "generic: ping B -> A (3)" ping6 bh "$A6" 3
stats_snap ar eth0 "$STFT_TMP/g1" && stats_snap br eth0 "$STFT_TMP/h1" || die "stats -j failed"
expect_out "generic: ar counted decap+6 encap+6" "decap+6 encap+6" stats_diff "$STFT_TMP/g0" "$STFT_TMP/g1" eth0
expect_out "generic: br counted decap+6 encap+6" "decap+6 encap+6" stats_diff "$STFT_TMP/h0" "$STFT_TMP/h1" eth0
check "generic: TCP 1 MiB A -> B, sha256 equal" tcp_transfer ah bh "$B6" 5004 1024
check "generic: TCP 1 MiB B -> A, sha256 equal" tcp_transfer bh ah "$A6" 5005 1024
must stf ar detach eth0
must stf br detach eth0
expect_out "generic: detach removed the generic XDP program" none xdp_of ar eth0
finish
