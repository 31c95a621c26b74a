#!/bin/bash
# (f) kill -9 of the control plane at any point of an attach, a detach or a change leaves
# the old or the new state, never a mix; the dataplane keeps forwarding; the next invocation
# cleans up or completes. STF_XDP_KILL_AT=POINT makes stf-xdp SIGKILL itself at POINT
# (ctl/kill_point.h): every point of every operation is hit, deterministically.
#
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#                        the one killed                        attached throughout
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
must stf br attach eth0
B6=$SITE_b_HOST6
ATTACH=(attach eth0 --relay 203.0.113.1)
LOCALS='[(i["ifname"], [l["address"] for l in i["local"]]) for i in d["interfaces"]]'
FILTERS='[(i["ifname"], i["allow"], i["deny"]) for i in d["interfaces"]]'

# killed NS POINT args...: stf-xdp dies by SIGKILL at POINT (exit 137), not before or after.
killed() {
	local n="$1" point="$2" rc
	shift 2
	ip netns exec "$(ns "$n")" env STF_XDP_KILL_AT="$point" "$STF_XDP" "$@" >"$STFT_TMP/k.out" 2>&1
	rc=$?
	[ $rc = 137 ] || {
		echo "exit $rc, not 137 (SIGKILL at $point):"
		cat "$STFT_TMP/k.out"
		return 1
	}
}
nothing_left() { # nothing of stf-xdp in ar: no devices, no XDP, no routes into a tunnel
	local l x r d
	l="$(stf_links ar)" && x="$(xdp_of ar eth0)" && r="$(routes6 ar 2002::/16)" &&
		d="$(routes6 ar default)" || return 1
	echo "links=[$l] xdp=$x 2002::/16=[$r] default=[$d]"
	[ -z "$l" ] && [ "$x" = none ] && [ -z "$r" ] && [ -z "$d" ]
}

log "attach killed after each step: not attached (the old state); the next attach completes"
for point in tunnel_created maps_written encap_hooked links_up route_6to4 route_default \
	decap_hooked; do
	check "attach killed at $point" killed ar "$point" "${ATTACH[@]}"
	expect_out "[$point] status -j: nothing attached" '[]' stf_json ar 'd["interfaces"]' status
	check "[$point] attach again works" stf ar "${ATTACH[@]}"
	check "[$point] traffic A -> B" ping6 ah "$B6" 2
	check "[$point] detach" stf ar detach eth0
	check "[$point] nothing left" nothing_left
done

log "a leftover of a killed attach is removed by detach as well"
check "attach killed at route_6to4" killed ar route_6to4 "${ATTACH[@]}"
rc_is() { # rc_is "what" WANT NS args...
	local what="$1" want="$2" n="$3"
	shift 3
	expect_eq "$what (exit $want)" "$want" "$(stf_rc "$n" "$@")"
}
rc_is "detach removes the leftover" 0 ar detach eth0
check "nothing left" nothing_left
rc_is "a second detach: not attached" 4 ar detach eth0

log "detach killed at each point: detached (the new state), forwarding until removed"
for point in detach_marked detach_xdp_removed; do
	must stf ar "${ATTACH[@]}"
	check "detach killed at $point" killed ar "$point" detach eth0
	expect_out "[$point] status -j: nothing attached" '[]' stf_json ar 'd["interfaces"]' status
	if [ "$point" = detach_marked ]; then
		# XDP and the tunnel are still there: the dataplane goes on until the next call.
		check "[$point] traffic A -> B still flows" ping6 ah "$B6" 2
	fi
	rc_is "[$point] detach finishes the removal" 0 ar detach eth0
	check "[$point] nothing left" nothing_left
	check "[$point] attach works again" stf ar "${ATTACH[@]}"
	check "[$point] detach" stf ar detach eth0
done

log "changes killed before their commit point: the old state, traffic unaffected"
must stf ar "${ATTACH[@]}"
check "prefix add killed with the new config written but not selected" \
	killed ar config_written prefix add eth0 203.0.113.77
expect_out "prefix list: still only 192.0.2.1" '[["eth0", ["192.0.2.1"]]]' stf_json ar "$LOCALS" prefix list
check "traffic A -> B" ping6 ah "$B6" 2
check "prefix add again works" stf ar prefix add eth0 203.0.113.77
expect_out "prefix list: both" '[["eth0", ["192.0.2.1", "203.0.113.77"]]]' stf_json ar "$LOCALS" prefix list
check "filter add killed before its flag is up (deny B's router)" \
	killed ar config_written filter add eth0 deny 198.51.100.1/32
expect_out "filter list: nothing in force" '[["eth0", [], []]]' stf_json ar "$FILTERS" filter list
check "traffic B -> A is not denied (the old state)" ping6 bh "$SITE_a_HOST6" 2
check "filter add of another prefix completes cleanly" stf ar filter add eth0 deny 203.0.113.0/24
expect_out "filter list: only that one (the killed one's leftover is gone)" \
	'[["eth0", [], ["203.0.113.0/24"]]]' stf_json ar "$FILTERS" filter list
check "traffic B -> A still flows" ping6 bh "$SITE_a_HOST6" 2
check "filter del of the last entry killed before its flag is down" \
	killed ar config_written filter del eth0 deny 203.0.113.0/24
expect_out "filter list: the entry still in force (the old state)" \
	'[["eth0", [], ["203.0.113.0/24"]]]' stf_json ar "$FILTERS" filter list
check "filter del again completes" stf ar filter del eth0 deny 203.0.113.0/24
expect_out "filter list: empty" '[["eth0", [], []]]' stf_json ar "$FILTERS" filter list
check "detach" stf ar detach eth0
check "nothing left" nothing_left

log "IPv4 forwarding switched off host-wide after attach: status says so; fails closed"
must stf ar "${ATTACH[@]}"
TUN="$(stf_json ar 'd["interfaces"][0]["tunnel"]["name"]' status eth0)" || die "status -j"
expect_out "status -j: $TUN has IPv4 forwarding" true \
	stf_json ar 'd["interfaces"][0]["tunnel"]["ipv4_forwarding"]' status eth0
# all.forwarding 1 -> 0 sets every device's forwarding to 0, the tunnel's included.
must nsx ar sysctl -qw net.ipv4.conf.all.forwarding=1
must nsx ar sysctl -qw net.ipv4.conf.all.forwarding=0
expect_out "status -j: $TUN has lost it" false \
	stf_json ar 'd["interfaces"][0]["tunnel"]["ipv4_forwarding"]' status eth0
check "status (human form) says what it means" stf_grep ar "IPv4 forwarding is off on $TUN" status eth0
stats_snap ar eth0 "$STFT_TMP/fw0" || die "stats -j failed"
check "A -> B fails closed (2 sent, 0 answered)" ping6_lost ah "$B6" 2
stats_snap ar eth0 "$STFT_TMP/fw1" || die "stats -j failed"
expect_out "ar counted the 2 requests as encap_fib_failed" "encap_fib_failed+2" \
	stats_diff "$STFT_TMP/fw0" "$STFT_TMP/fw1" eth0
check "detach" stf ar detach eth0
check "attach again restores it" stf ar "${ATTACH[@]}"
check "traffic A -> B" ping6 ah "$B6" 2
check "detach" stf ar detach eth0
must stf br detach eth0
finish
