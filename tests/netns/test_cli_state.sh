#!/bin/bash
# Control plane on real namespaces: state found again by separate invocations (each its own
# `ip netns exec`, so a fresh /sys and nothing pinned), the same interface name attached in
# two namespaces at once, exit codes (5 already attached, 3 no interface, 4 not attached,
# 2 usage) with the state unchanged after every refusal, a clean detach, config files, and
# the peer filters acting on real traffic (outer_src_denied / outer_src_not_allowed).
#
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#   2002:c000:201:1::10  192.0.2.1/24                     198.51.100.1/24  2002:c633:6401:1::10
#                        "eth0" here  ...and "eth0" here: same name, two namespaces
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require tcpdump

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6

# rc_is "what" WANT NS args...: stf-xdp in NS exits with WANT (output shown on mismatch).
rc_is() {
	local what="$1" want="$2" n="$3" rc
	shift 3
	rc="$(stf_rc "$n" "$@")"
	expect_eq "$what (exit $want)" "$want" "$rc" || {
		sed 's/^/       | out: /' "$STFT_TMP/last.out" | head -n 5
		sed 's/^/       | err: /' "$STFT_TMP/last.err" | head -n 5
	}
}
# snapshot NS: everything stf-xdp's state consists of, as one text: status -j, filter and
# prefix lists, the links (names, XDP), IPv6 routes and tc on the tunnel devices. Fails if
# any probe fails, so two snapshots of a crashing stf-xdp can never compare equal.
snapshot() {
	local n t links
	n="$(ns "$1")"
	echo "== status" && ip netns exec "$n" "$STF_XDP" -j status || return 1
	echo "== prefix" && ip netns exec "$n" "$STF_XDP" -j prefix list || return 1
	echo "== filter" && ip netns exec "$n" "$STF_XDP" -j filter list || return 1
	echo "== links" && ip -n "$n" -d -o link show | sed 's/^[0-9]*: //; s/ link\/ether.*//' || return 1
	echo "== routes" && ip -n "$n" -6 route show || return 1
	links="$(stf_links "$1")" || return 1
	for t in $links; do
		echo "== tc $t" && tc -n "$n" filter show dev "$t" egress || return 1
	done
}
unchanged() { # unchanged NS FILE: the snapshot now equals FILE
	local now="$STFT_TMP/snap.now"
	snapshot "$1" >"$now" || {
		echo "snapshot failed:"
		cat "$now"
		return 1
	}
	diff -u "$2" "$now"
}
# The refusal must not have changed anything.
refused_unchanged() { # refused_unchanged "what" WANT NS args...
	local what="$1" want="$2" n="$3"
	shift 3
	snapshot "$n" >"$STFT_TMP/snap.before" || die "snapshot of $n failed: $(cat "$STFT_TMP/snap.before")"
	rc_is "$what" "$want" "$n" "$@"
	check "$what: state unchanged" unchanged "$n" "$STFT_TMP/snap.before"
}

log "before attach"
rc_is "stats on an interface without stf-xdp" 4 ar stats eth0
rc_is "detach an interface without stf-xdp" 4 ar detach eth0
rc_is "status of a missing interface" 3 ar status nosuch0
rc_is "attach a missing interface" 3 ar attach nosuch0
expect_out "status -j with nothing attached lists no interface" '[]' stf_json ar 'd["interfaces"]' status
expect_out "no stf devices before attach" "" stf_links ar

log "usage errors on an interface that is not attached: exit 2, nothing created"
printf '{"local": ["192.0.2.1"], "mode": ' >"$STFT_TMP/broken.json"
printf '{"lcoal": ["192.0.2.1"]}\n' >"$STFT_TMP/typo.json"
printf '{"ttl": "sixty-four"}\n' >"$STFT_TMP/type.json"
printf '{"mode": "bridge"}\n' >"$STFT_TMP/mode.json"
printf '{"filters": {"deny": ["198.51.100.0/33"]}}\n' >"$STFT_TMP/prefix.json"
for args in "--local 300.1.2.3" "--local 192.0.2" "--local 127.0.0.1" "--local 224.0.0.1" \
	"--relay 255.255.255.255" "--ttl 0" "--ttl 256" "--mode bridge" "--xdp-mode turbo" \
	"--bogus" "--config $STFT_TMP/broken.json" "--config $STFT_TMP/typo.json" \
	"--config $STFT_TMP/type.json" "--config $STFT_TMP/mode.json" \
	"--config $STFT_TMP/prefix.json" "--config $STFT_TMP/does-not-exist.json"; do
	# shellcheck disable=SC2086
	refused_unchanged "attach eth0 ${args/$STFT_TMP\//}" 2 br attach eth0 $args
	# Should one have been accepted, undo it so the next case starts from the same state.
	if [ "$(stf_rc br status eth0)" = 0 ]; then stf br detach eth0 >/dev/null 2>&1; fi
done
expect_out "br: no XDP program on eth0 after the refusals" none xdp_of br eth0
rc_is "unknown command" 2 br frobnicate
rc_is "attach without an interface" 2 br attach

log "attach, then find the state again from separate invocations"
must stf ar attach eth0
snapshot ar >"$STFT_TMP/ar.attached"
IFX="$(ip -n "$(ns ar)" -j link show eth0 | json_get 'd[0]["ifindex"]')" || die "ifindex of eth0"
LOCALS='[(i["ifname"], [l["address"] for l in i["local"]]) for i in d["interfaces"]]'
expect_out "status -j (new process) lists exactly eth0 with local 192.0.2.1" \
	'[["eth0", ["192.0.2.1"]]]' stf_json ar "$LOCALS" status
expect_out "status -j eth0 names the tunnel device stf<ifindex>" "stf$IFX" \
	stf_json ar 'd["interfaces"][0]["tunnel"]["name"]' status eth0
expect_out "status -j eth0 says mode router" router stf_json ar 'd["interfaces"][0]["mode"]' status eth0
check "status eth0 (human form) shows the local address and its prefix" \
	stf_grep ar '^ +local +192\.0\.2\.1 +prefix 2002:c000:201::/48$' status eth0
expect_out "-j after the command works too (status eth0 -j)" '[["eth0", ["192.0.2.1"]]]' \
	stf_json ar "$LOCALS" status eth0 -j
check "stats -j eth0 parses, decap/encap present" sh -c \
	"ip netns exec $(ns ar) $STF_XDP -j stats eth0 | $PY -c 'import json,sys; i=json.load(sys.stdin)[\"interfaces\"][0]; assert i[\"ifname\"]==\"eth0\"; i[\"decap\"][\"packets\"]; i[\"encap\"][\"bytes\"]; assert \"outer_src_private\" in i[\"drops\"], sorted(i[\"drops\"])'"
check "stats -j: every drop reason of contract.h is listed" sh -c \
	"ip netns exec $(ns ar) $STF_XDP -j stats eth0 | $PY -c 'import json,sys,subprocess
i = json.load(sys.stdin)[\"interfaces\"][0]
want = [l.split(\",\")[2].strip() for l in open(\"$STFT_REPO/include/stf/contract.h\") if \", DROP, \" in l]
miss = [w for w in want if w not in i[\"drops\"]]
assert not miss and len(want) > 40, miss'"
PREFIXES='[(i["ifname"], [l["address"] for l in i["local"]]) for i in d["interfaces"]]'
expect_out "prefix list -j shows exactly 192.0.2.1" '[["eth0", ["192.0.2.1"]]]' stf_json ar "$PREFIXES" prefix list
FILTERS='[(i["ifname"], i["allow"], i["deny"]) for i in d["interfaces"]]'
expect_out "filter list -j: both tables empty" '[["eth0", [], []]]' stf_json ar "$FILTERS" filter list
TUN="stf$IFX"
expect_out "exactly the tunnel device $TUN and its peer ${TUN}p exist" "$(printf '%s\n%s' "$TUN" "${TUN}p")" stf_links ar
expect_out "2002::/16 routed into $TUN with mtu 1480" "dev $TUN mtu 1480 metric 1024" routes6 ar 2002::/16
tc_prog_name() { tc -n "$(ns "$1")" -j filter show dev "$2" egress | json_get '[f["options"]["bpf_name"] for f in d if "options" in f]'; }
TC_ID="$(stf_json ar 'd["interfaces"][0]["tc_prog_id"]' status eth0)" || die "status -j failed"
expect_out "tc: exactly one program on $TUN egress, stf_encap with the id status reports" \
	"[\"stf_encap:[$TC_ID]\"]" tc_prog_name ar "$TUN"

log "already attached: exit 5, nothing changed"
refused_unchanged "second attach eth0" 5 ar attach eth0
refused_unchanged "second attach eth0 with other options" 5 ar attach eth0 --mode relay --ttl 9
log "usage errors on an attached interface: refused, nothing changed"
snapshot ar >"$STFT_TMP/snap.before"
for args in "--local 300.1.2.3" "--bogus" "--config $STFT_TMP/broken.json"; do
	# shellcheck disable=SC2086
	# A usage error is found before the state is looked at: 2, not 5 (README, exit codes).
	rc_is "attach eth0 ${args/$STFT_TMP\//} on an attached eth0 is a usage error" 2 ar attach eth0 $args
	check "attach eth0 ${args/$STFT_TMP\//}: state unchanged" unchanged ar "$STFT_TMP/snap.before"
done

log "prefix add/del"
check "prefix add eth0 203.0.113.77" stf ar prefix add eth0 203.0.113.77
expect_out "prefix list (new process) shows 192.0.2.1 and 203.0.113.77" \
	'[["eth0", ["192.0.2.1", "203.0.113.77"]]]' stf_json ar "$PREFIXES" prefix list
expect_out "status -j shows both too" '[["eth0", ["192.0.2.1", "203.0.113.77"]]]' stf_json ar "$LOCALS" status eth0
refused_unchanged "prefix add a duplicate" 2 ar prefix add eth0 203.0.113.77
refused_unchanged "prefix add a private address without --permit-private" 2 ar prefix add eth0 10.9.8.7
refused_unchanged "prefix add a bad address" 2 ar prefix add eth0 203.0.113.300
refused_unchanged "prefix add on a missing interface" 3 ar prefix add nosuch0 203.0.113.78
refused_unchanged "prefix add on an interface without stf-xdp" 4 ar prefix add lan0 203.0.113.78
check "prefix del eth0 203.0.113.77" stf ar prefix del eth0 203.0.113.77
expect_out "prefix list shows only 192.0.2.1 again" '[["eth0", ["192.0.2.1"]]]' stf_json ar "$PREFIXES" prefix list
refused_unchanged "prefix del an address that is not configured" 2 ar prefix del eth0 203.0.113.77
refused_unchanged "prefix del of the last prefix (a usage error: detach instead)" 2 ar prefix del eth0 192.0.2.1

log "filter add/del bookkeeping"
check "filter add eth0 deny 203.0.113.0/24" stf ar filter add eth0 deny 203.0.113.0/24
expect_out "filter list (new process) shows exactly the deny entry" '[["eth0", [], ["203.0.113.0/24"]]]' \
	stf_json ar "$FILTERS" filter list
refused_unchanged "filter add a bad prefix /33" 2 ar filter add eth0 deny 203.0.113.0/33
refused_unchanged "filter add with a bad kind" 2 ar filter add eth0 maybe 203.0.113.0/24
check "filter del eth0 deny 203.0.113.0/24" stf ar filter del eth0 deny 203.0.113.0/24
expect_out "filter list is empty again" '[["eth0", [], []]]' stf_json ar "$FILTERS" filter list
check "after prefix and filter round trips the state equals the freshly attached one" \
	unchanged ar "$STFT_TMP/ar.attached"

log "the same interface name (eth0) attached in a second namespace at once"
must stf br attach eth0
expect_out "br: status lists exactly eth0 with 198.51.100.1 (nothing of ar's)" \
	'[["eth0", ["198.51.100.1"]]]' stf_json br "$LOCALS" status
expect_out "ar: status lists exactly eth0 with 192.0.2.1 (nothing of br's)" \
	'[["eth0", ["192.0.2.1"]]]' stf_json ar "$LOCALS" status
check "ar: state untouched by br's attach" unchanged ar "$STFT_TMP/ar.attached"
check "traffic A <-> B through both attachments" ping6 ah "$B6" 3
check "traffic B <-> A" ping6 bh "$A6" 3

log "peer filters on real traffic"
stats_snap ar eth0 "$STFT_TMP/f0" || die "stats -j failed"
check "filter add ar eth0 deny 198.51.100.1/32" stf ar filter add eth0 deny 198.51.100.1/32
check "B -> A is dropped while denied (3 sent, 0 answered)" ping6_lost bh "$A6" 3
stats_snap ar eth0 "$STFT_TMP/f1" || die "stats -j failed"
expect_out "ar counted B's 3 requests as outer_src_denied (and nothing else)" \
	"outer_src_denied+3" stats_diff "$STFT_TMP/f0" "$STFT_TMP/f1" eth0
check "filter del ar eth0 deny 198.51.100.1/32" stf ar filter del eth0 deny 198.51.100.1/32
check "B -> A works again" ping6 bh "$A6" 3
stats_snap ar eth0 "$STFT_TMP/f2" || die "stats -j failed"
expect_out "ar: decap+3 encap+3 after the deny is gone" \
	"decap+3 encap+3" stats_diff "$STFT_TMP/f1" "$STFT_TMP/f2" eth0
check "filter add ar eth0 allow 203.0.113.0/24 (B is outside)" stf ar filter add eth0 allow 203.0.113.0/24
check "B -> A is dropped while not allowed (2 sent, 0 answered)" ping6_lost bh "$A6" 2
stats_snap ar eth0 "$STFT_TMP/f3" || die "stats -j failed"
expect_out "ar counted B's 2 requests as outer_src_not_allowed" \
	"outer_src_not_allowed+2" stats_diff "$STFT_TMP/f2" "$STFT_TMP/f3" eth0
check "filter add ar eth0 allow 198.51.100.0/24 (B inside)" stf ar filter add eth0 allow 198.51.100.0/24
check "B -> A works with B allowed" ping6 bh "$A6" 2
check "filter del both allow entries" sh -c \
	"ip netns exec $(ns ar) $STF_XDP filter del eth0 allow 203.0.113.0/24 && ip netns exec $(ns ar) $STF_XDP filter del eth0 allow 198.51.100.0/24"
check "B -> A works with the filters empty" ping6 bh "$A6" 2

log "detach leaves nothing behind"
check "detach br eth0" stf br detach eth0
check "ar still attached and unchanged after br's detach" unchanged ar "$STFT_TMP/ar.attached"
check "detach ar eth0" stf ar detach eth0
for n in ar br; do
	expect_out "$n: no stf* devices" "" stf_links $n
	expect_out "$n: no XDP program on eth0" none xdp_of $n eth0
	expect_out "$n: no 2002::/16 route" "" routes6 $n 2002::/16
	rc_is "$n: stats eth0 after detach" 4 $n stats eth0
	expect_out "$n: status -j lists no interface" '[]' stf_json $n 'd["interfaces"]' status
done
rc_is "detach again" 4 ar detach eth0

log "attach with --relay and a config file; detach removes ::/0 too"
cat >"$STFT_TMP/good.json" <<EOF
{"mode": "router", "relay": "203.0.113.1", "ttl": 33,
 "filters": {"deny": ["203.0.113.128/25"]}}
EOF
check "attach eth0 --config good.json --ttl 44 (command line wins)" \
	stf ar attach eth0 --config "$STFT_TMP/good.json" --ttl 44
expect_out "status -j shows ttl 44" 44 stf_json ar 'd["interfaces"][0]["ttl"]' status eth0
expect_out "status -j shows relay 203.0.113.1" 203.0.113.1 stf_json ar 'd["interfaces"][0]["relay"]' status eth0
expect_out "filter list shows exactly the config file's deny 203.0.113.128/25" \
	'[["eth0", [], ["203.0.113.128/25"]]]' stf_json ar "$FILTERS" filter list
expect_out "::/0 routed into the tunnel (mtu 1480, metric 2048)" "dev $TUN mtu 1480 metric 2048" routes6 ar default
must stf br attach eth0
bg inet "$STFT_TMP/ttl.log" tcpdump -v -n -c 1 -i a0 'ip proto 41 and src host 192.0.2.1'
TD=$BG_PID
wait_until 10 file_has "$STFT_TMP/ttl.log" "listening on" || die "tcpdump did not start"
check "ping A -> B with the config-file attachment" ping6 ah "$B6" 1
bg_wait "$TD" 5 || bg_stop "$TD"
check "the outer header leaves with TTL 44" grep -E '^[0-9:.]+ IP \(tos 0x[0-9a-f]+, ttl 44, .*proto IPv6 \(41\)' "$STFT_TMP/ttl.log"
check "detach ar eth0" stf ar detach eth0
expect_out "no ::/0 route left" "" routes6 ar default
expect_out "no stf* devices left" "" stf_links ar
check "re-attach after detach works (nothing left in the way)" stf ar attach eth0
check "traffic after re-attach" ping6 ah "$B6" 2
check "detach ar eth0" stf ar detach eth0
check "detach br eth0" stf br detach eth0

log "return-relay mode attach/detach"
check "attach eth0 --mode return-relay" stf ar attach eth0 --mode return-relay
expect_out "return-relay: no XDP program on eth0" none xdp_of ar eth0
expect_out "return-relay: 2002::/16 into the tunnel" "dev $TUN mtu 1480 metric 1024" routes6 ar 2002::/16
check "detach the return relay" stf ar detach eth0
expect_out "return-relay detach: no stf* devices" "" stf_links ar
expect_out "return-relay detach: no 2002::/16 route" "" routes6 ar 2002::/16

log "someone else's XDP program on eth0: refused (5), left exactly as it was"
check "a foreign XDP program is attached to ar's eth0" nsx ar "$PY" "$STFT_LIB_DIR/hostile.py" foreign-xdp --iface eth0
FOREIGN="$(xdp_of ar eth0)" || die "cannot read eth0's XDP program"
check "the foreign program is there, native ($FOREIGN)" test "${FOREIGN% *}" = native
refused_unchanged "attach eth0 over a foreign XDP program" 5 ar attach eth0
refused_unchanged "attach eth0 --xdp-mode generic over a foreign native program" 5 ar attach eth0 --xdp-mode generic
rc_is "detach eth0 when only a foreign program is there" 4 ar detach eth0
rc_is "stats eth0 when only a foreign program is there" 4 ar stats eth0
expect_out "the foreign program is still attached, same id" "$FOREIGN" xdp_of ar eth0
expect_out "no stf* devices were created" "" stf_links ar
must ip -n "$(ns ar)" link set dev eth0 xdp off
expect_out "the foreign program is gone before the next case" none xdp_of ar eth0

log "a failure half-way through attach is undone (2002::/16 already routed elsewhere)"
must ip -n "$(ns ar)" -6 route add 2002::/16 dev lan0
rc_is "attach eth0 with 2002::/16 already routed is refused as already attached" 5 ar attach eth0
check "the refusal names the route conflict" grep -q '2002::/16 is already routed' "$STFT_TMP/last.err"
expect_out "nothing left behind: no stf* devices" "" stf_links ar
expect_out "nothing left behind: no XDP program on eth0" none xdp_of ar eth0
expect_out "the existing 2002::/16 route is untouched" "dev lan0 metric 1024" routes6 ar 2002::/16
must ip -n "$(ns ar)" -6 route del 2002::/16 dev lan0
check "attach works again once the route is gone" stf ar attach eth0
check "detach" stf ar detach eth0

log "which V4ADDR: the interface's only IPv4 address, else --local is required"
refused_unchanged "attach lan0 (no IPv4 address) without --local" 2 ar attach lan0
addr ar eth0 192.0.2.2/24
refused_unchanged "attach eth0 with two IPv4 addresses and no --local" 2 ar attach eth0
check "attach eth0 --local 192.0.2.2 picks that one" stf ar attach eth0 --local 192.0.2.2
expect_out "status -j shows local 192.0.2.2 and not 192.0.2.1" '[["eth0", ["192.0.2.2"]]]' \
	stf_json ar "$LOCALS" status eth0
check "detach" stf ar detach eth0
must ip -n "$(ns ar)" addr del 192.0.2.2/24 dev eth0

log "an interface deleted while attached: detach still removes its tunnel"
must ip -n "$(ns ar)" link add name gone0 type veth peer name gone0p
addr ar gone0 198.51.100.77/24
must ip -n "$(ns ar)" link set gone0 up
check "attach gone0" stf ar attach gone0
must ip -n "$(ns ar)" link del gone0
check "status -j lists gone0 as interface_deleted" sh -c \
	"ip netns exec $(ns ar) $STF_XDP -j status | $PY -c 'import json,sys; l=[i for i in json.load(sys.stdin)[\"interfaces\"] if i[\"ifname\"]==\"gone0\"]; assert l and l[0][\"interface_deleted\"], l'"
check "detach gone0 removes the orphaned tunnel" stf ar detach gone0
expect_out "no stf* devices left" "" stf_links ar
expect_out "no 2002::/16 route left" "" routes6 ar 2002::/16
rc_is "a second detach gone0 says no such interface" 3 ar detach gone0

log "-n NETNS: the same state, asked from outside the namespace"
check "attach eth0 from outside with -n (and -v)" sh -c \
	"$STF_XDP -v -n $(ns ar) attach eth0 --local 192.0.2.1 2>$STFT_TMP/verbose.err"
check "-v shows libbpf's messages (loading the object, its programs)" \
	grep -q "^libbpf: .*stf_decap" "$STFT_TMP/verbose.err"
expect_out "status -j from outside (-n) and inside agree on the locals" \
	"$(stf_json ar "$LOCALS" status eth0)" \
	sh -c "$STF_XDP -n $(ns ar) -j status eth0 | $PY -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps($LOCALS))'"
check "no stf* device appeared in the caller's namespace" sh -c "! ip -j link show | grep -q '\"stf[0-9]'"
check "detach from outside with -n" "$STF_XDP" -n "$(ns ar)" detach eth0
expect_out "no stf* devices left in the namespace" "" stf_links ar

log "check FILE: a config file validated offline"
printf '{"local": "192.0.2.1", "mode": "relay", "relay": "203.0.113.1", "filters": {"deny": ["198.51.100.0/24"]}}\n' >"$STFT_TMP/ok.json"
check "check says a good file is valid" stf_grep ar "ok.json: valid" check "$STFT_TMP/ok.json"
expect_out "check -j shows it as attach would take it" '["relay", "203.0.113.1", 64, ["198.51.100.0/24"]]' \
	stf_json ar '[d["mode"], d["relay"], d["ttl"], d["filters"]["deny"]]' check "$STFT_TMP/ok.json"
printf '{"mode": "return-relay", "relay": "203.0.113.1"}\n' >"$STFT_TMP/bad.json"
rc_is "check refuses a relay in return-relay mode" 2 ar check "$STFT_TMP/bad.json"
check "... saying why" grep -q "a relay has no use in return-relay mode" "$STFT_TMP/last.err"
expect_out "check changed nothing: no stf* device" "" stf_links ar

log "-j errors are JSON on stdout"
rc_is "-j status nosuch0" 3 ar -j status nosuch0
expect_out "-j status nosuch0 prints {\"error\": ...} naming the interface on stdout" "no such interface: nosuch0" \
	json_get 'd["error"]' <"$STFT_TMP/last.out"
finish
