#!/bin/bash
# The systemd unit systemd/stf-xdp@.service, run as systemd would run it for eth0 (this
# machine's systemd is not the one managing these namespaces): systemd-analyze verifies it
# with the binary's path pointed at the build, then its ExecStartPre, ExecStart and
# ExecReload lines, %I expanded and /etc/stf-xdp and /usr/sbin pointed at this run's files,
# are run in the site router's namespace: start attaches, reload applies an edited file in
# place, stop (SIGTERM, systemd's KillSignal) leaves the dataplane running, and the next
# start adopts it with nothing to change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require
command -v systemd-analyze >/dev/null || die "missing tool: systemd-analyze (systemd)"

UNIT="$STFT_REPO/systemd/stf-xdp@.service"
ETC="$STFT_TMP/etc" && mkdir -p "$ETC"
# as_run FILE KEY: the unit's KEY= command for eth0, as this test runs it.
as_run() {
	sed -n "s|^$2=||p" "$1" | sed -e "s|%I|eth0|g; s|%i|eth0|g; s|/usr/sbin/stf-xdp|$STF_XDP|g; s|/etc/stf-xdp|$ETC|g"
}
sed -e "s|/usr/sbin/stf-xdp|$STF_XDP|g" "$UNIT" >"$STFT_TMP/stf-xdp@eth0.service"
check "systemd-analyze verify accepts the unit" sh -c \
	"systemd-analyze verify --man=no $STFT_TMP/stf-xdp@eth0.service 2>&1 | { ! grep -v 'sys-subsystem-net-devices'; }"
check "the unit runs 'stf-xdp run %I --config /etc/stf-xdp/%I.json --keep'" \
	grep -qx 'ExecStart=/usr/sbin/stf-xdp run %I --config /etc/stf-xdp/%I.json --keep' "$UNIT"
check "reload is SIGHUP to the main process" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$UNIT"

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
must stf br attach eth0
printf '{"local": "192.0.2.1"}\n' >"$ETC/eth0.json"
PRE="$(as_run "$UNIT" ExecStartPre)" START="$(as_run "$UNIT" ExecStart)"
# shellcheck disable=SC2086
check "ExecStartPre (check) accepts the file" nsx ar $PRE
start() {
	# shellcheck disable=SC2086
	bg ar "$1" $START
	MAIN=$BG_PID
	wait_until 10 file_has "$1" "running (config" || die "ExecStart did not start: $(cat "$1")"
}
start "$STFT_TMP/s1.log"
check "started: attached" grep -q "attached to eth0" "$STFT_TMP/s1.log"
check "tunnel traffic flows" ping6 bh "$SITE_a_HOST6" 3
printf '{"local": "192.0.2.1", "ttl": 40}\n' >"$ETC/eth0.json"
kill -HUP "$MAIN" # ExecReload
wait_until 5 file_has "$STFT_TMP/s1.log" "ttl 64 -> 40" || check "reload applied the edit" false
expect_out "status: ttl 40" 40 stf_json ar 'd["interfaces"][0]["ttl"]' status eth0
kill -TERM "$MAIN" # systemctl stop
bg_wait "$MAIN" 10 || die "the service did not stop"
check "stopped with exit 0 ($BG_STATUS)" [ "$BG_STATUS" = 0 ]
expect_out "the dataplane keeps running after stop" 40 stf_json ar 'd["interfaces"][0]["ttl"]' status eth0
check "tunnel traffic still flows" ping6 bh "$SITE_a_HOST6" 3
start "$STFT_TMP/s2.log"
check "the next start adopted it: nothing to change" grep -q "eth0: nothing to change" "$STFT_TMP/s2.log"
kill -TERM "$MAIN"
bg_wait "$MAIN" 10 || die "the service did not stop"
must stf ar detach eth0
must stf br detach eth0
finish
