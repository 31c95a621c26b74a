#!/bin/bash
# Interop (3): stf-xdp is the relay between a 6to4 site behind the kernel's sit and native
# IPv6. Ping and 1 MiB TCP both ways (sha256). Runs in the 6.1 VM.
#
#   +------+ eth0 lan0 +------+ eth0  a0 +------+ rl0  eth0 +-------+ native0
#   |  ah  |-----------|  ar  |----------| inet |-----------| relay |-----------+
#   +------+           +------+          +------+           +-------+           |
#   2002:c000:201:1::10  sit 6to4           | sv0       stf-xdp --mode relay     |
#                        ::/0 via           |           203.0.113.1/26  2001:db8:1::1/64
#                        ::203.0.113.1      |                                   |
#                                      eth0 | (IPv4 only used by nothing here)  |
#                                      +--------+ eth1 2001:db8:1::10/64        |
#                                      | server |-------------------------------+
#                                      +--------+ ::/0 via the relay, no 6to4 of its own
. "$(dirname "$0")/lib_vm.sh"
stft_require nc
stft_require_sit

topo_internet
topo_site a 192.0.2.1
topo_relay
topo_server
sit_6to4 ar 192.0.2.1
sit_via_relay ar "$RELAY_V4"
A6=$SITE_a_HOST6

must stf relay attach eth0 --mode relay
stats_snap relay eth0 "$STFT_TMP/r0" || die "stats -j failed"
A0="$(sit_counters ar)" || die "sit counters"
check "ping sit site -> native server through the stf-xdp relay (5)" ping6 ah "$SERVER6" 5
check "ping native server -> sit site through the stf-xdp relay (5)" ping6 server "$A6" 5
stats_snap relay eth0 "$STFT_TMP/r1" || die "stats -j failed"
A1="$(sit_counters ar)" || die "sit counters"
expect_out "the relay decapsulated 10 and encapsulated 10, dropped nothing" "decap+10 encap+10" \
	stats_diff "$STFT_TMP/r0" "$STFT_TMP/r1" eth0
expect_out "the site's sit sent 10 and received 10" "rx+10 tx+10 rx_errors+0 tx_errors+0" \
	sit_delta "$A0" "$A1"
check "ping sit router (its tun6to4 address) -> server (2)" ping6 ar "$SERVER6" 2
check "TCP 1 MiB sit site -> server, sha256 equal" tcp_transfer ah server "$SERVER6" 5301 1024
check "TCP 1 MiB server -> sit site, sha256 equal" tcp_transfer server ah "$A6" 5302 1024
check "TCP 1 MiB fetched by the sit site from the server, sha256 equal" tcp_fetch ah server "$SERVER6" 5303 1024
stats_snap relay eth0 "$STFT_TMP/r2" || die "stats -j failed"
expect_out "the relay: no drop counter moved" "" changed_besides_traffic "$STFT_TMP/r1" "$STFT_TMP/r2" eth0
must stf relay detach eth0
finish
