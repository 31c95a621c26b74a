#!/bin/bash
# (e) Decapsulated packets are received on stf-xdp's tunnel device stf<N>, never on the
# physical interface, as sit's tun6to4 and stf's stf0 receive theirs: so a tunnelled
# Neighbor Discovery message cannot pass for on-link traffic of eth0, and the device's
# counters and tcpdump -i stf<N> see the tunnel traffic.
#
#   +------+ eth0   lan0 +------+ eth0                      a0 +------+
#   |  ah  |-------------|  ar  |--------------------------------| inet |
#   +------+             +------+ 192.0.2.1/24    192.0.2.254/24 +------+
#   2002:c000:201:1::10         2001:db8:a0::1/64  2001:db8:a0::254/64
#                               stf-xdp attach eth0         scapy sends from here
#
# The attack: from anywhere on the IPv4 internet, a 6to4 packet (outer 198.51.100.1 ->
# 192.0.2.1, inner 2002:c633:6401::1 -> 2002:c000:201:1::1, consistent and valid) carrying an
# ICMPv6 Neighbor Advertisement with hop limit 255 for ar's on-link IPv6 neighbour on eth0
# (2001:db8:a0::254) with the attacker's link address and the override flag. Received on
# eth0 it rewrote that neighbour entry; received on the tunnel device it cannot touch eth0's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require scapy tcpdump

topo_internet
topo_site a 192.0.2.1
addr ar eth0 2001:db8:a0::1/64
addr "$INET_NS" a0 2001:db8:a0::254/64
ATTACKER_MAC=02:de:ad:be:ef:01
INET_MAC="$(mac_of "$INET_NS" a0)" || die "MAC of inet a0"

must stf ar attach eth0
TUN="stf$(ip -n "$(ns ar)" -j link show eth0 | json_get 'd[0]["ifindex"]')" || die "ifindex of eth0"

# neigh_mac NS IF ADDR: the link address IF's neighbour table holds for ADDR ("none" if none).
neigh_mac() {
	ip -n "$(ns "$1")" -j -6 neigh show dev "$2" to "$3" |
		json_get 'd[0].get("lladdr", "none") if d else "none"'
}
# Per device (/proc/net/dev_snmp6): eth0's own neighbour traffic (a NUD probe answered by
# inet while the machine is slow) must not be mistaken for the tunnelled ones.
icmp6_in_na() {
	nsx ar awk '$1 == "Icmp6InNeighborAdvertisements" {print $2; found = 1} END {exit !found}' \
		"/proc/net/dev_snmp6/$TUN"
}
rx_packets() { ip -n "$(ns "$1")" -j -s link show dev "$2" | json_get 'd[0]["stats64"]["rx"]["packets"]'; }

check "ar reaches its on-link IPv6 neighbour 2001:db8:a0::254 on eth0" ping6 ar 2001:db8:a0::254 2
expect_out "ar's neighbour entry on eth0 holds inet's real MAC" "$INET_MAC" neigh_mac ar eth0 2001:db8:a0::254

log "a tunnelled Neighbor Advertisement (hop limit 255) for that neighbour, from the internet"
stats_snap ar eth0 "$STFT_TMP/s0" || die "stats -j failed"
RX0="$(rx_packets ar "$TUN")" || die "rx counters of $TUN"
NA0="$(icmp6_in_na)" || die "nstat"
RMAC="$(mac_of ar eth0)" || die "MAC of ar eth0"
# --immediate-mode: packets reach tcpdump at once, not after a buffer timeout; -c 3 ends it.
bg ar "$STFT_TMP/td.log" tcpdump -n -U --immediate-mode -c 3 -i "$TUN" -w "$STFT_TMP/tun.pcap" \
	'icmp6 and ip6[40] == 136'
TD=$BG_PID
wait_until 10 file_has "$STFT_TMP/td.log" "listening on" || die "tcpdump on $TUN did not start"
check "scapy sends the NA, 3 times" nsx "$INET_NS" "$PY" - "$RMAC" "$ATTACKER_MAC" <<'PYEOF'
import sys
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr
from scapy.sendrecv import sendp
rmac, attacker = sys.argv[1], sys.argv[2]
na = (IPv6(src="2002:c633:6401::1", dst="2002:c000:201:1::1", hlim=255) /
      ICMPv6ND_NA(tgt="2001:db8:a0::254", R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=attacker))
frame = Ether(dst=rmac) / IP(src="198.51.100.1", dst="192.0.2.1", proto=41, ttl=64) / na
sendp([frame] * 3, iface="a0", verbose=False)
PYEOF
wait_until 5 test "$(rx_packets ar "$TUN")" -ge $((RX0 + 3))
bg_wait "$TD" 5 || bg_stop "$TD"
stats_snap ar eth0 "$STFT_TMP/s1" || die "stats -j failed"
expect_out "stf-xdp decapsulated the 3 packets (they are valid 6to4)" "decap+3" \
	stats_diff "$STFT_TMP/s0" "$STFT_TMP/s1" eth0
expect_out "$TUN received them: its rx counter moved by 3" $((RX0 + 3)) rx_packets ar "$TUN"
na_count() {
	local out
	out="$(tcpdump -r "$STFT_TMP/tun.pcap" -n 2>/dev/null)" || return 1
	printf '%s\n' "$out" | grep -c 'ICMP6, neighbor advertisement, tgt is 2001:db8:a0::254' || true
}
expect_out "tcpdump -i $TUN saw the 3 Neighbor Advertisements" 3 na_count
# The stack did receive them (so the unchanged entry below is not for want of delivery).
expect_out "ar's IPv6 stack received the 3 Neighbor Advertisements on $TUN (Icmp6InNeighborAdvertisements)" \
	$((NA0 + 3)) icmp6_in_na
expect_out "ar's neighbour entry on eth0 still holds inet's real MAC" "$INET_MAC" neigh_mac ar eth0 2001:db8:a0::254
check "and ar still reaches the neighbour" ping6 ar 2001:db8:a0::254 2

log "ordinary tunnel traffic is seen on $TUN too"
topo_site b 198.51.100.1
must stf br attach eth0
RX1="$(rx_packets ar "$TUN")" || die "rx counters of $TUN"
check "ping B -> A (3) through both tunnels" ping6 bh "$SITE_a_HOST6" 3
expect_out "$TUN received the 3 echo requests" $((RX1 + 3)) rx_packets ar "$TUN"
must stf ar detach eth0
must stf br detach eth0
finish
