#!/bin/bash
# attach --xdp-dispatcher: stf-xdp's decapsulator and another libxdp program (xdp-tools'
# xdp-filter, dropping UDP to port 9999) share site A's interface through libxdp's dispatcher.
#
#   ah --- ar (eth0: libxdp dispatcher [xdp-filter prio 10, stf_decap prio 100]) --- inet --- br --- bh
#
# Both act: 6to4 pings A <-> B are decapsulated (exact counters, the slow path included) and
# UDP to 192.0.2.1:9999 is dropped (a listener there receives nothing) while port 9998 gets
# through.
# Detach removes stf-xdp's program only; xdp-filter keeps running. A plain attach onto the
# dispatcher, and a second attach with the option, are refused.
#
# libxdp keeps the dispatcher's programs in bpffs. `ip netns exec` gives every command a new
# /sys without the host's bpffs, so this test mounts one of its own and points libxdp at it
# (LIBXDP_BPFFS) for stf-xdp and xdp-filter alike.
#
# The dispatcher needs freplace (BPF_PROG_TYPE_EXT) programs. A kernel that refuses them
# (lockdown, or no BPF trampolines; libxdp then loads xdp-filter alone, without dispatcher)
# gets the other half: stf-xdp must refuse --xdp-dispatcher clearly and leave nothing behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require nc
command -v xdp-filter >/dev/null && command -v xdp-loader >/dev/null ||
	die "missing xdp-filter/xdp-loader: apt-get install xdp-tools"

export LIBXDP_BPFFS="$STFT_TMP/bpffs"
mkdir -p "$LIBXDP_BPFFS" && mount -t bpf bpf "$LIBXDP_BPFFS" || die "mount bpffs at $LIBXDP_BPFFS"

topo_internet
topo_site a 192.0.2.1 1400
topo_site b 198.51.100.1
A6=$SITE_a_HOST6
B6=$SITE_b_HOST6
PORT_DROP=9999
PORT_OK=9998

# prog_name ID: the kernel's name of BPF program ID.
prog_name() { bpftool -j prog show id "$1" | json_get 'd["name"]'; }
# hook_id: the id of the XDP program on ar's eth0 ("none" if there is none).
hook_id() { xdp_of ar eth0 | awk '{print $NF}'; }
# udp_to PORT N: N datagrams from inet to ar's 192.0.2.1:PORT.
udp_to() {
	local i
	for i in $(seq "$2"); do nsx inet bash -c "echo stft $1 $i >/dev/udp/192.0.2.1/$1"; done
}
# udp_listen PORT FILE: every datagram to ar's 192.0.2.1:PORT, a line in FILE.
udp_listen() {
	bg ar "$2" "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", int(sys.argv[1])))
print("ready", flush=True)
while True:
    print(s.recv(100).decode().strip(), flush=True)' "$1"
	wait_until 5 file_has "$2" ready || die "UDP listener on $1 did not start"
}
# attach_no_bpffs: attach --xdp-dispatcher with libxdp pointed at a directory that is no bpffs.
attach_no_bpffs() { LIBXDP_BPFFS="$STFT_TMP" stf_rc ar attach eth0 --xdp-dispatcher; }
# components: the programs libxdp's dispatcher on ar's eth0 runs, "name prio" a line.
components() {
	nsx ar xdp-loader status eth0 | awk '$1 == "eth0" && $2 == "xdp_dispatcher" {on = 1; next}
		on && $1 ~ /^=>/ {print $3, $2} on && $1 == "eth0" {on = 0}'
}

must nsx ar xdp-filter load -m native -f udp eth0
must nsx ar xdp-filter port $PORT_DROP -m dst
HOOK="$(hook_id)" && [ "$HOOK" != none ] || die "xdp-filter left no XDP program on ar eth0"

if [ "$(prog_name "$HOOK")" != xdp_dispatcher ]; then
	log "this kernel refuses freplace programs: libxdp loaded xdp-filter without its dispatcher"
	log "--- so --xdp-dispatcher must be refused, clearly, leaving nothing behind"
	expect_out "attach --xdp-dispatcher next to a non-dispatcher program: already attached (5)" \
		5 stf_rc ar attach eth0 --xdp-dispatcher
	check "... saying the program cannot be shared" grep -q "not libxdp's dispatcher" "$STFT_TMP/last.err"
	expect_out "... xdp-filter's program still on the hook" "native $HOOK" xdp_of ar eth0
	must nsx ar xdp-filter unload eth0
	expect_out "attach --xdp-dispatcher on a free hook: refused (1)" 1 stf_rc ar attach eth0 --xdp-dispatcher
	check "... saying libxdp could not set up its dispatcher" \
		grep -q "libxdp could not set up its dispatcher" "$STFT_TMP/last.err"
	expect_out "... no XDP program left" none xdp_of ar eth0
	expect_out "... no tunnel device left" "" stf_links ar
	expect_out "without bpffs: refused (1)" 1 attach_no_bpffs
	check "... naming the missing bpffs" grep -q "no bpffs at $STFT_TMP" "$STFT_TMP/last.err"
	expect_out "... no tunnel device left" "" stf_links ar
	finish
fi

log "--- stf-xdp joins xdp-filter's dispatcher"
expect_out "a plain attach onto libxdp's dispatcher: refused as already attached (5)" \
	5 stf_rc ar attach eth0
check "... pointing at --xdp-dispatcher" grep -q "already has an XDP program.*libxdp.s dispatcher.*--xdp-dispatcher" "$STFT_TMP/last.err"
expect_out "... nothing changed: no tunnel device" "" stf_links ar
must stf ar attach eth0 --xdp-dispatcher
must stf br attach eth0
DISP="$(hook_id)"
DECAP="$(stf_json ar 'd["interfaces"][0]["xdp"]["prog_id"]' status eth0)" || die "status -j"
expect_out "status -j: the dispatcher on the hook is the one named" "$DISP" \
	stf_json ar 'd["interfaces"][0]["xdp"]["dispatcher"]["prog_id"]' status eth0
expect_out "the dispatcher runs xdp-filter (prio 10), then stf_decap (prio 100)" \
	"$(printf 'xdpfilt_alw_udp 10\nstf_decap 100')" components
expect_out "... stf_decap is the program status names" stf_decap prog_name "$DECAP"
check "human status says so" stf_grep ar "prog id $DECAP in libxdp's dispatcher \\(prog id $DISP\\)" status eth0
expect_out "a second attach --xdp-dispatcher: already attached (5)" 5 stf_rc ar attach eth0 --xdp-dispatcher

log "--- both programs act"
stats_snap ar eth0 "$STFT_TMP/a0" || die "stats"
check "ping A -> B (5 packets)" ping6 ah "$B6" 5
check "ping B -> A (5 packets)" ping6 bh "$A6" 5
stats_snap ar eth0 "$STFT_TMP/a1" || die "stats"
expect_out "ar: 10 decapsulated (5 replies, 5 requests), 10 encapsulated, nothing else" \
	"decap+10 encap+10" stats_diff "$STFT_TMP/a0" "$STFT_TMP/a1" eth0
udp_listen $PORT_DROP "$STFT_TMP/udp.drop"
udp_listen $PORT_OK "$STFT_TMP/udp.ok"
udp_to $PORT_DROP 3
udp_to $PORT_OK 3
wait_until 5 sh -c "[ \$(grep -c stft '$STFT_TMP/udp.ok') -eq 3 ]"
expect_out "xdp-filter let the 3 datagrams to port $PORT_OK through" 3 grep_count stft "$STFT_TMP/udp.ok"
expect_out "xdp-filter dropped the 3 to port $PORT_DROP" 0 grep_count stft "$STFT_TMP/udp.drop"
stats_snap ar eth0 "$STFT_TMP/a2" || die "stats"
expect_out "stf-xdp counted none of the UDP" "" stats_diff "$STFT_TMP/a1" "$STFT_TMP/a2" eth0

log "--- the slow path runs stf-xdp's program, not the dispatcher"
bg ar "$STFT_TMP/slow.log" "$STF_XDP" slowpath
SLOW_PID=$BG_PID
wait_until 10 file_has "$STFT_TMP/slow.log" "ready" || die "slowpath did not start: $(cat "$STFT_TMP/slow.log")"
# The first reply earns ah a Packet Too Big (A's tunnel MTU is 1380), as in test_slow_path.sh.
nsx bh ping -6 -n -c 2 -i 0.2 -W 1 -s 1400 "$A6" >/dev/null 2>&1
stats_snap ar eth0 "$STFT_TMP/s0" || die "stats"
check "5 pings of 1448 bytes, fragmented on the way, all answered" ping6 bh "$A6" 5 -s 1400
stats_snap ar eth0 "$STFT_TMP/s1" || die "stats"
expect_out "each request: 2 fragments passed, 1 slow path, 1 decap; each reply encapsulated" \
	"$(expected_diff decap+5 encap+10 pass_fragment+10 slow_path+5)" \
	stats_diff "$STFT_TMP/s0" "$STFT_TMP/s1" eth0
check "slowpath served eth0 through stf_decap's copy" grep -q "serving eth0" "$STFT_TMP/slow.log"
bg_stop "$SLOW_PID"

log "--- detach removes stf-xdp's program only"
must stf ar detach eth0
expect_out "the dispatcher runs xdp-filter alone" "xdpfilt_alw_udp 10" components
expect_out "no tunnel device left" "" stf_links ar
expect_out "status: not attached (4)" 4 stf_rc ar status eth0
udp_to $PORT_DROP 2
udp_to $PORT_OK 1
wait_until 5 sh -c "[ \$(grep -c stft '$STFT_TMP/udp.ok') -eq 4 ]"
expect_out "xdp-filter still passes port $PORT_OK" 4 grep_count stft "$STFT_TMP/udp.ok"
expect_out "... and still drops port $PORT_DROP" 0 grep_count stft "$STFT_TMP/udp.drop"
check "6to4 to A is no longer decapsulated" ping6_lost bh "$A6" 2

log "--- again, and the plain attach is refused while the dispatcher stays"
must stf ar attach eth0 --xdp-dispatcher
check "ping B -> A through the dispatcher again" ping6 bh "$A6" 3
must stf ar detach eth0
must nsx ar xdp-filter unload eth0
expect_out "with xdp-filter unloaded too, the hook is free" none xdp_of ar eth0
must stf ar attach eth0
expect_out "... and the default attach owns it again, as before" "native $(stf_json ar 'd["interfaces"][0]["xdp"]["prog_id"]' status eth0)" xdp_of ar eth0
expect_out "... status -j: no dispatcher" null stf_json ar 'd["interfaces"][0]["xdp"]["dispatcher"]' status eth0
must stf ar detach eth0
finish
