#!/bin/bash
# stf-xdp run: the service process, as systemd runs it (stf-xdp@IFACE.service).
#
#   bh ---- br ==(6to4)== inet --a0 (MTU 1400)-- ar ---- ah
#
# run applies its config file (attaching), serves the slow path (a fragmented ping arrives),
# reloads on SIGHUP in place while bh pings ah every 10 ms (no loss), logs a broken file and
# changes nothing, follows eth0's MTU (tunnel device and route) and the host's subnets
# (broadcasts refused as peers), detaches on SIGTERM; with --keep it leaves the dataplane
# running and the next start adopts it: a restart under the same 10 ms pings loses nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require

topo_internet
topo_site a 192.0.2.1 1400
topo_site b 198.51.100.1
must stf br attach eth0
CFG="$STFT_TMP/eth0.json"
printf '{"local": "192.0.2.1", "ttl": 64}\n' >"$CFG"
STATE='[d["interfaces"][0]["ttl"], d["interfaces"][0]["slow_path"]["running"]]'

# start_run LOG [--keep]: the service in ar; waits for its "running" line.
start_run() {
	local logf="$1"
	shift
	bg ar "$logf" "$STF_XDP" run eth0 --config "$CFG" "$@"
	RUN=$BG_PID
	wait_until 10 file_has "$logf" "running (config" || die "run did not start: $(cat "$logf")"
}

log "start: attaches and serves the slow path"
start_run "$STFT_TMP/run1.log"
check "the log says it attached" grep -q "stf-xdp run eth0: attached to eth0" "$STFT_TMP/run1.log"
expect_out "status: ttl 64, slow path running" "[64, true]" stf_json ar "$STATE" status eth0
check "a ping of 1448 bytes (fragmented on the way) is answered" sh -c \
	"ip netns exec $(ns bh) ping -6 -n -c 2 -i 0.2 -W 1 -s 1400 $SITE_a_HOST6 >/dev/null; true"
check "... every time once the path MTU is known" ping6 bh "$SITE_a_HOST6" 3 -s 1400

log "SIGHUP reloads in place while bh pings every 10 ms"
bg bh "$STFT_TMP/ping1.log" ping -6 -n -i 0.01 -c 300 -W 2 "$SITE_a_HOST6"
PING=$BG_PID
sleep 0.5
printf '{"local": "192.0.2.1", "ttl": 32}\n' >"$CFG"
kill -HUP "$RUN"
wait_until 5 file_has "$STFT_TMP/run1.log" "ttl 64 -> 32" || check "the reload's change is logged" false
expect_out "status: ttl 32" "[32, true]" stf_json ar "$STATE" status eth0
printf '{"local": "192.0.2.1", "ttl": 300}\n' >"$CFG"
kill -HUP "$RUN"
wait_until 5 file_has "$STFT_TMP/run1.log" "reload refused, nothing changed: .*ttl" ||
	check "a broken file's reload is logged as refused" sh -c "cat $STFT_TMP/run1.log; false"
expect_out "status still ttl 32" "[32, true]" stf_json ar "$STATE" status eth0
check "the service still runs" kill -0 "$RUN"
bg_wait "$PING" 20 || die "ping did not finish"
check "300 of 300 echo requests answered across the reloads" ping_summary_is "$(cat "$STFT_TMP/ping1.log")" 300 300

log "the host changes under the service: link MTU and IPv4 addresses are followed"
TUN="$(stf_json ar 'd["interfaces"][0]["tunnel"]["name"]' status eth0)" || die "status"
tun_mtu() { stf_json ar 'd["interfaces"][0]["tunnel"]["mtu"]' status eth0; }
must ip -n "$(ns ar)" link set eth0 mtu 1300
wait_until 5 test "$(tun_mtu)" = 1280 || true
expect_out "eth0 MTU 1300: the tunnel MTU follows (1280)" 1280 tun_mtu
expect_out "... and so does 2002::/16's route MTU (what Packet Too Big says)" \
	"dev $TUN mtu 1280 metric 1024" routes6 ar 2002::/16
check "... logged" grep -q "tunnel mtu 1380 -> 1280" "$STFT_TMP/run1.log"
must ip -n "$(ns ar)" link set eth0 mtu 1400
wait_until 5 test "$(tun_mtu)" = 1380 || true
expect_out "eth0 MTU back to 1400: tunnel MTU 1380" 1380 tun_mtu
bcasts() { stf_json ar 'd["interfaces"][0]["subnet_broadcasts"]' status eth0; }
must ip -n "$(ns ar)" addr add 203.0.113.73/29 dev lan0
wait_until 5 sh -c "ip netns exec $(ns ar) $STF_XDP -j status eth0 | grep -q 203.0.113.79" || true
expect_out "a new subnet's broadcast is refused as a peer" '["192.0.2.255", "203.0.113.79"]' bcasts
must ip -n "$(ns ar)" addr del 203.0.113.73/29 dev lan0
wait_until 5 sh -c "! ip netns exec $(ns ar) $STF_XDP -j status eth0 | grep -q 203.0.113.79" || true
expect_out "... and no longer once the subnet is gone" '["192.0.2.255"]' bcasts
check "the service still runs" kill -0 "$RUN"

log "SIGTERM: stops and detaches"
kill "$RUN"
bg_wait "$RUN" 10 || die "run did not stop"
check "run exits 0 ($BG_STATUS)" [ "$BG_STATUS" = 0 ]
check "the log says it detached" grep -q "stopped and detached" "$STFT_TMP/run1.log"
expect_out "no stf* device left" "" stf_links ar
expect_out "no XDP program on eth0" none xdp_of ar eth0

log "--keep: a restart under traffic loses nothing"
printf '{"local": "192.0.2.1", "ttl": 64}\n' >"$CFG"
start_run "$STFT_TMP/run2.log" --keep
bg bh "$STFT_TMP/ping2.log" ping -6 -n -i 0.01 -c 300 -W 2 "$SITE_a_HOST6"
PING=$BG_PID
sleep 0.5
kill "$RUN"
bg_wait "$RUN" 10 || die "run did not stop"
check "the log says the dataplane keeps running" grep -q "keeps running (--keep)" "$STFT_TMP/run2.log"
start_run "$STFT_TMP/run3.log" --keep
check "the new start adopted it: nothing to change" grep -q "eth0: nothing to change" "$STFT_TMP/run3.log"
bg_wait "$PING" 20 || die "ping did not finish"
check "300 of 300 echo requests answered across the restart" ping_summary_is "$(cat "$STFT_TMP/ping2.log")" 300 300
kill "$RUN"
bg_wait "$RUN" 10 || die "run did not stop"
must stf ar detach eth0

log "a config file that cannot be applied: run exits with apply's code"
printf '{"local": "192.0.2.1", "mode": "bogus"}\n' >"$CFG"
rc="$(stf_rc ar run eth0 --config "$CFG")"
check "run exits 2 on a broken file ($rc)" [ "$rc" = 2 ]
expect_out "nothing attached" "" stf_links ar
must stf br detach eth0
finish
