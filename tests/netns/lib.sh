# shellcheck shell=bash
# Helpers for the end-to-end tests in tests/netns/ (and scripts/demo.sh).
#
# Source it from a test:   . "$(dirname "$0")/lib.sh"
# Everything a test creates lives in network namespaces named "$STFT_PREFIX<name>", where
# STFT_PREFIX is "stft-<pid>-": parallel or crashed runs never collide, and the EXIT trap
# deletes exactly this run's namespaces, background jobs and temporary files.
#
# Conventions
#   ns_add NAME                 create namespace NAME (lo up, no DAD, no RA)
#   link NS1 IF1 NS2 IF2 [MTU]  veth pair IF1 (in NS1) <-> IF2 (in NS2), both up
#   addr NS IF ADDR/LEN         add an IPv4 or IPv6 address (IPv6 without DAD)
#   nsx NS cmd...               run cmd inside NS
#   stf NS args...              run $STF_XDP inside NS (a fresh `ip netns exec` each time)
#   bg NS LOG cmd...            run cmd in the background inside NS; killed on exit
#   check "what" cmd...         run cmd; record pass/fail; show its output on failure
#   expect_eq "what" WANT GOT   record pass if equal (GOT is a value, never "$(probe)")
#   expect_out "what" WANT cmd...
#                               cmd must exit 0 AND print exactly WANT: a probe that fails
#                               (crash, typo, missing device) can never pass for "nothing"
#   finish                      print "N passed, M failed" and exit (non-zero if M>0 or N==0)
#
# Requirements are checked by stft_require; a missing one is a FAILURE (exit 1), never a skip.

set -u
set -o pipefail

STFT_PREFIX="${STFT_PREFIX:-stft-$$-}"
STFT_PASS=0
STFT_FAIL=0
STFT_BG_PIDS=()
STFT_TMP=""
STFT_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STFT_REPO="$(cd "$STFT_LIB_DIR/../.." && pwd)"
PY=/usr/bin/python3 # Debian's python, the one with scapy

log() { printf '# %s\n' "$*"; }

# A failure before any check ran (missing prerequisite, broken setup): say why and stop.
die() {
	printf 'FATAL: %s\n' "$*" >&2
	STFT_FAIL=$((STFT_FAIL + 1))
	finish
}

# ---- prerequisites -------------------------------------------------------------------------

# stft_require [scapy]: root, STF_XDP, iproute2, and optionally scapy.
stft_require() {
	[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, XDP, tc)"
	[ -n "${STF_XDP:-}" ] || die "STF_XDP is not set: point it at the stf-xdp binary (ctest sets it)"
	[ -x "$STF_XDP" ] || die "STF_XDP=$STF_XDP is not an executable file"
	STF_XDP="$(cd "$(dirname "$STF_XDP")" && pwd)/$(basename "$STF_XDP")"
	local tool
	for tool in ip tc ss ping timeout sha256sum ethtool; do
		command -v "$tool" >/dev/null || die "missing tool: $tool"
	done
	local want
	for want in "$@"; do
		case "$want" in
		scapy)
			[ -x "$PY" ] || die "missing $PY"
			"$PY" -c 'import scapy.all' 2>/dev/null || die "scapy missing: apt-get install python3-scapy"
			;;
		nc) command -v nc >/dev/null || die "missing nc: apt-get install netcat-openbsd" ;;
		tcpdump) command -v tcpdump >/dev/null || die "missing tcpdump: apt-get install tcpdump" ;;
		*) die "stft_require: unknown requirement $want" ;;
		esac
	done
	STFT_TMP="$(mktemp -d "/tmp/${STFT_PREFIX}XXXXXX")" || die "mktemp failed"
}

# ---- cleanup -------------------------------------------------------------------------------

# stft_umount_under DIR: unmount everything mounted at or below DIR (deepest first).
stft_umount_under() {
	local m
	for m in $(awk -v d="$1" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r); do
		umount -l "$m"
	done
}

stft_cleanup() {
	local rc=$?
	set +e
	local pid ns
	for pid in "${STFT_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${STFT_PREFIX}"); do
		# Only processes inside our own namespaces: the ones this script started.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	for pid in "${STFT_BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${STFT_PREFIX}"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	# A bpffs a test mounted there (test_dispatcher.sh) goes first, with what is pinned in it.
	[ -n "$STFT_TMP" ] && stft_umount_under "$STFT_TMP"
	[ -n "$STFT_TMP" ] && rm -rf "$STFT_TMP"
	exit "$rc"
}
trap stft_cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- namespaces and links ------------------------------------------------------------------

ns() { printf '%s%s' "$STFT_PREFIX" "$1"; }

ns_add() {
	local n
	n="$(ns "$1")"
	ip netns add "$n" || die "ip netns add $n failed"
	ip -n "$n" link set lo up || die "lo up in $n failed"
	# Addresses are usable at once (no DAD wait), and no router advertisement surprises.
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
		>/dev/null || die "sysctl in $n failed"
}

nsx() {
	local n
	n="$(ns "$1")"
	shift
	ip netns exec "$n" "$@"
}

# link NS1 IF1 NS2 IF2 [MTU]: a veth pair created directly inside both namespaces.
link() {
	local a b
	a="$(ns "$1")" b="$(ns "$3")"
	ip link add name "$2" netns "$a" type veth peer name "$4" netns "$b" ||
		die "veth $1/$2 <-> $3/$4 failed"
	if [ -n "${5:-}" ]; then
		ip -n "$a" link set "$2" mtu "$5" && ip -n "$b" link set "$4" mtu "$5" ||
			die "mtu $5 on $2/$4 failed"
	fi
	ip -n "$a" link set "$2" up && ip -n "$b" link set "$4" up || die "link up $2/$4 failed"
}

# addr NS IF ADDR/LEN
addr() {
	case "$3" in
	*:*) ip -n "$(ns "$1")" -6 addr add "$3" dev "$2" nodad || die "addr $3 on $1/$2 failed" ;;
	*) ip -n "$(ns "$1")" -4 addr add "$3" dev "$2" || die "addr $3 on $1/$2 failed" ;;
	esac
}

# route NS args... (ip route add args, family taken from the destination)
route() {
	local n="$1"
	shift
	case "$*" in
	*:*) ip -n "$(ns "$n")" -6 route add "$@" || die "route $* in $n failed" ;;
	*) ip -n "$(ns "$n")" -4 route add "$@" || die "route $* in $n failed" ;;
	esac
}

mac_of() { ip -n "$(ns "$1")" -j link show "$2" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }

# ---- state probes: each exits non-zero when it cannot tell, so absence is never assumed ----

# xdp_of NS IF: "none", "native ID" or "generic ID" (the XDP program on IF, from ip -j).
xdp_of() {
	ip -n "$(ns "$1")" -j -d link show dev "$2" | "$PY" -c 'import json,sys
x = json.load(sys.stdin)[0].get("xdp")
if not x:
    print("none")
else:
    mode = {1: "native", 2: "generic", 3: "offload"}.get(x["mode"], "mode%d" % x["mode"])
    print(mode, x["prog"]["id"])'
}

# stf_links NS: stf-xdp's tunnel devices and peers (stf<N>, stf<N>p), one a line, sorted.
stf_links() {
	ip -n "$(ns "$1")" -j link show | "$PY" -c 'import json,re,sys
print("\n".join(sorted(l["ifname"] for l in json.load(sys.stdin) if re.fullmatch(r"stf[0-9]+p?", l["ifname"]))))' |
		sed '/^$/d'
}

# routes6 NS PREFIX: the IPv6 routes for exactly PREFIX, "dev DEV [mtu M] [metric N]" a line.
routes6() {
	ip -n "$(ns "$1")" -j -6 route show "$2" | "$PY" -c 'import json,sys
for r in json.load(sys.stdin):
    print(" ".join(["dev", r.get("dev", "?")] +
        [k + " " + str(v) for k, v in (("mtu", r.get("metrics", [{}])[0].get("mtu") if r.get("metrics") else None), ("metric", r.get("metric"))) if v is not None]))'
}

# grep_count PATTERN FILE: lines of FILE matching PATTERN (grep -E); fails if FILE is unreadable.
grep_count() {
	local n
	n="$(grep -cE -- "$1" "$2")"
	[ $? -le 1 ] || return 2
	echo "$n"
}

# ---- the binary under test -----------------------------------------------------------------

stf() {
	local n="$1"
	shift
	ip netns exec "$(ns "$n")" "$STF_XDP" "$@"
}

# stf_rc NS args...: prints the exit code (stdout/stderr of the command go to $STFT_TMP/last.*)
stf_rc() {
	local n="$1"
	shift
	ip netns exec "$(ns "$n")" "$STF_XDP" "$@" >"$STFT_TMP/last.out" 2>"$STFT_TMP/last.err"
	echo $?
}

# stf_grep NS PATTERN args...: stf-xdp succeeds and its output matches PATTERN (grep -E).
stf_grep() {
	local n="$1" pat="$2" out
	shift 2
	out="$(stf "$n" "$@" 2>&1)" || {
		printf '%s\n' "$out"
		return 1
	}
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -Eq -- "$pat" || {
		echo "(output does not match /$pat/)"
		return 1
	}
}

# stf_json NS PYEXPR args...: stf-xdp -j args succeeds, prints JSON, and PYEXPR (d = the
# document) is printed: `stf_json ar 'd["interfaces"][0]["ttl"]' status eth0`.
stf_json() {
	local n="$1" expr="$2" out
	shift 2
	out="$(stf "$n" -j "$@")" || {
		printf '%s\n' "$out"
		return 1
	}
	printf '%s\n' "$out" | json_get "$expr"
}

# must cmd...: a setup step that has to work; on failure the test stops with its output.
must() {
	local out
	if ! out="$("$@" 2>&1)"; then
		printf 'setup step failed: %s\n%s\n' "$*" "$out" >&2
		die "setup failed"
	fi
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
	return 0
}

# ---- background jobs and bounded waits -----------------------------------------------------

# bg NS LOGFILE cmd...: start cmd in NS in the background (stdin /dev/null); pid in BG_PID.
BG_PID=""
bg() {
	local n="$1" logf="$2"
	shift 2
	ip netns exec "$(ns "$n")" "$@" </dev/null >"$logf" 2>&1 &
	BG_PID=$!
	STFT_BG_PIDS+=("$BG_PID")
}

# bg_stop PID: stop one of our background jobs and reap it (bounded).
bg_stop() {
	kill "$1" 2>/dev/null
	local i
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# bg_wait PID SECONDS: wait for a background job to end by itself; 0 if it did (its status
# is then in BG_STATUS), 1 on timeout.
BG_STATUS=""
bg_wait() {
	local pid="$1" i
	for i in $(seq $(($2 * 10))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			BG_STATUS=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# wait_until SECONDS cmd...: poll cmd every 0.1 s until it succeeds or time runs out.
wait_until() {
	local t="$1" i
	shift
	for i in $(seq $((t * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}

# port_open NS PORT [tcp|udp]: something listens on PORT in NS.
port_open() {
	local flag=-ltnH
	[ "${3:-tcp}" = udp ] && flag=-lunH
	[ -n "$(nsx "$1" ss "$flag" "sport = :$2" 2>/dev/null)" ]
}
wait_port() { wait_until 10 port_open "$@"; }

file_has() { grep -q -- "$2" "$1" 2>/dev/null; }

# ---- checks --------------------------------------------------------------------------------

check() {
	local what="$1" out rc
	shift
	out="$("$@" 2>&1)"
	rc=$?
	if [ $rc -eq 0 ]; then
		STFT_PASS=$((STFT_PASS + 1))
		printf 'ok   - %s\n' "$what"
	else
		STFT_FAIL=$((STFT_FAIL + 1))
		printf 'FAIL - %s (exit %d)\n' "$what" "$rc"
		[ -n "$out" ] && printf '%s\n' "$out" | tail -n 25 | sed 's/^/       | /'
	fi
	return $rc
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		STFT_PASS=$((STFT_PASS + 1))
		printf 'ok   - %s\n' "$1"
		return 0
	fi
	STFT_FAIL=$((STFT_FAIL + 1))
	printf 'FAIL - %s\n       | expected: %s\n       | actual:   %s\n' "$1" "$2" "$3"
	return 1
}

# expect_out "what" WANT cmd...: cmd exits 0 and its standard output is exactly WANT.
expect_out() {
	local what="$1" want="$2" got rc err
	shift 2
	err="$STFT_TMP/expect_out.err"
	got="$("$@" 2>"$err")"
	rc=$?
	if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then
		STFT_PASS=$((STFT_PASS + 1))
		printf 'ok   - %s\n' "$what"
		return 0
	fi
	STFT_FAIL=$((STFT_FAIL + 1))
	if [ $rc -ne 0 ]; then
		printf 'FAIL - %s\n       | probe failed (exit %d): %s\n' "$what" "$rc" "$*"
	else
		printf 'FAIL - %s\n       | expected: %s\n       | actual:   %s\n' "$what" "$want" "$got"
	fi
	[ -s "$err" ] && tail -n 5 "$err" | sed 's/^/       | err: /'
	return 1
}

finish() {
	trap - INT TERM HUP
	echo "$STFT_PASS passed, $STFT_FAIL failed"
	if [ "$STFT_FAIL" -gt 0 ] || [ "$STFT_PASS" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# The JSON/counter probes and the traffic helpers, in files of their own.
. "$STFT_LIB_DIR/lib_counters.sh"
. "$STFT_LIB_DIR/lib_traffic.sh"
