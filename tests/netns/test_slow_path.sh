#!/bin/bash
# The slow path (stf-xdp slowpath): outer IPv4 fragments and outer headers with options.
# XDP hands them to the kernel; the kernel reassembles and acts on the options; the slow path
# runs the interface's own decapsulator on the result, so the packet meets every check and
# counter of any other and, when accepted, is received on the tunnel device.
#
#   bh ---- br ==(6to4, B's tunnel MTU 1480)== inet --a0 (MTU 1400)-- ar ---- ah
#                                              (scapy sends the crafted cases on a0)
#
# A 6to4 site behind a smaller-MTU hop: B's full-size packets (1500 bytes, DF clear as
# RFC 3056 asks) are fragmented by inet towards A. Without the slow path they are lost (the
# kernel has no protocol-41 handler); with it, pings and a 1 MiB TCP transfer complete.
# Then the hostile cases of slowpath.py, each synchronised by a fragmented barrier packet
# that takes the same way, must move exactly their counters; a second slow path is refused;
# a re-attach is followed; a stopped slow path drops fragments again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require scapy tcpdump nc

CRAFT="$STFT_LIB_DIR/slowpath.py"
PORT=5555
topo_internet
topo_site a 192.0.2.1 1400
topo_site b 198.51.100.1
must stf ar attach eth0
must stf br attach eth0
TUN_A="$(stf_json ar 'd["interfaces"][0]["tunnel"]["name"]' status eth0)" || die "status of ar"

slow_running() { stf_json ar 'd["interfaces"][0]["slow_path"]["running"]' status eth0; }
start_slow() {
	bg ar "$STFT_TMP/slow.$1.log" "$STF_XDP" slowpath
	SLOW_PID=$BG_PID
	wait_until 10 file_has "$STFT_TMP/slow.$1.log" "ready" ||
		die "slowpath did not start: $(cat "$STFT_TMP/slow.$1.log")"
}

log "--- without the slow path: fragments are lost, small packets flow"
expect_out "status says the slow path is not running" false slow_running
check "human status names the missing slow path" stf_grep ar "slow path +not running.*'stf-xdp slowpath'" status eth0
ping6 bh "$SITE_a_HOST6" 3
stats_snap ar eth0 "$STFT_TMP/s0"
ping6_lost bh "$SITE_a_HOST6" 3 -s 1400
stats_snap ar eth0 "$STFT_TMP/s1"
expect_out "3 fragmented echo requests: 6 fragments passed to the kernel, nothing decapsulated" \
	"pass_fragment+6" stats_diff "$STFT_TMP/s0" "$STFT_TMP/s1" eth0

log "--- with the slow path: the same pings and a 1 MiB transfer"
start_slow 1
expect_out "status says the slow path is running" true slow_running
# The first reply earns ah a Packet Too Big from ar (A's tunnel MTU is 1380); later ones
# are fragmented by ah itself. Path MTU discovery, not the slow path, costs that one reply.
nsx bh ping -6 -n -c 2 -i 0.2 -W 1 -s 1400 "$SITE_a_HOST6" >/dev/null 2>&1
stats_snap ar eth0 "$STFT_TMP/s2"
check "5 pings of 1448 bytes, fragmented on the way, all answered" ping6 bh "$SITE_a_HOST6" 5 -s 1400
stats_snap ar eth0 "$STFT_TMP/s3"
expect_out "each echo request: 2 fragments passed, 1 slow path, 1 decap; each reply encapsulated" \
	"$(expected_diff decap+5 encap+10 pass_fragment+10 slow_path+5)" \
	stats_diff "$STFT_TMP/s2" "$STFT_TMP/s3" eth0
# The pings taught ah path MTU 1380 towards bh, and its SYN would then ask bh for segments
# that fit unfragmented. Forgotten, ah asks for 1440 (its own link), bh sends 1480-byte
# packets (its tunnel MTU), and each one is cut in two on the way: the case of a hop nobody
# knew about.
must ip -n "$(ns ah)" -6 route flush cache
check "1 MiB bh -> ah over TCP, byte-identical" tcp_transfer bh ah "$SITE_a_HOST6" 7001 1024
stats_snap ar eth0 "$STFT_TMP/s4"
slow="$(counter_delta "$STFT_TMP/s3" "$STFT_TMP/s4" eth0 slow_path)"
check "the transfer's full-size segments took the slow path ($slow >= 700)" [ "$slow" -ge 700 ]
expect_out "no slow-path failure" 0 counter_delta "$STFT_TMP/s3" "$STFT_TMP/s4" eth0 slow_failed
# The same figures for a scraper: stats --prometheus agrees with stats -j, read right after.
prom() { stf ar stats --prometheus eth0 | sed -n "s/^$1{interface=\"eth0\"$2} //p"; }
stats_snap ar eth0 "$STFT_TMP/s5"
expect_out "stats --prometheus: stf_slow_path_packets_total as stats -j says" \
	"$(counter "$STFT_TMP/s5" eth0 slow_path)" prom stf_slow_path_packets_total ""
expect_out "stats --prometheus: pass_fragment as stats -j says" \
	"$(counter "$STFT_TMP/s5" eth0 pass_fragment)" prom stf_passed_packets_total ',reason="pass_fragment"'
# Received on the tunnel device, where tcpdump and `iifname` rules look for tunnel traffic
# (the device's own rx counters do not see them: they count what the veth peer's transmit
# path hands over, which a redirect to ingress skips; slow_path counts them instead).
bg ar "$STFT_TMP/tun.td" tcpdump -n -c 3 -i "$TUN_A" "icmp6 and ip6[40] == 128 and ip6[4:2] > 1400"
TD_PID=$BG_PID
wait_until 10 file_has "$STFT_TMP/tun.td" "listening on" || die "tcpdump did not start"
ping6 bh "$SITE_a_HOST6" 3 -s 1400 >/dev/null
check "tcpdump -i $TUN_A saw the 3 reassembled echo requests" bg_wait "$TD_PID" 5
expect_out "... all 3 of them, 1448 bytes each" 3 grep_count "ICMP6, echo request.*length 1408" "$STFT_TMP/tun.td"

log "--- hostile fragments and options, crafted with scapy from inet"
RX="$STFT_TMP/rx.log"
bg ah "$STFT_TMP/listener.log" "$PY" "$STFT_LIB_DIR/hostile.py" listen --port $PORT --out "$RX"
wait_port ah $PORT udp || die "UDP listener did not start: $(cat "$STFT_TMP/listener.log")"
RMAC="$(mac_of ar eth0)"
ncases=0
while read -r name delivered expected; do
	ncases=$((ncases + 1))
	tag="r$ncases"
	stats_snap ar eth0 "$STFT_TMP/h$ncases.a"
	if ! nsx inet "$PY" "$CRAFT" send --iface a0 --dst-mac "$RMAC" --tag "$tag" --barrier \
		"$name" >"$STFT_TMP/send.$ncases" 2>&1; then
		check "[$name] slowpath.py send" sh -c "cat $STFT_TMP/send.$ncases; false"
		continue
	fi
	if ! wait_until 5 file_has "$RX" "stft:$tag:barrier:0 "; then
		check "[$name] barrier delivered through the slow path" false
		continue
	fi
	stats_snap ar eth0 "$STFT_TMP/h$ncases.b"
	# shellcheck disable=SC2086
	expect_out "[$name] counted exactly: $expected (+ the barrier's)" \
		"$(expected_diff $expected pass_fragment+3 slow_path+1 decap+1)" \
		stats_diff "$STFT_TMP/h$ncases.a" "$STFT_TMP/h$ncases.b" eth0
	want=0
	[ "$delivered" = yes ] && want=1
	expect_out "[$name] delivered to the host: $delivered" "$want" grep_count "^stft:$tag:$name:" "$RX"
done < <("$PY" "$CRAFT" list)
check "every case ran ($ncases >= 11)" [ "$ncases" -ge 11 ]

log "--- a delivery the kernel refuses is counted and logged (the tunnel's peer set down)"
PEER_A="${TUN_A}p"
must ip -n "$(ns ar)" link set "$PEER_A" down
stats_snap ar eth0 "$STFT_TMP/f0"
nsx inet "$PY" "$CRAFT" send --iface a0 --dst-mac "$RMAC" --tag down frag_valid >/dev/null 2>&1 ||
	check "slowpath.py send" false
wait_until 5 sh -c "grep -q 'deliver into the tunnel' $STFT_TMP/slow.1.log"
stats_snap ar eth0 "$STFT_TMP/f1"
expect_out "counted: the program's decap, then slow_failed" \
	"$(expected_diff decap+1 pass_fragment+3 slow_failed+1 slow_path+1)" \
	stats_diff "$STFT_TMP/f0" "$STFT_TMP/f1" eth0
check "logged with the kernel's reason" grep -q "eth0: deliver into the tunnel: .*ENETDOWN" "$STFT_TMP/slow.1.log"
must ip -n "$(ns ar)" link set "$PEER_A" up

log "--- one slow path per namespace; a re-attach is followed"
rc="$(stf_rc ar slowpath)"
check "a second slow path is refused with exit 5 ($rc)" [ "$rc" = 5 ]
check "the refusal says why" grep -q "already serves this network namespace" "$STFT_TMP/last.err"
must stf ar detach eth0
must stf ar attach eth0
nsx bh ping -6 -n -c 2 -i 0.2 -W 1 -s 1400 "$SITE_a_HOST6" >/dev/null 2>&1
check "after detach and attach, fragmented pings are answered" ping6 bh "$SITE_a_HOST6" 3 -s 1400
check "the slow path picked up the new XDP program (logged twice)" \
	[ "$(grep -c "serving eth0" "$STFT_TMP/slow.1.log")" -ge 2 ]

log "--- stopped: fragments are lost again, and status says so"
kill "$SLOW_PID"
bg_wait "$SLOW_PID" 5 || die "slowpath did not stop on SIGTERM"
check "slowpath exits 0 on SIGTERM ($BG_STATUS)" [ "$BG_STATUS" = 0 ]
expect_out "status says the slow path is not running" false slow_running
check "fragmented pings are lost without it" ping6_lost bh "$SITE_a_HOST6" 3 -s 1400
finish
