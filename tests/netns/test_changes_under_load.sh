#!/bin/bash
# (g) Changes under load: while valid 6to4 traffic and hostile traffic flow, prefixes and
# filters of the running attachment are changed over and over. No valid packet may be lost,
# and no packet that both the old and the new configuration drop may get through: the
# counters must account for every packet exactly. (Each change is written to the idle half of
# the double-buffered configuration and switched in one step; a filter entry goes in before
# its flag goes up and its flag down before the last entry goes.)
#
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#   UDP listener          changed all the      scapy: denied      valid pings to ah
#                         time                 sources to ah
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require scapy

PINGS=600
HOSTILE=300
topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
RMAC="$(mac_of ar eth0)" || die "MAC of ar eth0"
must stf ar attach eth0
must stf br attach eth0
# In force throughout: the hostile source 203.0.113.200 is denied by the old and the new
# configuration alike, whatever the changes below do.
must stf ar filter add eth0 deny 203.0.113.128/25
bg ah "$STFT_TMP/listener.log" "$PY" "$STFT_LIB_DIR/hostile.py" listen --port 5555 --out "$STFT_TMP/rx.log"
wait_port ah 5555 udp || die "UDP listener did not start"
check "warm-up: B -> A" ping6 bh "$A6" 2

stats_snap ar eth0 "$STFT_TMP/s0" || die "stats -j failed"
# The changes: a second prefix and three other filter entries, added and removed in turn. B
# (198.51.100.1) is allowed by every configuration on the way (the allow table goes
# {198.51.100.0/24}, {+203.0.113.0/24}, {198.51.100.0/24}, empty), so none of its packets may be
# dropped; 203.0.113.200 is denied by every one.
changes() {
	local i
	for i in $(seq 20); do
		stf ar prefix add eth0 203.0.113.77 &&
			stf ar filter add eth0 deny 203.0.113.0/26 &&
			stf ar filter add eth0 allow 198.51.100.0/24 &&
			stf ar filter add eth0 allow 203.0.113.0/24 &&
			stf ar filter del eth0 allow 203.0.113.0/24 &&
			stf ar filter del eth0 allow 198.51.100.0/24 &&
			stf ar filter del eth0 deny 203.0.113.0/26 &&
			stf ar prefix del eth0 203.0.113.77 || return 1
	done >/dev/null
	echo "160 changes made"
}
# Valid traffic: B pings A throughout (every request decapsulated by ar, every reply
# encapsulated by ar). Hostile traffic: 6to4 packets from the denied 203.0.113.200 to ah.
bg bh "$STFT_TMP/ping.log" ping -6 -n -i 0.01 -c $PINGS -W 2 "$A6"
PING=$BG_PID
bg "$INET_NS" "$STFT_TMP/hostile.log" "$PY" "$STFT_LIB_DIR/hostile.py" send --iface a0 \
	--dst-mac "$RMAC" --peer 203.0.113.200 --count $HOSTILE --tag load --interval 0.015 valid
HOST=$BG_PID
check "prefix and filter changes while traffic flows" changes
bg_wait "$PING" 30 || bg_stop "$PING"
bg_wait "$HOST" 30 || bg_stop "$HOST"
stats_snap ar eth0 "$STFT_TMP/s1" || die "stats -j failed"

check "no valid packet lost: $PINGS of $PINGS pings answered" \
	ping_summary_is "$(cat "$STFT_TMP/ping.log")" $PINGS $PINGS
expect_out "hostile.py sent all $HOSTILE hostile frames" "sent $HOSTILE frame(s): valid" cat "$STFT_TMP/hostile.log"
expect_out "none of the hostile frames reached ah" 0 grep_count '^stft:load:' "$STFT_TMP/rx.log"
expect_out "ar counted exactly: every request decapsulated, every reply encapsulated, every hostile frame denied" \
	"decap+$PINGS encap+$PINGS outer_src_denied+$HOSTILE" stats_diff "$STFT_TMP/s0" "$STFT_TMP/s1" eth0
expect_out "the configuration is back where it was" '[["eth0", [], ["203.0.113.128/25"]]]' \
	stf_json ar '[(i["ifname"], i["allow"], i["deny"]) for i in d["interfaces"]]' filter list
must stf ar detach eth0
must stf br detach eth0
finish
