#!/bin/bash
# attach --dry-run and detach --dry-run: the same checks as the real command (same exit codes),
# the plan printed in the order it would be carried out, and nothing changed: no device, no
# XDP program, no route, and traffic through a running attachment keeps flowing.
#
#   bh ---- br ==(6to4)== inet ==(6to4)== ar ---- ah      (test_two_sites' topology)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
must stf br attach eth0
ETH0="$(ip -n "$(ns ar)" -j link show eth0 | json_get 'd[0]["ifindex"]')"
TUN="stf$ETH0"

# state NS: what an attach or detach of eth0 changes, as one text.
state() {
	echo "links: $(stf_links "$1" | paste -sd' ')"
	echo "xdp: $(xdp_of "$1" eth0)"
	echo "2002::/16: $(routes6 "$1" 2002::/16)"
	echo "::/0: $(routes6 "$1" default)"
	echo "status: $(stf "$1" -j status)"
}
state ar >"$STFT_TMP/before"

log "attach --dry-run on an unattached eth0: the plan, nothing made"
expect_out "attach --dry-run -j lists the steps in order" \
	"[true, [\"create $TUN (peer ${TUN}p), mtu 1480\", \"config mode router, ttl 64, local 192.0.2.1, relay 203.0.113.1\", \"encapsulate: tc egress on $TUN and ${TUN}p\", \"up $TUN and ${TUN}p\", \"route 2002::/16 into the tunnel (metric 1024, mtu 1480)\", \"route ::/0 into the tunnel (metric 2048, mtu 1480)\", \"decapsulate: XDP (native) on eth0\", \"mark $TUN attached to eth0\"]]" \
	stf_json ar '[d["dry_run"], d["changes"]]' attach eth0 --relay 203.0.113.1 --dry-run
check "the human form says it would change" stf_grep ar "^eth0: would change$" attach eth0 --dry-run
check "nothing changed" diff -u "$STFT_TMP/before" <(state ar)

log "attach --dry-run refuses what attach refuses, with its exit code"
must ip -n "$(ns ar)" -6 route add 2002::/16 dev lan0
expect_out "a foreign 2002::/16: exit 5" 5 stf_rc ar attach eth0 --dry-run
check "... naming the route" grep -q '2002::/16 is already routed' "$STFT_TMP/last.err"
must ip -n "$(ns ar)" -6 route del 2002::/16 dev lan0
expect_out "a subnet broadcast as the relay: exit 2" 2 stf_rc ar attach eth0 --relay 192.0.2.255 --dry-run
expect_out "no such interface: exit 3" 3 stf_rc ar attach nosuch0 --dry-run
expect_out "detach --dry-run of an unattached eth0: exit 4" 4 stf_rc ar detach eth0 --dry-run
check "nothing changed" diff -u "$STFT_TMP/before" <(state ar)

log "attached: real packets through the tunnel, then detach --dry-run"
must stf ar attach eth0 --relay 203.0.113.1
check "ah reaches bh through the tunnels" ping6 ah "$SITE_b_HOST6" 2
state ar >"$STFT_TMP/attached"
PROG="$(xdp_of ar eth0 | cut -d' ' -f2)"
expect_out "detach --dry-run -j lists the steps in order" \
	"[true, [\"mark $TUN incomplete\", \"remove XDP program $PROG from eth0\", \"delete $TUN (with its peer and tc programs, routes 2002::/16, ::/0)\"]]" \
	stf_json ar '[d["dry_run"], d["changes"]]' detach eth0 --dry-run
expect_out "attach --dry-run over the attachment: exit 5" 5 stf_rc ar attach eth0 --dry-run
check "nothing changed" diff -u "$STFT_TMP/attached" <(state ar)
check "ah still reaches bh" ping6 ah "$SITE_b_HOST6" 2

log "the real detach does what its dry run said"
must stf ar detach eth0
check "back to the state before attach" diff -u "$STFT_TMP/before" <(state ar)
must stf br detach eth0
finish
