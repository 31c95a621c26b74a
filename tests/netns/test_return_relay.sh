#!/bin/bash
# (b) Return relay: a 6to4 client reaches a native-IPv6 server through a relay, and the
# server, running only `stf-xdp attach eth0 --mode return-relay --local 203.0.113.65`,
# answers straight over IPv4: no reply crosses the relay.
#
#   +------+ eth0  lan0 +------+ eth0   a0 +------+ rl0   eth0 +-------+ native0
#   |  ah  |------------|  ar  |----------| inet |------------| relay |----------+
#   +------+            +------+           +------+            +-------+          |
#   2002:c000:201:1::10 192.0.2.1/24         | sv0         203.0.113.1/26         |
#                       router mode          |             relay mode    2001:db8:1::1/64
#                       --relay 203.0.113.1  | 203.0.113.126                      |
#                                            |                                     |
#                                       eth0 |  203.0.113.65/26                    |
#                                       +--------+ eth1 2001:db8:1::10/64         |
#                                       | server |--------------------------------+
#                                       +--------+  ::/0 via 2001:db8:1::1 (the relay)
#                                       return-relay on eth0 (encap only, no XDP)
#
#   request: ah -> ar (6to4 encap to the relay 203.0.113.1) -> relay (decap) -> native0 -> server
#   reply:   server -> stf tunnel (encap to 192.0.2.1, the V4ADDR in ah's address) -> inet -> ar
#            (decap) -> ah.  Without the return relay the reply would go back via the relay.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require nc tcpdump

topo_internet
topo_site a 192.0.2.1
topo_relay
topo_server

check "IPv4: ar reaches the relay" ping4 ar "$RELAY_V4" 1
check "IPv4: ar reaches the server" ping4 ar "$SERVER_V4" 1
check "native IPv6: relay reaches the server" ping6 relay "$SERVER6" 1
expect_out "server has no 2002::/16 route of its own" "" routes6 server 2002::/16

must stf relay attach eth0 --mode relay
must stf ar attach eth0 --relay "$RELAY_V4"
tun_of() { echo "stf$(ip -n "$(ns "$1")" -j link show eth0 | json_get 'd[0]["ifindex"]')"; }
TA="$(tun_of ar)" && TS="$(tun_of server)" || die "cannot read eth0's ifindex"
expect_out "ar: ::/0 routed into the tunnel $TA (via the relay), behind native routes" \
	"dev $TA mtu 1480 metric 2048" routes6 ar default

log "baseline: the server has no return relay, so replies go back through the relay"
stats_snap relay eth0 "$STFT_TMP/r0" || die "stats -j on the relay failed"
check "ping A -> server via the relay (3)" ping6 ah "$SERVER6" 3
stats_snap relay eth0 "$STFT_TMP/r1" || die "stats -j on the relay failed"
expect_out "relay decapsulated 3 requests and encapsulated 3 replies" \
	"decap+3 encap+3" stats_diff "$STFT_TMP/r0" "$STFT_TMP/r1" eth0

log "the server runs the return relay"
must stf server attach eth0 --mode return-relay --local "$SERVER_V4"
expect_out "server: 2002::/16 routed into stf-xdp's tunnel device $TS" "dev $TS mtu 1480 metric 1024" \
	routes6 server 2002::/16
expect_out "server: no XDP program on eth0 (return-relay never decapsulates)" none xdp_of server eth0
expect_out "server: status -j says mode return-relay" return-relay stf_json server 'd["interfaces"][0]["mode"]' status eth0

# Capture the relay's native link, and the wire on both sides of inet (rl0: relay, sv0:
# server; captured on inet's ends, where no XDP program rewrites what the tap sees).
bg relay "$STFT_TMP/td-n.log" tcpdump -i native0 -n -U -w "$STFT_TMP/native0.pcap"
TD1=$BG_PID
bg inet "$STFT_TMP/td-r.log" tcpdump -i rl0 -n -U -w "$STFT_TMP/rl0.pcap"
TD2=$BG_PID
bg inet "$STFT_TMP/td-s.log" tcpdump -i sv0 -n -U -w "$STFT_TMP/sv0.pcap"
TD3=$BG_PID
for f in td-n td-r td-s; do
	wait_until 10 file_has "$STFT_TMP/$f.log" "listening on" || die "tcpdump ($f) did not start"
done

for n in relay server ar; do
	stats_snap $n eth0 "$STFT_TMP/$n.0" || die "stats -j in $n failed"
done
check "ping A -> server (5), answered directly" ping6 ah "$SERVER6" 5
for n in relay server ar; do
	stats_snap $n eth0 "$STFT_TMP/$n.1" || die "stats -j in $n failed"
done
expect_out "relay: decap counted the 5 requests, encap stayed 0" \
	"decap+5" stats_diff "$STFT_TMP/relay.0" "$STFT_TMP/relay.1" eth0
expect_out "server: encap counted the 5 replies (and nothing was decapsulated)" \
	"encap+5" stats_diff "$STFT_TMP/server.0" "$STFT_TMP/server.1" eth0
expect_out "ar: 5 requests encapsulated to the relay, 5 replies decapsulated from the server" \
	"decap+5 encap+5" stats_diff "$STFT_TMP/ar.0" "$STFT_TMP/ar.1" eth0

check "TCP: A uploads 1 MiB to the server, sha256 equal" tcp_transfer ah server "$SERVER6" 5001 1024
check "TCP: A downloads 1 MiB from the server, sha256 equal" tcp_fetch ah server "$SERVER6" 5002 1024
for n in relay server; do
	stats_snap $n eth0 "$STFT_TMP/$n.2" || die "stats -j in $n failed"
done
expect_out "relay: encap still 0 after the TCP transfers" 0 \
	counter_delta "$STFT_TMP/relay.0" "$STFT_TMP/relay.2" eth0 encap
# Bytes, not packets: encapsulated GSO skbs count once each.
bytes_delta() { # bytes_delta BEFORE AFTER COUNTER
	"$PY" -c 'import json,sys
f = lambda p: [i for i in json.load(open(p))["interfaces"] if i["ifname"] == "eth0"][0][sys.argv[3]]["bytes"]
print(f(sys.argv[2]) - f(sys.argv[1]))' "$1" "$2" "$3"
}
d="$(bytes_delta "$STFT_TMP/relay.1" "$STFT_TMP/relay.2" decap)"
check "relay: decap counted the upload (>= 1 MiB, got $d bytes)" test "${d:-0}" -ge 1048576
d="$(bytes_delta "$STFT_TMP/server.1" "$STFT_TMP/server.2" encap)"
check "server: encap counted the download (>= 1 MiB, got $d bytes)" test "${d:-0}" -ge 1048576
expect_out "server: decap 0 (no XDP in return-relay mode)" 0 \
	counter_delta "$STFT_TMP/server.0" "$STFT_TMP/server.2" eth0 decap

bg_stop "$TD1"
bg_stop "$TD2"
bg_stop "$TD3"
# Replies would be the server's echo replies or TCP segments on native0 (ND is left out).
# cnt PCAP FILTER: packets in PCAP matching FILTER; fails if tcpdump cannot read the file
# (a capture that never started must not read as "0 packets").
cnt() {
	local out
	out="$(tcpdump -r "$1" -n "$2" 2>"$STFT_TMP/cnt.err")" || {
		cat "$STFT_TMP/cnt.err" >&2
		return 1
	}
	printf '%s' "$out" | grep -c '^' || true
}
expect_out "tcpdump relay native0: no reply from the server crossed the relay" 0 \
	cnt "$STFT_TMP/native0.pcap" 'ip6 and src host 2001:db8:1::10 and (tcp or (icmp6 and ip6[40] == 129))'
n="$(cnt "$STFT_TMP/native0.pcap" 'ip6 and dst host 2001:db8:1::10 and (tcp or (icmp6 and ip6[40] == 128))')"
check "tcpdump relay native0: the requests did cross it ($n packets)" test "${n:-0}" -gt 5
expect_out "tcpdump inet rl0: the relay sent no 6to4 packet" 0 \
	cnt "$STFT_TMP/rl0.pcap" 'ip proto 41 and src host 203.0.113.1'
n="$(cnt "$STFT_TMP/rl0.pcap" 'ip proto 41 and src host 192.0.2.1 and dst host 203.0.113.1')"
check "tcpdump inet rl0: 6to4 requests 192.0.2.1 -> relay ($n packets)" test "${n:-0}" -gt 5
n="$(cnt "$STFT_TMP/sv0.pcap" 'ip proto 41 and src host 203.0.113.65 and dst host 192.0.2.1')"
check "tcpdump inet sv0: 6to4 replies server -> 192.0.2.1 on the wire ($n packets)" test "${n:-0}" -gt 5
expect_out "tcpdump inet sv0: nothing 6to4 from 192.0.2.1 reached the server directly" 0 \
	cnt "$STFT_TMP/sv0.pcap" 'ip proto 41 and dst host 203.0.113.65'

# A return relay answers thousands of 6to4 users: one neighbour entry per user on the NOARP
# tunnel device would fill the table (gc_thresh3) and then drop packets. The routes go via
# fe80::1, so all destinations share one entry.
route_gw() { nsx "$1" ip -j -6 route show "$2" | json_get 'd[0].get("gateway", "on-link")'; }
neigh_count() { nsx "$1" ip -6 neigh show nud all dev "$2" | grep -c . || true; }
expect_out "server: 2002::/16 goes via fe80::1 (one neighbour for every destination)" fe80::1 \
	route_gw server 2002::/16
stats_snap server eth0 "$STFT_TMP/server.3" || die "stats -j in server failed"
check "server: one UDP datagram to each of 64 6to4 destinations" nsx server "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("2001:db8:1::10", 0))
for i in range(64):  # 2002:c000:2XX::1, behind 192.0.2.XX (documentation addresses)
    s.sendto(b"x", ("2002:c000:2%02x::1" % (i + 64), 9))'
stats_snap server eth0 "$STFT_TMP/server.4" || die "stats -j in server failed"
expect_out "server: the 64 datagrams were encapsulated" "encap+64" \
	stats_diff "$STFT_TMP/server.3" "$STFT_TMP/server.4" eth0
expect_out "server: $TS holds one neighbour entry after 64 destinations" 1 \
	neigh_count server "$TS"

log "detach the return relay: replies take the relay again"
must stf server detach eth0
expect_out "server: 2002::/16 route gone after detach" "" routes6 server 2002::/16
stats_snap relay eth0 "$STFT_TMP/r2" || die "stats -j on the relay failed"
check "ping A -> server after the server's detach (3)" ping6 ah "$SERVER6" 3
stats_snap relay eth0 "$STFT_TMP/r3" || die "stats -j on the relay failed"
expect_out "relay encapsulates the replies again" \
	"decap+3 encap+3" stats_diff "$STFT_TMP/r2" "$STFT_TMP/r3" eth0

must stf ar detach eth0
must stf relay detach eth0
finish
