# shellcheck shell=bash
# Reusable topologies for the end-to-end tests and scripts/demo.sh. Source lib.sh first.
#
# Only documentation addresses are used: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32, and 2002::/16 built from those. Everything lives in this run's namespaces.
#
# The whole picture (each builder adds one part; every box is a namespace):
#
#   site A (topo_site a 192.0.2.1)                       site B (topo_site b 198.51.100.1)
#   +-------+ eth0      lan0 +-------+ eth0          eth0 +-------+ lan0      eth0 +-------+
#   |  ah   |----------------|  ar   |---+        +-------|  br   |----------------|  bh   |
#   +-------+ 2002:c000:201  +-------+   |        |       +-------+ 2002:c633:6401 +-------+
#   ::1:10/64   :1::1/64   192.0.2.1/24  |        |  198.51.100.1/24  :1::1/64   :1::10/64
#                                        |  a0    | b0
#                            192.0.2.254 |        | 198.51.100.254
#                                      +--------------+
#                                      |     inet     |  IPv4 "internet" (topo_internet)
#                                      +--------------+  ip_forward=1, no IPv6 routing
#                            203.0.113.62 |         | 203.0.113.126
#                                     rl0 |         | sv0
#                     203.0.113.1/26 eth0 |         | eth0 203.0.113.65/26
#                                   +-------+     +--------+
#                  (topo_relay)     | relay |     | server |  (topo_server)
#                                   +-------+     +--------+
#                        2001:db8:1::1/64 native0 ----- eth1 2001:db8:1::10/64
#                                         native IPv6 link; server's ::/0 via the relay
#
# Site routers forward IPv6 (net.ipv6.conf.all.forwarding=1) between lan0 and the tunnel
# stf-xdp creates; the relay forwards between its tunnel and native0. Nothing here routes
# 2002::/16: that is what stf-xdp attach adds.

# wire NS IF: IF transmits complete checksums, as a real wire carries them. Between veths the
# kernel passes a locally sent packet's checksum as "to be done by hardware"
# (CHECKSUM_PARTIAL), and an XDP redirect (stf-xdp hands decapsulated frames to its tunnel
# device that way) drops that note, leaving the TCP checksum wrong. The IPv4 internet's
# router therefore sends every packet with its checksum done; the sites keep their offloads,
# so the encapsulator still meets GSO packets.
wire() {
	ip netns exec "$(ns "$1")" ethtool -K "$2" tx off >/dev/null || die "ethtool -K $2 tx off in $1 failed"
}

# Addresses, for the tests to use by name.
INET_NS=inet
RELAY_V4=203.0.113.1
RELAY_GW=203.0.113.62
RELAY_NATIVE6=2001:db8:1::1
SERVER_V4=203.0.113.65
SERVER_GW=203.0.113.126
SERVER6=2001:db8:1::10

# topo_internet: the IPv4 internet, one router namespace "inet" that the others hang off.
topo_internet() {
	ns_add "$INET_NS"
	nsx "$INET_NS" sysctl -qw net.ipv4.ip_forward=1 || die "ip_forward in inet"
}

# topo_site NAME V4ADDR [LINK_MTU]: a 6to4 site (needs topo_internet).
#
#   +----------+ eth0       lan0 +-----------+ eth0        NAME0 +------+
#   | NAME"h"  |-----------------| NAME"r"   |-------------------| inet |
#   +----------+                 +-----------+  V4ADDR/24        +------+
#   P:1::10/64    P:1::1/64      forwarding=1                    x.y.z.254/24
#   ::/0 via P:1::1              0.0.0.0/0 via x.y.z.254
#
# where P = 2002:V4ADDR (sixtofour V4ADDR). The link subnet is V4ADDR's /24, and the inet
# side takes its .254. Sets SITE_<NAME>_{V4,GW,P6,HOST6,RTR6,R,H} for the tests.
topo_site() {
	local name="$1" v4="$2" mtu="${3:-}"
	local p6 gw
	p6="$(sixtofour "$v4")"
	gw="${v4%.*}.254"
	ns_add "${name}r"
	ns_add "${name}h"
	link "${name}r" eth0 "$INET_NS" "${name}0" ${mtu:+"$mtu"}
	wire "$INET_NS" "${name}0"
	link "${name}h" eth0 "${name}r" lan0
	addr "${name}r" eth0 "$v4/24"
	addr "$INET_NS" "${name}0" "$gw/24"
	route "${name}r" default via "$gw"
	addr "${name}r" lan0 "$p6:1::1/64"
	addr "${name}h" eth0 "$p6:1::10/64"
	route "${name}h" default via "$p6:1::1"
	nsx "${name}r" sysctl -qw net.ipv6.conf.all.forwarding=1 || die "forwarding in ${name}r"
	declare -g "SITE_${name}_V4=$v4" "SITE_${name}_GW=$gw" "SITE_${name}_P6=$p6" \
		"SITE_${name}_HOST6=$p6:1::10" "SITE_${name}_RTR6=$p6:1::1" \
		"SITE_${name}_R=${name}r" "SITE_${name}_H=${name}h"
}

# topo_relay: a 6to4 relay router (needs topo_internet).
#
#   +------+ rl0            eth0 +-------+ native0
#   | inet |---------------------| relay |--------- (topo_server's eth1)
#   +------+ 203.0.113.62/26     +-------+ 2001:db8:1::1/64
#            203.0.113.1/26      forwarding=1, 0.0.0.0/0 via 203.0.113.62
topo_relay() {
	ns_add relay
	link relay eth0 "$INET_NS" rl0
	wire "$INET_NS" rl0
	addr relay eth0 "$RELAY_V4/26"
	addr "$INET_NS" rl0 "$RELAY_GW/26"
	route relay default via "$RELAY_GW"
	nsx relay sysctl -qw net.ipv6.conf.all.forwarding=1 || die "forwarding in relay"
}

# topo_server: a dual-stack server (needs topo_internet and topo_relay): IPv4 straight on
# the internet, native IPv6 behind the relay (its IPv6 default route is the relay).
#
#   +------+ sv0            eth0 +--------+ eth1          native0 +-------+
#   | inet |---------------------| server |-------------------------| relay |
#   +------+ 203.0.113.126/26    +--------+ 2001:db8:1::10/64       +-------+
#            203.0.113.65/26     0.0.0.0/0 via 203.0.113.126, ::/0 via 2001:db8:1::1
topo_server() {
	ns_add server
	link server eth0 "$INET_NS" sv0
	wire "$INET_NS" sv0
	link server eth1 relay native0
	addr server eth0 "$SERVER_V4/26"
	addr "$INET_NS" sv0 "$SERVER_GW/26"
	route server default via "$SERVER_GW"
	addr relay native0 "$RELAY_NATIVE6/64"
	addr server eth1 "$SERVER6/64"
	route server default via "$RELAY_NATIVE6"
}
