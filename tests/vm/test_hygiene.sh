#!/bin/bash
# Resource hygiene on Debian 12's 6.1 kernel: a million packets through each encapsulation
# path and through decapsulation, then detach; the kernel's dst and neighbour counts must
# come back to where they were. A leak of one dst or one neighbour reference per packet (or
# per flow) would take down a busy server; here it would show as thousands to a million.
#
#   +------+ eth0   lan0 +------+ eth0             a0 +------+ sv0            eth0 +------+
#   |  lh  |-------------|  ar  |---------------------| inet |---------------------|  sv  |
#   +------+             +------+ 192.0.2.1/24        +------+ 203.0.113.126/26    +------+
#   2002:c000:201:1::10  2002:c000:201:1::1/64     192.0.2.254/24   203.0.113.65/26
#   ::/0 via ar          stf-xdp attach eth0       the sink         return relay, IPv4
#                        (router)                                   forwarding off host-wide
#
#   (a) resolved neighbour: lh sends UDP to 2002:c000:202::1; ar forwards it into the tunnel,
#       the FIB gives the on-link 192.0.2.2, resolved (bpf_fib_lookup SUCCESS, bpf_redirect).
#   (b) unresolved neighbour: lh sends UDP to 2002:c000:20a::1 .. 2002:c000:2d1::1, 200
#       on-link IPv4 addresses nobody answers ARP for (bpf_redirect_neigh); the neighbours
#       stay incomplete and the kernel drops the packets queued on them.
#   (c) return relay: sv (net.ipv4.conf.all.forwarding=0) sends UDP from its native
#       2001:db8:1::10 to 64 6to4 users 2002:c633:640a::1 .. (198.51.100.10-73), off-link
#       behind its gateway; attach turns IPv4 forwarding on for the tunnel device only.
#   (d) decapsulation: inet writes valid 6to4 frames (198.51.100.1 -> 192.0.2.1, inner
#       2002:c633:6401::1 -> 2002:c000:201:1::99) onto a0 with AF_PACKET; ar's XDP program
#       decapsulates them into its tunnel device and the kernel forwards them to the LAN.
#
# The sinks cost next to nothing: the resolved next hops (192.0.2.2 in ar, sv's gateway
# 203.0.113.126, the LAN's 2002:c000:201:1::99) are permanent neighbours with MAC addresses
# nobody owns, so the receiving namespace drops the frames at the door (PACKET_OTHERHOST)
# without touching a dst or a neighbour of its own. bpf_fib_lookup sees a valid neighbour
# either way. The packets come from build/tests/stf-flood (tests/vm/flood.cpp: sendmmsg, or
# AF_PACKET with PACKET_QDISC_BYPASS): a python per packet would take hours under emulation.
#
# For each path: the figures before attach, after the traffic, and after detach once the
# kernel has settled. Every path must take exactly its N packets (stf-xdp's counters: encap
# or decap +N and nothing else; the sinks' receive counters; for (b) nothing leaves, and the
# kernel's own unresolved-neighbour drops are printed). What is measured:
#
#   slab ip6_dst_cache, ip_dst_cache  active objects in /proc/slabinfo (scripts/vm/run.sh
#                         boots with slab_nomerge, else SLUB merges both into anonymous
#                         caches). Each cache is shrunk first (/sys/kernel/slab/*/shrink):
#                         SLUB counts every object of a CPU's own slabs as active, free or
#                         not, up to (1 + cpu_partial_slabs) x objs_per_slab per CPU, and
#                         shrinking hands those back, so what remains is objects in use.
#                         (6.1's /proc/net/rt6_stats counts no IPv6 dst, per-CPU route
#                         copies included: it reads 0 throughout, so the slab is the measure.)
#   IPv4 dst entries      /proc/net/stat/rt_cache "entries", kernel-wide
#   IPv6 route cache      `ip -6 route show cache` lines (exceptions), our namespaces
#   arp_cache, ndisc_cache  /proc/net/stat "entries": the neighbour tables' live objects,
#                         kernel-wide, dropped only when the last reference goes
#   neighbours            IPv4: /proc/net/arp lines; IPv6: `ip -6 neigh show nud all`
#                         lines; our namespaces
#
# The settle: the neighbour tables of our namespaces are flushed (all but the permanent
# sinks, the multicast NOARP entries too; an unlinked entry still counts in "entries" until
# its last reference is gone, so a leaked reference stays visible), then the figures are
# polled for up to STF_HYGIENE_SETTLE seconds (freed dsts and neighbours go after an RCU
# grace period). Waiting for the kernel's own garbage collection instead would not do: it
# runs every gc_interval (30 s) only while a table holds gc_thresh1 (128) entries or more, so
# up to 127 FAILED entries may stay for ever, leaked or not. The "before" figures are taken
# the same way (flush, settle), so both sides are in the same state.
#
# The tolerance: 0 for the neighbour figures. The dst figures may grow by one per route per
# CPU of our namespaces (IPv4: per CPU and one more, the input cache), counted before each
# path (set_tolerance): the kernel makes a route's per-CPU copy the first time a CPU uses the
# route and frees it with the route, a fixed cost per route, never per packet or per flow.
# A warm-up (a thousand packets on each path, then a flush and a ping) makes most of them
# before the first measurement, and the floods run on CPU 0. Measured so, the first long
# flood of (a) still leaves 1-2 such objects that a second and third run of (a) do not add
# to (3 x 600,000 packets: +2, +0, +0), and every later path comes back exactly. A leak per
# packet or per flow (64 to 200 flows a path here) would exceed it. Last, the namespaces are
# deleted and the kernel-wide figures must return exactly (tolerance 0) to what they were
# before the test began, and the kernel must have logged no leak or refcount warning.
#
# The kernel-wide figures are checked only where this test is all the kernel runs: in the
# VM stage's guest (STF_XDP_IN_VM=1, or STF_HYGIENE_KERNEL_WIDE=1). Elsewhere (the Vagrant
# box, whose own traffic makes and drops neighbours and dsts) they are printed, not checked;
# our namespaces' own figures are checked everywhere.
#
#   STF_HYGIENE_PACKETS  packets per path (default 1000000)
#   STF_HYGIENE_SETTLE   seconds to wait for the figures to return (default 30)
#   STF_HYGIENE_HOSTS    hosts of each of the 64 6to4 users the return relay of (c) answers
#                        (default 1; 2002:V4ADDR::1 up to ::HOSTS)
. "$(dirname "$0")/lib_vm.sh"
stft_require

FLOOD="${STF_FLOOD:-$STFT_REPO/build/tests/stf-flood}"
[ -x "$FLOOD" ] || die "no $FLOOD (built by cmake with the tests: bash scripts/setup.sh)"
command -v taskset >/dev/null || die "missing taskset (util-linux)"
N="${STF_HYGIENE_PACKETS:-1000000}"
NCPU=$(nproc)
SETTLE="${STF_HYGIENE_SETTLE:-30}"
HOSTS="${STF_HYGIENE_HOSTS:-1}"
WARM=1000
KERNEL_WIDE="${STF_HYGIENE_KERNEL_WIDE:-${STF_XDP_IN_VM:-0}}"
GLOBAL_KEYS=" slab_ip6_dst_cache slab_ip_dst_cache dst4_entries arp_cache_entries ndisc_cache_entries "
# checked KEY: whether figure KEY is compared here (see the top).
checked() { [ "$KERNEL_WIDE" = 1 ] || [[ "$GLOBAL_KEYS" != *" $1 "* ]]; }
T_START=$(date +%s)
DMESG0=$(dmesg | wc -l)
NSES="ar lh inet sv"

# ---- metrics -------------------------------------------------------------------------------

# stat_col FILE NAME [sum]: a column of /proc/net/stat/FILE (hex); "entries" is kernel-wide
# and repeated on every CPU's line, the event counters are per CPU and summed with "sum".
stat_col() {
	local hdr line i idx=-1 total=0
	{
		read -r -a hdr
		for i in "${!hdr[@]}"; do [ "${hdr[$i]}" = "$2" ] && idx=$i; done
		[ "$idx" -ge 0 ] || return 1
		while read -r -a line; do
			total=$((total + 16#${line[$idx]}))
			[ "${3:-}" = sum ] || break
		done
	} <"/proc/net/stat/$1"
	echo "$total"
}

# slab_active NAME: objects in use in slab cache NAME, after shrinking it; "merged" when the
# kernel merged it into another cache (booted without slab_nomerge).
slab_active() {
	local name active rest
	[ -w "/sys/kernel/slab/$1/shrink" ] && echo 1 >"/sys/kernel/slab/$1/shrink" 2>/dev/null
	while read -r name active rest; do
		[ "$name" = "$1" ] && {
			echo "$active"
			return
		}
	done </proc/slabinfo
	echo merged
}

# A process parked in each namespace: /proc/PID/net is that namespace's, read without an
# `ip netns exec` per figure.
declare -A NS_PID
park() {
	local n
	for n in $NSES; do
		bg "$n" /dev/null sleep 100000
		NS_PID[$n]=$BG_PID
		# In the namespace once `ip netns exec` has become sleep (it execs after setns).
		wait_until 10 grep -qx sleep "/proc/$BG_PID/comm" || die "no process parked in $n"
	done
}

# metrics_global: the kernel-wide figures, "name value" a line.
metrics_global() {
	echo "slab_ip6_dst_cache $(slab_active ip6_dst_cache)"
	echo "slab_ip_dst_cache $(slab_active ip_dst_cache)"
	echo "dst4_entries $(stat_col rt_cache entries)"
	echo "arp_cache_entries $(stat_col arp_cache entries)"
	echo "ndisc_cache_entries $(stat_col ndisc_cache entries)"
}

# metrics: the kernel-wide figures and our namespaces' own. Per namespace one `ip -6 -batch`
# (under emulation every process start counts): its neighbour lines are told from its route
# cache lines by the state that ends them. The IPv4 neighbours come from /proc/net/arp (all
# but NOARP entries, which IPv4 makes only on NOARP devices: none here).
metrics() {
	local n cache6=0 n4=0 n6=0 line
	metrics_global
	for n in $NSES; do
		while read -r line; do
			case "$line" in
			*" PERMANENT" | *" NOARP" | *" REACHABLE" | *" STALE" | *" DELAY" | *" PROBE" | \
				*" FAILED" | *" INCOMPLETE" | *" NONE") n6=$((n6 + 1)) ;;
			"") ;;
			*) cache6=$((cache6 + 1)) ;;
			esac
		done < <(printf 'neigh show nud all\nroute show cache\n' | ip -6 -n "$(ns "$n")" -b - 2>&1 |
			sed 's/[[:space:]]*$//')
		n4=$((n4 + $(wc -l <"/proc/${NS_PID[$n]}/net/arp") - 1))
	done
	echo "route6_cache $cache6"
	echo "neigh4 $n4"
	echo "neigh6 $n6"
}

# Labels of the table, in its order.
METRIC_NAMES="slab_ip6_dst_cache slab_ip_dst_cache dst4_entries route6_cache
arp_cache_entries ndisc_cache_entries neigh4 neigh6"
declare -A LABEL=(
	[slab_ip6_dst_cache]="slab ip6_dst_cache, active objs"
	[slab_ip_dst_cache]="slab ip_dst_cache, active objs"
	[dst4_entries]="IPv4 dst entries (rt_cache)"
	[route6_cache]="ip -6 route show cache, ours"
	[arp_cache_entries]="arp_cache entries"
	[ndisc_cache_entries]="ndisc_cache entries"
	[neigh4]="IPv4 neighbours (/proc/net/arp), ours"
	[neigh6]="ip -6 neigh show nud all, ours"
)

# The tolerance of each figure (0 unless named here): see set_tolerance.
declare -A TOL=()

# set_tolerance: one dst per route per CPU of our namespaces (IPv4: and the input cache), the
# per-CPU route copies the kernel makes at a route's first use on a CPU (see the top); the
# neighbour figures, flushed, get none.
set_tolerance() {
	local n r4=0 r6=0
	for n in $NSES; do
		r6=$((r6 + $(ip -n "$(ns "$n")" -6 route show table all | grep -c .)))
		r4=$((r4 + $(ip -n "$(ns "$n")" -4 route show table all | grep -c .)))
	done
	TOL=([slab_ip6_dst_cache]=$((r6 * NCPU)) [slab_ip_dst_cache]=$((r4 * (NCPU + 1)))
		[dst4_entries]=$((r4 * (NCPU + 1))))
}

# read_metrics FILE NAME: the figures of FILE into the associative array NAME.
read_metrics() {
	local -n arr=$2
	local k v
	arr=()
	# shellcheck disable=SC2034 # a nameref: the caller's array
	while read -r k v; do arr["$k"]=$v; done <"$1"
}

# within BASE CUR: every figure of CUR is at most BASE's plus its tolerance; the ones over
# go to OVER ("name base->cur ..."). A merged slab is not compared (booted without
# slab_nomerge; the exact dst and neighbour counts still are).
OVER=""
within() {
	local k
	local -A b c
	read_metrics "$1" b
	read_metrics "$2" c
	OVER=""
	for k in $METRIC_NAMES; do
		[ -n "${b[$k]:-}" ] || continue
		[ "${b[$k]}" = merged ] && continue
		checked "$k" || continue
		[ -n "${c[$k]:-}" ] && [ "${c[$k]}" -le $((${b[$k]} + ${TOL[$k]:-0})) ] ||
			OVER="$OVER $k ${b[$k]}->${c[$k]:-?}"
	done
	OVER=${OVER# }
	[ -z "$OVER" ]
}

# flush_neigh: every neighbour of our namespaces but the permanent ones (the sinks), the
# multicast NOARP entries included (made again on demand, and otherwise collected at the
# kernel's whim), one `ip -batch` per namespace.
flush_neigh() {
	local n
	for n in $NSES; do
		printf 'neigh flush to 0.0.0.0/0\nneigh flush to ::/0\nneigh flush to ::/0 nud noarp\n' |
			ip -n "$(ns "$n")" -b - >/dev/null 2>&1
	done
	return 0
}

# settle OUT: flush our neighbour tables, then poll until two readings a second apart agree
# (bounded); the figures go to OUT. The "before" side of a comparison.
settle() {
	local i
	flush_neigh
	metrics >"$1.prev" || return 1
	for i in $(seq "$SETTLE"); do
		sleep 1
		metrics >"$1" || return 1
		cmp -s "$1" "$1.prev" && return 0
		mv "$1" "$1.prev"
	done
	mv "$1.prev" "$1"
	return 1
}

# settle_to BASE OUT: flush, then poll until every figure is back within tolerance of BASE's
# (bounded); the last reading goes to OUT and SETTLED_AFTER says how long it took.
SETTLED_AFTER=""
settle_to() {
	local t0 i waited=""
	t0=$(date +%s)
	for i in $(seq "$SETTLE"); do
		flush_neigh
		sleep 1
		metrics >"$2" || return 1
		if within "$1" "$2"; then
			SETTLED_AFTER="$(($(date +%s) - t0)) s"
			[ -n "$waited" ] && SETTLED_AFTER="$SETTLED_AFTER (waited for: $waited)"
			return 0
		fi
		waited=$OVER
	done
	SETTLED_AFTER="not within $SETTLE s (still over: $waited)"
	return 1
}

# table TITLE BEFORE AFTER [DETACH]: the figures side by side, "# " lines.
table() {
	local k
	local -A b a d
	read_metrics "$2" b
	read_metrics "$3" a
	[ -n "${4:-}" ] && read_metrics "$4" d
	log "$1"
	if [ -n "${4:-}" ]; then
		printf '#   %-37s %8s %14s %13s %10s\n' metric before "after traffic" "after detach" tolerance
		for k in $METRIC_NAMES; do
			printf '#   %-37s %8s %14s %13s %10s\n' "${LABEL[$k]}" "${b[$k]:-}" "${a[$k]:-}" "${d[$k]:-}" \
				"+${TOL[$k]:-0}"
		done
	else
		printf '#   %-37s %11s %13s %10s\n' metric "before test" "after test" tolerance
		for k in $METRIC_NAMES; do
			[ -n "${b[$k]:-}" ] || continue
			printf '#   %-37s %11s %13s %10s\n' "${LABEL[$k]}" "${b[$k]}" "${a[$k]:-}" "+${TOL[$k]:-0}"
		done
	fi
}

# check_returned WHAT BASE CUR: one check per figure, so a failure names it.
check_returned() {
	local k lim
	local -A b c
	read_metrics "$2" b
	read_metrics "$3" c
	for k in $METRIC_NAMES; do
		[ -n "${b[$k]:-}" ] || continue
		if [ "${b[$k]}" = merged ]; then
			log "$1: ${LABEL[$k]} not measured (the kernel merged the cache; boot with slab_nomerge)"
			continue
		fi
		if ! checked "$k"; then
			log "$1: ${LABEL[$k]} ${b[$k]} -> ${c[$k]:-none}, not checked (kernel-wide, and this kernel runs more than this test)"
			continue
		fi
		lim=$((${b[$k]} + ${TOL[$k]:-0}))
		check "$1: ${LABEL[$k]} back to ${b[$k]} (+${TOL[$k]:-0}): ${c[$k]:-none}" \
			test "${c[$k]:-x}" -le "$lim"
	done
}

# ---- counters of the paths -----------------------------------------------------------------

sys_counter() { nsx "$1" cat "/sys/class/net/$2/statistics/$3"; }
snmp() { # snmp NS FILE NAME: a counter of /proc/net/snmp6 (NAME VALUE) or /proc/net/snmp (tables)
	case "$2" in
	snmp6) awk -v k="$3" '$1 == k {print $2}' "/proc/${NS_PID[$1]}/net/snmp6" ;;
	snmp) awk -v k="${3#*:}" -v t="${3%%:*}:" '$1 == t && !h {for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next}
		$1 == t && h {print $c[k]; exit}' "/proc/${NS_PID[$1]}/net/snmp" ;;
	esac
}

# tun_of NS: the tunnel device stf-xdp made in NS (stf<N>; its peer is stf<N>p).
tun_of() { ip -n "$(ns "$1")" -o link show | sed -n 's/^[0-9]*: \(stf[0-9]*\)@.*/\1/p' | grep .; }

# ---- the topology --------------------------------------------------------------------------

# The kernel-wide figures before anything of ours exists, once the VM is quiet (an earlier
# test's namespaces are torn down asynchronously).
metrics_global >"$STFT_TMP/g.prev"
for i in $(seq "$SETTLE"); do
	sleep 1
	metrics_global >"$STFT_TMP/g.start"
	cmp -s "$STFT_TMP/g.start" "$STFT_TMP/g.prev" && break
	mv "$STFT_TMP/g.start" "$STFT_TMP/g.prev"
done
[ -s "$STFT_TMP/g.start" ] || mv "$STFT_TMP/g.prev" "$STFT_TMP/g.start"

for n in $NSES; do ns_add "$n"; done
link ar eth0 inet a0
link lh eth0 ar lan0
link sv eth0 inet sv0
addr ar eth0 192.0.2.1/24
addr inet a0 192.0.2.254/24
route ar default via 192.0.2.254
addr ar lan0 2002:c000:201:1::1/64
addr lh eth0 2002:c000:201:1::10/64
route lh default via 2002:c000:201:1::1
nsx ar sysctl -qw net.ipv6.conf.all.forwarding=1 || die "IPv6 forwarding in ar"
ip -n "$(ns ar)" neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev eth0 nud permanent || die "neighbour 192.0.2.2"
ip -n "$(ns ar)" -6 neigh add 2002:c000:201:1::99 lladdr 02:00:00:00:00:99 dev lan0 nud permanent ||
	die "neighbour 2002:c000:201:1::99"
addr sv eth0 203.0.113.65/26
addr inet sv0 203.0.113.126/26
ip -n "$(ns sv)" neigh add 203.0.113.126 lladdr 02:00:00:00:00:7e dev eth0 nud permanent || die "sv's gateway"
route sv default via 203.0.113.126
addr sv lo 2001:db8:1::10/128
nsx sv sysctl -qw net.ipv4.conf.all.forwarding=0 || die "IPv4 forwarding off in sv"
park
AR_MAC=$(mac_of ar eth0) || die "ar's MAC"

# The floods, on CPU 0 (see the top).
flood_a() { nsx lh taskset -c 0 "$FLOOD" udp 2002:c000:202::1 --count "$1" --ports 1000-1063; }
flood_b() { nsx lh taskset -c 0 "$FLOOD" udp 2002:c000:20a::1 --count "$1" --rotate 200; }
flood_c() {
	nsx sv taskset -c 0 "$FLOOD" udp 2002:c633:640a::1 --count "$1" --rotate 64 --hosts "$HOSTS" \
		--ports 1000-1063 \
		--src 2001:db8:1::10
}
flood_d() {
	nsx inet taskset -c 0 "$FLOOD" frames a0 --count "$1" --dst-mac "$AR_MAC" --ports 1000-1063 \
		--src4 198.51.100.1 --dst4 192.0.2.1 --src6 2002:c633:6401::1 --dst6 2002:c000:201:1::99
}
ATTACH_ar=(attach eth0)
ATTACH_sv=(attach eth0 --mode return-relay --local 203.0.113.65)

log "warm-up: $WARM packets on each path"
must stf ar "${ATTACH_ar[@]}"
must flood_a "$WARM"
must flood_d "$WARM"
must stf ar detach eth0
must stf sv "${ATTACH_sv[@]}"
must flood_c "$WARM"
must stf sv detach eth0
# and what the first flush brings (the neighbours resolved again, by ND and ARP).
flush_neigh
must ping6 lh 2002:c000:201:1::1 1
flush_neigh

# ---- the paths -----------------------------------------------------------------------------

# Before/after figures of each path's own counters, for its checks.
pre_a() { A0_RX=$(sys_counter inet a0 rx_packets); }
post_a() {
	local rx
	rx=$(($(sys_counter inet a0 rx_packets) - A0_RX))
	check "(a) the sink received the $N frames (a0 rx +$rx)" test "$rx" -ge "$N"
}
pre_b() {
	bg inet "$STFT_TMP/td-b.log" tcpdump -i a0 -n -U -w "$STFT_TMP/b.pcap" ip proto 41
	TD_B=$BG_PID
	wait_until 20 file_has "$STFT_TMP/td-b.log" listening || die "tcpdump on a0 did not start"
	A0_RX=$(sys_counter inet a0 rx_packets)
	UNRES=$(stat_col arp_cache unresolved_discards sum)
	RESF=$(stat_col arp_cache res_failed sum)
	ICMP6=$(snmp ar snmp6 Icmp6OutDestUnreachs)
	ICMP4=$(snmp ar snmp Icmp:OutDestUnreachs)
}
post_b() {
	local rx
	rx=$(($(sys_counter inet a0 rx_packets) - A0_RX))
	sleep 1
	bg_stop "$TD_B"
	expect_out "(b) no encapsulated packet left ar (protocol 41 on a0; a0 received $rx frames, ARP)" 0 \
		sh -c "tcpdump -r '$STFT_TMP/b.pcap' -n 2>/dev/null | wc -l"
	log "(b) arp_cache: unresolved_discards +$(($(stat_col arp_cache unresolved_discards sum) - UNRES)), res_failed +$(($(stat_col arp_cache res_failed sum) - RESF)); the rest of the $N were queued on a neighbour when it failed"
	log "(b) ar sent ICMPv6 destination unreachable +$(($(snmp ar snmp6 Icmp6OutDestUnreachs) - ICMP6)), ICMP destination unreachable +$(($(snmp ar snmp Icmp:OutDestUnreachs) - ICMP4))"
	log "(b) neighbours right after the traffic: $(cat "$STFT_TMP/b.neigh")"
}
pre_c() {
	SV0_RX=$(sys_counter inet sv0 rx_packets)
	ND_ALLOCS=$(stat_col ndisc_cache allocs sum)
	ND_GC=$(stat_col ndisc_cache forced_gc_runs sum)
	expect_out "(c) sv: net.ipv4.conf.all.forwarding is 0" 0 nsx sv sysctl -n net.ipv4.conf.all.forwarding
}
post_c() {
	local rx tun
	rx=$(($(sys_counter inet sv0 rx_packets) - SV0_RX))
	check "(c) the sink received the $N replies (sv0 rx +$rx)" test "$rx" -ge "$N"
	# Every user shares the tunnel gateway's one neighbour entry (routes via fe80::1, not on-link).
	log "(c) ndisc_cache: allocs +$(($(stat_col ndisc_cache allocs sum) - ND_ALLOCS)), forced_gc_runs +$(($(stat_col ndisc_cache forced_gc_runs sum) - ND_GC)) for $((64 * HOSTS)) destinations"
	expect_out "(c) sv: net.ipv4.conf.all.forwarding still 0" 0 nsx sv sysctl -n net.ipv4.conf.all.forwarding
	expect_out "(c) sv: net.ipv4.conf.eth0.forwarding 0" 0 nsx sv sysctl -n net.ipv4.conf.eth0.forwarding
	tun=$(tun_of sv) || tun=unknown
	expect_out "(c) sv: IPv4 forwarding on for the tunnel $tun only" 1 nsx sv sysctl -n "net.ipv4.conf.$tun.forwarding"
}
pre_d() {
	TUN=$(tun_of ar) || die "ar's tunnel device"
	TUN_RX=$(sys_counter ar "$TUN" rx_packets)
	LH_RX=$(sys_counter lh eth0 rx_packets)
}
post_d() {
	local rx lh
	rx=$(($(sys_counter ar "$TUN" rx_packets) - TUN_RX))
	lh=$(($(sys_counter lh eth0 rx_packets) - LH_RX))
	expect_eq "(d) the tunnel device $TUN received the $N decapsulated packets" "$N" "$rx"
	check "(d) the LAN received them forwarded (lh eth0 rx +$lh)" test "$lh" -ge "$N"
}

# path ID NS COUNTER TITLE: one path from before attach to after detach.
path() {
	local id=$1 n=$2 what=$3 title=$4 out rc t0 secs attach m
	local f="$STFT_TMP/$id"
	log "path ($id): $title [$(($(date +%s) - T_START)) s into the test]"
	settle "$f.before" || log "($id): the figures before attach did not settle within $SETTLE s"
	set_tolerance
	attach="ATTACH_${n}[@]"
	must stf "$n" "${!attach}"
	"pre_$id"
	stf "$n" -j stats eth0 >"$f.s0" || die "stats -j in $n"
	t0=$(date +%s.%N)
	out=$("flood_$id" "$N" 2>&1)
	rc=$?
	check "($id) stf-flood sent $N: $out" test "$rc" = 0
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
	metrics >"$f.after" || die "metrics"
	for m in $NSES; do ip -n "$(ns "$m")" neigh show nud all | awk -v n="$m" '{print n, $NF}'; done |
		sort | uniq -c | awk '{printf "%s %s %s, ", $2, $1, $3}' | sed 's/, $//' >"$f.neigh"
	stf "$n" -j stats eth0 >"$f.s1" || die "stats -j in $n"
	expect_eq "($id) stf-xdp counted $what +$N and nothing else" "$(expected_diff "$what+$N")" \
		"$(stats_diff "$f.s0" "$f.s1" eth0)"
	"post_$id"
	must stf "$n" detach eth0
	settle_to "$f.before" "$f.detach"
	table "path ($id): $title; $N packets in $secs s; settled ${SETTLED_AFTER} after detach" \
		"$f.before" "$f.after" "$f.detach"
	check_returned "($id)" "$f.before" "$f.detach"
}

path a ar encap "resolved neighbour (IPv6 forwarded into the tunnel, bpf_redirect)"
path b ar encap "unresolved neighbour (200 on-link IPv4 destinations that never answer ARP, bpf_redirect_neigh)"
path c sv encap "return relay, IPv4 forwarding off host-wide"
path d ar decap "decapsulation (6to4 frames into XDP, delivered into the tunnel device)"

# ---- the whole test ------------------------------------------------------------------------

log "deleting the namespaces"
for n in $NSES; do bg_stop "${NS_PID[$n]}"; done
for n in $NSES; do ip netns del "$(ns "$n")" || die "ip netns del $n"; done
NSES=""
TOL=()
settle_to "$STFT_TMP/g.start" "$STFT_TMP/g.end" ||
	log "the kernel-wide figures did not return within $SETTLE s"
table "kernel-wide, before the test and after its namespaces were deleted (settled $SETTLED_AFTER)" \
	"$STFT_TMP/g.start" "$STFT_TMP/g.end"
check_returned "whole test" "$STFT_TMP/g.start" "$STFT_TMP/g.end"

# The kernel's own complaints: a dst or device reference held would make it wait for a
# device to become free when the tunnel is deleted.
dmesg | tail -n +"$((DMESG0 + 1))" >"$STFT_TMP/dmesg"
grep_none() { grep -Ei "$1" "$2"; [ $? -le 1 ]; }
expect_out "the kernel logged no leak, refcount or overflow warning" "" \
	grep_none 'unregister_netdevice|waiting for .* to become free|table overflow|refcount|WARNING|BUG|leak' "$STFT_TMP/dmesg"
log "wall time: $(($(date +%s) - T_START)) s for $N packets on each of 4 paths"
finish
