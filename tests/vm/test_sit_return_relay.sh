#!/bin/bash
# Interop (2): a 6to4 client behind the kernel's sit reaches a native-IPv6 server through a
# sit relay; the server runs stf-xdp as a return relay, so its replies go straight to the
# client's IPv4 address, and the client's sit accepts them. Ping and 1 MiB TCP both ways
# (sha256). Runs in the 6.1 VM.
#
#   +------+ eth0 lan0 +------+ eth0  a0 +------+ rl0  eth0 +-------+ native0
#   |  ah  |-----------|  ar  |----------| inet |-----------| relay |-----------+
#   +------+           +------+          +------+           +-------+           |
#   2002:c000:201:1::10  sit 6to4           | sv0       sit 6to4, forwarding     |
#                        ::/0 via           |           203.0.113.1/26  2001:db8:1::1/64
#                        ::203.0.113.1      |                                   |
#                                      eth0 | 203.0.113.65/26                   |
#                                      +--------+ eth1 2001:db8:1::10/64        |
#                                      | server |-------------------------------+
#                                      +--------+ stf-xdp --mode return-relay on eth0
#
#   request: ah -> ar (sit, to the relay) -> relay (sit decap) -> native0 -> server
#   reply:   server (stf-xdp encap to 192.0.2.1) -> inet -> ar (sit decap) -> ah
. "$(dirname "$0")/lib_vm.sh"
stft_require nc
stft_require_sit

topo_internet
topo_site a 192.0.2.1
topo_relay
topo_server
sit_6to4 ar 192.0.2.1
sit_via_relay ar "$RELAY_V4"
sit_6to4 relay "$RELAY_V4"
A6=$SITE_a_HOST6

R0="$(sit_counters relay)" || die "sit counters"
check "baseline, no return relay: ping sit client -> server via the sit relay (3)" ping6 ah "$SERVER6" 3
R1="$(sit_counters relay)" || die "sit counters"
expect_out "the sit relay carried the 3 requests and the 3 replies" "rx+3 tx+3 rx_errors+0 tx_errors+0" \
	sit_delta "$R0" "$R1"

must stf server attach eth0 --mode return-relay --local "$SERVER_V4"
stats_snap server eth0 "$STFT_TMP/s0" || die "stats -j failed"
A0="$(sit_counters ar)" || die "sit counters"
check "ping sit client -> server (5)" ping6 ah "$SERVER6" 5
R2="$(sit_counters relay)" && A1="$(sit_counters ar)" || die "sit counters"
stats_snap server eth0 "$STFT_TMP/s1" || die "stats -j failed"
expect_out "the relay carried the requests only: the replies did not cross it" \
	"rx+5 tx+0 rx_errors+0 tx_errors+0" sit_delta "$R1" "$R2"
expect_out "the server's stf-xdp encapsulated the 5 replies, dropped nothing" "encap+5" \
	stats_diff "$STFT_TMP/s0" "$STFT_TMP/s1" eth0
expect_out "the client's sit received the 5 replies straight from the server" \
	"rx+5 tx+5 rx_errors+0 tx_errors+0" sit_delta "$A0" "$A1"
check "ping server -> sit client (3): out through stf-xdp, back through the relay" ping6 server "$A6" 3
check "TCP 1 MiB sit client -> server, sha256 equal" tcp_transfer ah server "$SERVER6" 5201 1024
check "TCP 1 MiB server -> sit client, sha256 equal" tcp_transfer server ah "$A6" 5202 1024
check "TCP 1 MiB fetched by the sit client from the server, sha256 equal" tcp_fetch ah server "$SERVER6" 5203 1024
stats_snap server eth0 "$STFT_TMP/s2" || die "stats -j failed"
A2="$(sit_counters ar)" || die "sit counters"
expect_out "the server's stf-xdp: no drop counter moved" "" changed_besides_traffic "$STFT_TMP/s1" "$STFT_TMP/s2" eth0
expect_out "the client's sit: no receive or transmit error" "0 0" eval 'set -- $A2; echo "$3 $4"'
must stf server detach eth0
finish
