#!/bin/bash
# apply: a running attachment brought to a config file's settings in place, under traffic.
#
#   bh ---- br ==(6to4)== inet ==(6to4)== ar ---- ah      (test_two_sites' topology)
#
# While bh pings ah every 10 ms, ar's attachment is taken from v1 (router, ttl 64, a deny
# entry) to v2 (relay mode, a relay and its ::/0 route, ttl 32, ingress filter off, one
# more local, an allow list, the deny entry replaced) and back, three times: not one echo
# request may be lost, and nothing but decap and encap may count. The outer TTL on the wire
# shows the new setting took effect; status and the routes show each state exactly; a change
# that needs the XDP program changed is refused and changes nothing; --dry-run changes
# nothing; and apply on an unattached interface attaches.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require tcpdump

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
addr ar eth0 192.0.2.9/24 # a second V4ADDR for v2
V1="$STFT_TMP/v1.json" V2="$STFT_TMP/v2.json" V3="$STFT_TMP/v3.json"
cat >"$V1" <<'JSON'
{"local": "192.0.2.1", "ttl": 64, "filters": {"deny": ["203.0.113.0/24"]}}
JSON
cat >"$V2" <<'JSON'
{"local": ["192.0.2.1", "192.0.2.9"], "mode": "relay", "relay": "203.0.113.1", "ttl": 32,
 "ingress_filter": false,
 "filters": {"allow": ["198.51.100.0/24"], "deny": ["203.0.113.0/25"]}}
JSON
cat >"$V3" <<'JSON'
{"local": "192.0.2.1", "mode": "return-relay"}
JSON
must stf br attach eth0

check "apply v1 to an unattached eth0 attaches it" stf_grep ar "attached to eth0" apply eth0 "$V1"
STATE='[d["interfaces"][0][k] for k in ("mode", "relay", "ttl", "ingress_filter")] + [[l["address"] for l in d["interfaces"][0]["local"]], d["interfaces"][0]["filters"]]'
S1='["router", null, 64, true, ["192.0.2.1"], {"allow": [], "deny": ["203.0.113.0/24"], "relay": [], "exception": []}]'
S2='["relay", "203.0.113.1", 32, false, ["192.0.2.1", "192.0.2.9"], {"allow": ["198.51.100.0/24"], "deny": ["203.0.113.0/25"], "relay": [], "exception": []}]'
expect_out "status: v1" "$S1" stf_json ar "$STATE" status eth0
expect_out "apply v1 again: nothing to change" "eth0: nothing to change" stf ar apply eth0 "$V1"
expect_out "v1: no ::/0 into the tunnel" "" routes6 ar default

log "--dry-run says what v2 changes, and changes nothing"
expect_out "apply --dry-run -j lists v2's changes in order" \
	'["filter allow +198.51.100.0/24", "filter deny +203.0.113.0/25", "mode router -> relay", "ttl 64 -> 32", "relay none -> 203.0.113.1", "ingress_filter on -> off", "local +192.0.2.9", "route ::/0 into the tunnel (metric 2048)", "filter deny -203.0.113.0/24"]' \
	stf_json ar 'd["changes"]' apply eth0 "$V2" --dry-run
expect_out "status still v1 after --dry-run" "$S1" stf_json ar "$STATE" status eth0

log "v1 -> v2 -> v1, three times, while bh pings ah every 10 ms"
stats_snap ar eth0 "$STFT_TMP/c0"
bg bh "$STFT_TMP/ping.log" ping -6 -n -i 0.01 -c 600 -W 2 "$SITE_a_HOST6"
PING=$BG_PID
sleep 0.5
for round in 1 2 3; do
	must stf ar apply eth0 "$V2"
	expect_out "round $round: status v2" "$S2" stf_json ar "$STATE" status eth0
	sleep 0.5
	must stf ar apply eth0 "$V1"
	expect_out "round $round: status v1" "$S1" stf_json ar "$STATE" status eth0
	sleep 0.5
done
must stf ar apply eth0 "$V2"
bg_wait "$PING" 30 || die "ping did not finish"
check "all 600 echo requests answered across six applies" ping_summary_is "$(cat "$STFT_TMP/ping.log")" 600 600
stats_snap ar eth0 "$STFT_TMP/c1"
expect_out "nothing but decap and encap counted (600 each)" "$(expected_diff decap+600 encap+600)" \
	stats_diff "$STFT_TMP/c0" "$STFT_TMP/c1" eth0
expect_out "v2: ::/0 routed into the tunnel at metric 2048" "dev stf$(ip -n "$(ns ar)" -j link show eth0 | json_get 'd[0]["ifindex"]') mtu 1480 metric 2048" \
	routes6 ar default

log "v2's TTL is on the wire"
bg inet "$STFT_TMP/ttl.log" tcpdump -v -n -c 1 -i a0 'ip proto 41 and src host 192.0.2.1'
TD=$BG_PID
wait_until 10 file_has "$STFT_TMP/ttl.log" "listening on" || die "tcpdump did not start"
ping6 bh "$SITE_a_HOST6" 1 >/dev/null
bg_wait "$TD" 5 || bg_stop "$TD"
check "the reply left ar with ttl 32" grep -q "ttl 32," "$STFT_TMP/ttl.log"

log "what needs the XDP program changed is refused, and changes nothing"
before="$(stf ar -j status eth0)"
rc="$(stf_rc ar apply eth0 "$V3")"
check "apply of return-relay mode: exit 2 ($rc)" [ "$rc" = 2 ]
check "... saying to detach and attach" grep -q "mode relay -> return-relay.*detach and attach" "$STFT_TMP/last.err"
expect_out "status unchanged" "$before" stf ar -j status eth0

log "back to v1: the relay's route goes"
must stf ar apply eth0 "$V1"
expect_out "status v1" "$S1" stf_json ar "$STATE" status eth0
expect_out "no ::/0 into the tunnel" "" routes6 ar default
check "ping still answered" ping6 bh "$SITE_a_HOST6" 3
must stf ar detach eth0
must stf br detach eth0
finish
