#!/bin/bash
# Interop (1): a 6to4 site behind stf-xdp and a 6to4 site behind the Linux kernel's sit
# (ip tunnel ... mode sit remote any) talk in both directions: ping, and 1 MiB TCP transfers
# each way checked by sha256. Runs in the 6.1 VM (the kernel's sit is needed).
#
#   site A (stf-xdp)                                                   site B (sit)
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#   2002:c000:201:1::10  192.0.2.1/24  IPv4 routing only  198.51.100.1/24  2002:c633:6401:1::10
#                        stf-xdp attach eth0               tun6to4: sit remote any
#                                                          local 198.51.100.1, 2002::/16 in it
#                                                          2002:c633:6401::1/16 on it
. "$(dirname "$0")/lib_vm.sh"
stft_require nc
stft_require_sit

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6

must stf ar attach eth0
sit_6to4 br 198.51.100.1

stats_snap ar eth0 "$STFT_TMP/a0" || die "stats -j failed"
S0="$(sit_counters br)" || die "sit counters"
check "ping stf-xdp site -> sit site (5 packets)" ping6 ah "$B6" 5
check "ping sit site -> stf-xdp site (5 packets)" ping6 bh "$A6" 5
stats_snap ar eth0 "$STFT_TMP/a1" || die "stats -j failed"
S1="$(sit_counters br)" || die "sit counters"
expect_out "stf-xdp counted 10 encapsulated and 10 decapsulated, no drop" \
	"decap+10 encap+10" stats_diff "$STFT_TMP/a0" "$STFT_TMP/a1" eth0
expect_out "sit counted 10 received and 10 sent, no error" "rx+10 tx+10 rx_errors+0 tx_errors+0" \
	sit_delta "$S0" "$S1"

check "routers: ar pings the sit router's LAN address" ping6 ar "$SITE_b_RTR6" 2
check "routers: br pings the stf-xdp router's LAN address" ping6 br "$SITE_a_RTR6" 2
# sit also puts the IPv4-compatible ::198.51.100.1/96 on a "remote any" tunnel; a packet
# from it is not 6to4 (RFC 3056 wants 2002:V4ADDR:: as the inner source, RFC 4291 deprecates
# IPv4-compatible addresses), and stf-xdp drops it under its own reason.
stats_snap ar eth0 "$STFT_TMP/c0" || die "stats -j failed"
ping_from_v4compat() {
	local out
	out="$(nsx br ping -6 -n -c 2 -i 0.2 -W 1 -I ::198.51.100.1 "$SITE_a_RTR6" 2>&1)"
	printf '%s\n' "$out"
	ping_summary_is "$out" 2 0
}
check "sit's ::198.51.100.1 as source is not answered (stf-xdp drops it)" ping_from_v4compat
stats_snap ar eth0 "$STFT_TMP/c1" || die "stats -j failed"
expect_out "stf-xdp counted those 2 as inner_src_reserved" "inner_src_reserved+2" \
	stats_diff "$STFT_TMP/c0" "$STFT_TMP/c1" eth0

check "TCP 1 MiB stf-xdp site -> sit site, sha256 equal" tcp_transfer ah bh "$B6" 5101 1024
check "TCP 1 MiB sit site -> stf-xdp site, sha256 equal" tcp_transfer bh ah "$A6" 5102 1024
check "TCP 1 MiB fetched by the stf-xdp site from the sit site, sha256 equal" tcp_fetch ah bh "$B6" 5103 1024

stats_snap ar eth0 "$STFT_TMP/a2" || die "stats -j failed"
expect_out "stf-xdp: no drop counter moved during the traffic" "" \
	changed_besides_traffic "$STFT_TMP/c1" "$STFT_TMP/a2" eth0
S2="$(sit_counters br)" || die "sit counters"
expect_out "sit: no receive or transmit error during all the traffic" "0 0" \
	eval 'set -- $S2; echo "$3 $4"'

log "the same with generic (skb) XDP"
must stf ar detach eth0
must stf ar attach eth0 --xdp-mode generic
check "generic: ping stf-xdp site -> sit site (3)" ping6 ah "$B6" 3
check "generic: ping sit site -> stf-xdp site (3)" ping6 bh "$A6" 3
check "generic: TCP 1 MiB stf-xdp site -> sit site" tcp_transfer ah bh "$B6" 5104 1024
check "generic: TCP 1 MiB sit site -> stf-xdp site" tcp_transfer bh ah "$A6" 5105 1024
must stf ar detach eth0
finish
