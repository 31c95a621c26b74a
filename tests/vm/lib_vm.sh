# shellcheck shell=bash
# Helpers of the interop tests in tests/vm/, on top of tests/netns/lib.sh and topo.sh. These
# tests need the kernel's sit (Debian's 6.1 kernel has it, this machine's does not), so they
# run in the VM: bash scripts/vm/run.sh tests/vm/test_sit_site.sh (or scripts/vm/suite.sh).
#
#   sit_6to4 NS V4ADDR [extra ip-tunnel args]
#                         a sit 6to4 tunnel tun6to4 in NS (local V4ADDR, remote any) with
#                         2002:V4ADDR::1/16 on it and 2002::/16 routed into it: the kernel's
#                         own 6to4 as the Linux IPv6 HOWTO sets it up. (Without the 2002::
#                         address the router's own packets leave from ::V4ADDR, the
#                         IPv4-compatible address sit puts on a "remote any" tunnel.)
#   sit_counters NS       "rx_packets tx_packets rx_errors tx_errors" of tun6to4
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../netns" && pwd)/lib.sh"
. "$STFT_LIB_DIR/topo.sh"

# The binary built on the host, unless the caller names another.
: "${STF_XDP:=$STFT_REPO/build/stf-xdp}"
export STF_XDP

# stft_require_sit: the kernel can make a sit device (a missing one is a failure: these tests
# exist to run against sit).
stft_require_sit() {
	local probe="stftsit$$"
	ip link add "$probe" type sit remote any local 192.0.2.99 2>/dev/null ||
		die "this kernel has no sit (tests/vm/ run in the 6.1 VM: bash scripts/vm/run.sh $0)"
	ip link del "$probe"
}

sit_6to4() {
	local n="$1" v4="$2"
	shift 2
	# Through netlink: `ip tunnel add tun6to4 mode sit remote any local V4ADDR` makes the
	# same device, but through an ioctl on the namespace's fallback device sit0, which
	# scripts/vm/suite.sh keeps out of new namespaces.
	ip -n "$(ns "$n")" link add tun6to4 type sit remote any local "$v4" "$@" ||
		die "sit tunnel in $n failed"
	ip -n "$(ns "$n")" link set tun6to4 up || die "tun6to4 up in $n failed"
	ip -n "$(ns "$n")" -6 addr add "$(sixtofour "$v4")::1/16" dev tun6to4 nodad ||
		die "2002:: address on tun6to4 in $n failed"
	ip -n "$(ns "$n")" -6 route add 2002::/16 dev tun6to4 || die "2002::/16 into tun6to4 in $n failed"
}

sit_counters() {
	ip -n "$(ns "$1")" -j -s link show tun6to4 | "$PY" -c 'import json,sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["packets"], s["tx"]["packets"], s["rx"]["errors"], s["tx"]["errors"])'
}

# sit_via_relay NS RELAY_V4: native IPv6 (::/0) into tun6to4 towards a 6to4 relay, the way
# sit is told a relay: an IPv4-compatible next hop (::RELAY_V4).
sit_via_relay() {
	ip -n "$(ns "$1")" -6 route add default via "::$2" dev tun6to4 ||
		die "::/0 via ::$2 into tun6to4 in $1 failed"
}

# sit_delta BEFORE AFTER (two sit_counters outputs): "rx+N tx+N rx_errors+N tx_errors+N".
sit_delta() {
	"$PY" -c 'import sys
a = list(map(int, sys.argv[1].split())); b = list(map(int, sys.argv[2].split()))
print("rx+%d tx+%d rx_errors+%d tx_errors+%d" % tuple(y - x for x, y in zip(a, b)))' "$1" "$2"
}

# changed_besides_traffic BEFORE AFTER IFACE: every stf-xdp counter other than decap/encap
# that moved ("" when no drop was counted).
changed_besides_traffic() {
	local d
	d="$(stats_diff "$1" "$2" "$3")" || return 1
	printf '%s\n' "$d" | tr ' ' '\n' | { grep -Ev '^(decap|encap)[+]|^$' || true; } | paste -sd' '
}
