#!/bin/bash
# Interop (4): an stf-xdp site and a sit site across an IPv4 hop whose MTU is 1400, with both
# of sit's DF settings: pmtudisc (sit's default: DF set, the path MTU learnt from ICMP and
# passed on as Packet Too Big) and nopmtudisc (DF clear: the hop fragments sit's packets).
# stf-xdp never sets DF (RFC 3056 3.1 says it SHOULD NOT), so its packets are fragmented at
# the hop and sit's kernel reassembles them. Ping with 1300..1452-byte payloads and 1 MiB TCP
# both ways (sha256). Runs in the 6.1 VM.
#
#   site A (stf-xdp)                                                       site B (sit)
#   +----+     +----+ eth0     a0 +------+ h0       h1 +-----+ h2     eth0 +----+     +----+
#   | ah |-----| ar |-------------| inet |-------------| hop |------------| br |-----| bh |
#   +----+     +----+ 192.0.2.1   +------+  MTU 1400   +-----+ 198.51.100  +----+     +----+
#                                       203.0.113.201  .202   .254    .1/24
#
# Fragments arriving at stf-xdp (sit with nopmtudisc sending packets larger than 1400) are
# passed to the kernel's own reassembly (pass_fragment) and decapsulated by the slow path,
# `stf-xdp slowpath`, which runs beside the attachment here as it must in production. Every
# learnt path MTU is flushed between the two settings, so neither profits from what the other
# taught the hosts.
. "$(dirname "$0")/lib_vm.sh"
stft_require nc
stft_require_sit

topo_internet
topo_site a 192.0.2.1
ns_add hop
ns_add br
ns_add bh
link "$INET_NS" h0 hop h1 1400
link hop h2 br eth0
link bh eth0 br lan0
wire "$INET_NS" h0
wire hop h1
wire hop h2
addr "$INET_NS" h0 203.0.113.201/30
addr hop h1 203.0.113.202/30
addr hop h2 198.51.100.254/24
addr br eth0 198.51.100.1/24
route "$INET_NS" 198.51.100.0/24 via 203.0.113.202
route hop default via 203.0.113.201
route br default via 198.51.100.254
nsx hop sysctl -qw net.ipv4.ip_forward=1 || die "forwarding in hop"
P6B=$(sixtofour 198.51.100.1)
addr br lan0 "$P6B:1::1/64"
addr bh eth0 "$P6B:1::10/64"
route bh default via "$P6B:1::1"
nsx br sysctl -qw net.ipv6.conf.all.forwarding=1 || die "forwarding in br"
A6=$SITE_a_HOST6
B6=$P6B:1::10

check "IPv4 across the 1400-byte hop: ar pings br with 1372 bytes, DF set" \
	ping4 ar 198.51.100.1 1 -M do -s 1372
check "IPv4: 1373 bytes with DF set do not fit (the hop says so)" \
	bash -c "! ip netns exec $(ns ar) ping -4 -n -c 1 -W 2 -M do -s 1373 198.51.100.1"

must stf ar attach eth0
bg ar "$STFT_TMP/slow.log" "$STF_XDP" slowpath
wait_until 30 file_has "$STFT_TMP/slow.log" "ready" || die "slowpath did not start: $(cat "$STFT_TMP/slow.log")"

# big_pings FROM TO: echo requests whose tunnelled size spans the hop's MTU. The first two of
# each size may be lost while the path MTU is learnt (ping never retransmits): with sit's
# pmtudisc the first packet too big for the hop brings sit an ICMP "fragmentation needed",
# the second one is refused with a Packet Too Big to its sender. So two warm-ups; the two
# after them must both be answered.
big_pings() {
	local s
	for s in 1300 1352 1353 1400 1452; do
		nsx "$1" ping -6 -n -c 2 -i 0.2 -W 2 -s "$s" "$2" >/dev/null 2>&1
		ping6 "$1" "$2" 2 -s "$s" || return 1
	done
}

# flush_pmtu: forget every learnt path MTU (IPv4 and IPv6 route exceptions) in every
# namespace, so one DF setting's run does not profit from what the other one taught.
flush_pmtu() {
	local n
	for n in ah ar "$INET_NS" hop br bh; do
		ip -n "$(ns "$n")" -4 route flush cache
		ip -n "$(ns "$n")" -6 route flush cache
	done
}

for mode in nopmtudisc pmtudisc; do
	log "sit with $mode"
	ip -n "$(ns br)" link del tun6to4 2>/dev/null
	flush_pmtu
	sit_6to4 br 198.51.100.1 "$mode"
	stats_snap ar eth0 "$STFT_TMP/$mode.0" || die "stats -j failed"
	check "$mode: small ping stf-xdp site -> sit site" ping6 ah "$B6" 2
	check "$mode: small ping sit site -> stf-xdp site" ping6 bh "$A6" 2
	check "$mode: TCP 1 MiB stf-xdp site -> sit site, sha256 equal" \
		tcp_transfer ah bh "$B6" 5401 1024
	if [ "$mode" = pmtudisc ]; then
		check "$mode: pings of 1300..1452 bytes, stf-xdp site -> sit site (fragmented at the hop)" \
			big_pings ah "$B6"
		check "$mode: pings of 1300..1452 bytes, sit site -> stf-xdp site (sit learns the PMTU)" \
			big_pings bh "$A6"
		check "$mode: TCP 1 MiB sit site -> stf-xdp site, sha256 equal" \
			tcp_transfer bh ah "$A6" 5402 1024
		check "$mode: TCP 1 MiB fetched by the stf-xdp site from the sit site, sha256 equal" \
			tcp_fetch ah bh "$B6" 5403 1024
	else
		# Whatever sit sends larger than the hop arrives at stf-xdp in fragments: the big
		# replies to stf-xdp's big pings as much as sit's own big requests and segments.
		check "$mode: pings of 1300..1452 bytes, stf-xdp site -> sit site (replies arrive fragmented)" \
			big_pings ah "$B6"
		check "$mode: pings of 1300..1452 bytes, sit site -> stf-xdp site (arrive fragmented)" \
			big_pings bh "$A6"
		check "$mode: TCP 1 MiB sit site -> stf-xdp site, sha256 equal" \
			tcp_transfer bh ah "$A6" 5402 1024
	fi
	stats_snap ar eth0 "$STFT_TMP/$mode.1" || die "stats -j failed"
	log "$mode: stf-xdp's counters moved: $(stats_diff "$STFT_TMP/$mode.0" "$STFT_TMP/$mode.1" eth0)"
	F="$(counter_delta "$STFT_TMP/$mode.0" "$STFT_TMP/$mode.1" eth0 pass_fragment)"
	if [ "$mode" = nopmtudisc ]; then
		check "$mode: outer fragments did reach stf-xdp ($F passed to the kernel)" test "${F:-0}" -gt 0
		S="$(counter_delta "$STFT_TMP/$mode.0" "$STFT_TMP/$mode.1" eth0 slow_path)"
		check "$mode: the slow path decapsulated what they made ($S packets)" test "${S:-0}" -gt 0
		expect_out "$mode: no slow-path failure" 0 \
			counter_delta "$STFT_TMP/$mode.0" "$STFT_TMP/$mode.1" eth0 slow_failed
	else
		expect_eq "$mode: no outer fragment reached stf-xdp (sit sets DF)" 0 "${F:-x}"
	fi
done
must stf ar detach eth0
finish
