#!/bin/bash
# stf-xdp demo: two 6to4 sites, a 6to4 relay and a dual-stack server answering 6to4 users
# directly, all in network namespaces on this machine, with documentation addresses only.
#
#   site A                                                            site B
#   +------+ eth0   lan0 +------+ eth0   a0 +------+ b0   eth0 +------+ lan0   eth0 +------+
#   |  ah  |-------------|  ar  |-----------| inet |-----------|  br  |-------------|  bh  |
#   +------+             +------+           +------+           +------+             +------+
#   2002:c000:201:1::10  192.0.2.1           |    |       198.51.100.1  2002:c633:6401:1::10
#                        router mode     rl0 |    | sv0               router mode
#                        --relay 203.0.113.1 |    |                   --relay 203.0.113.1
#                               203.0.113.1  |    |  203.0.113.65
#                                     +-------+  +--------+
#                                     | relay |  | server |  return-relay (no decap)
#                                     +-------+  +--------+
#                                 2001:db8:1::1 ----- 2001:db8:1::10 (native IPv6)
#
# Usage: sudo bash scripts/demo.sh [--no-build]
#   The binary is $STF_XDP if set; otherwise scripts/setup.sh installs what is missing and
#   builds build/stf-xdp (skipped with --no-build). Everything is removed on exit.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${STF_XDP:-}" ]; then
	if [ "${1:-}" != --no-build ] && [ -f "$ROOT/scripts/setup.sh" ]; then
		echo "== building stf-xdp (scripts/setup.sh; log in /tmp/stf-xdp-demo-setup.log)"
		bash "$ROOT/scripts/setup.sh" >/tmp/stf-xdp-demo-setup.log 2>&1 || {
			tail -n 30 /tmp/stf-xdp-demo-setup.log
			echo "FATAL: setup/build failed" >&2
			exit 1
		}
	fi
	STF_XDP="$ROOT/build/stf-xdp"
fi
export STF_XDP
STFT_PREFIX="stfdemo-$$-"
# shellcheck source=../tests/netns/lib.sh
. "$ROOT/tests/netns/lib.sh"
# shellcheck source=../tests/netns/topo.sh
. "$ROOT/tests/netns/topo.sh"
stft_require nc

START=$SECONDS
say() { printf '\n== %s\n' "$*"; }
show() { # show NS TITLE args...: print an stf-xdp command and its output, indented
	local n="$1" title="$2"
	shift 2
	printf -- '-- [%s] stf-xdp %s\n' "$title" "$*"
	stf "$n" "$@" 2>&1 | sed 's/^/   /'
}

say "building the topology (namespaces prefixed $STFT_PREFIX)"
topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
topo_relay
topo_server
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6
echo "   site A host $A6 behind router 192.0.2.1"
echo "   site B host $B6 behind router 198.51.100.1"
echo "   relay 203.0.113.1 <-> native 2001:db8:1::/64; server $SERVER6 / $SERVER_V4"

say "attaching stf-xdp"
for cmd in "ar attach eth0 --relay $RELAY_V4" "br attach eth0 --relay $RELAY_V4" \
	"relay attach eth0 --mode relay" "server attach eth0 --mode return-relay --local $SERVER_V4"; do
	# shellcheck disable=SC2086
	set -- $cmd
	n="$1"
	shift
	echo "   [$n] stf-xdp $*"
	must stf "$n" "$@"
done

say "6to4 site to 6to4 site (direct, IPv4 protocol 41 between the two routers)"
check "ping A -> B" ping6 ah "$B6" 3
check "ping B -> A" ping6 bh "$A6" 3
check "TCP: 1 MiB from A to B, sha256 equal" tcp_transfer ah bh "$B6" 5001 1024

say "6to4 site to the native-IPv6 server (request via the relay, reply direct)"
stats_snap relay eth0 "$STFT_TMP/r0" && stats_snap server eth0 "$STFT_TMP/s0" || die "stats -j failed"
check "ping A -> server $SERVER6" ping6 ah "$SERVER6" 3
check "TCP: A downloads 1 MiB from the server, sha256 equal" tcp_fetch ah server "$SERVER6" 5002 1024
check "ping B -> server $SERVER6" ping6 bh "$SERVER6" 3
stats_snap relay eth0 "$STFT_TMP/r1" && stats_snap server eth0 "$STFT_TMP/s1" || die "stats -j failed"
RD="$(counter_delta "$STFT_TMP/r0" "$STFT_TMP/r1" eth0 decap)"
RE="$(counter_delta "$STFT_TMP/r0" "$STFT_TMP/r1" eth0 encap)"
SE="$(counter_delta "$STFT_TMP/s0" "$STFT_TMP/s1" eth0 encap)"
check "the relay decapsulated the requests ($RD packets)" test "${RD:-0}" -gt 0
check "the server encapsulated its replies itself ($SE packets)" test "${SE:-0}" -gt 0
expect_eq "no reply went back through the relay (relay encap)" 0 "$RE"

say "what stf-xdp reports"
for pair in "ar:site A router" "br:site B router" "relay:relay" "server:server"; do
	n="${pair%%:*}"
	t="${pair#*:}"
	show "$n" "$t" status
	show "$n" "$t" stats eth0
done

say "what happened"
cat <<EOF
   * Site A's host sent IPv6 to 2002:c633:6401:1::10. Router A's kernel routed 2002::/16 into
     stf-xdp's tunnel device, whose tc program wrapped each packet in IPv4 (protocol 41) to
     198.51.100.1, the address embedded in the destination. Router B's XDP program checked
     and stripped the outer header and its kernel forwarded the IPv6 packet to host B.
   * For the native server 2001:db8:1::10, router A encapsulated to the configured relay
     (--relay 203.0.113.1); the relay decapsulated and forwarded natively ($RD packets).
   * The server runs stf-xdp only as a return relay: its replies to 2002::/16 were
     encapsulated straight to 192.0.2.1 / 198.51.100.1 ($SE packets), so the relay
     encapsulated $RE replies: the return path no longer depends on a distant relay.
   * Every dropped packet appears under its own reason in "stf-xdp stats". The few
     encap_inner_multicast drops on the routers and the relay are the kernel's own MLD
     reports: with IPv6 forwarding on, the tunnel device joins the all-routers groups
     (ff02::2, ff05::2), and multicast is never tunnelled.
EOF

say "detaching"
for n in ar br relay server; do
	must stf "$n" detach eth0
done
echo "   done in $((SECONDS - START)) s; the namespaces are removed on exit"
finish
