#!/bin/bash
# The systemd unit systemd/stf-xdp@.service under a real systemd (Debian 12's 252, the host's
# /usr): runs in the 6.1 VM, where this script may start a service manager of its own:
#   bash scripts/vm/run.sh tests/vm/test_systemd_unit.sh
#
# systemd runs as PID 1 of its own PID namespace (unshare), in the VM's network namespace,
# with journald and udev (so sys-subsystem-net-devices-IF.device exists and BindsTo= acts),
# on a writable /etc (a copy of the host's read-only one, in its own mount namespace).
# The unit is installed in /run/systemd/system as `cmake --install` writes it (ExecStart at
# the build's binary) for a veth stfu0 with /etc/stf-xdp/stfu0.json, and:
#   systemctl start    attaches (status), journal has the service's lines
#   systemctl reload   applies the edited file in place (status: the new ttl)
#   systemctl restart  keeps the dataplane (the same XDP program, "nothing to change")
#   systemctl stop     leaves it attached (--keep)
#   ip link del        stops the unit (BindsTo the device)
# The namespace is killed at the end: nothing of it is left for the next test in the VM.
. "$(dirname "$0")/lib_vm.sh"
stft_require
[ "${STF_XDP_IN_VM:-}" = 1 ] || die "runs in the VM only (it starts a service manager): bash scripts/vm/run.sh $0"
for f in /lib/systemd/systemd /lib/systemd/systemd-udevd /lib/systemd/systemd-journald; do
	[ -x "$f" ] || die "missing $f (apt-get install systemd udev)"
done
for tool in systemctl journalctl udevadm unshare nsenter pgrep; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done

IF=stfu0
SD="$STFT_TMP/sd" # the manager's overlay directories and log
UNIT=/run/systemd/system/stf-xdp@.service
mkdir -p "$SD" /run/systemd/system || die "mkdir"
SD_LAUNCHER=""

sd_cleanup() {
	[ -n "$SD_LAUNCHER" ] && kill -9 "$SD_LAUNCHER" 2>/dev/null # --kill-child: the namespace goes
	[ -n "$SD_LAUNCHER" ] && wait "$SD_LAUNCHER" 2>/dev/null
	ip link del "$IF" 2>/dev/null
	"$STF_XDP" detach "$IF" >/dev/null 2>&1
	# What the manager left in the VM's shared /run: the next test must not see a "booted" system.
	rm -rf /run/systemd /run/udev /run/log /run/credentials /run/mount /tmp/systemd-private-*-stf-xdp@* \
		/run/stf-xdp-unit-test
	return 0
}
trap 'rc=$?; sd_cleanup; (exit $rc); stft_cleanup' EXIT

# The unit as cmake --install writes it (cmake/Packaging.cmake), at a copy of the build's
# binary in /run: the unit's PrivateTmp and ProtectHome hide /tmp and /root from the service,
# and a clone may well live there (CI's did).
UNIT_BIN=/run/stf-xdp-unit-test/stf-xdp
mkdir -p "${UNIT_BIN%/*}" && cp "$STF_XDP" "$UNIT_BIN" || die "copy the binary to /run"
sed -e "s|/usr/sbin/stf-xdp |$UNIT_BIN |" "$STFT_REPO/systemd/stf-xdp@.service" >"$UNIT"
check "the installed unit runs the build's binary" grep -qx \
	"ExecStart=$UNIT_BIN run %I --config /etc/stf-xdp/%I.json --keep" "$UNIT"
# What the manager starts: journald and udev, nothing of the host's default target.
cat >/run/systemd/system/stf-test.target <<'UNIT'
[Unit]
Description=stf-xdp unit test: journald and udev only
Requires=systemd-journald.service systemd-udevd.service
After=systemd-journald.service systemd-udevd.service
UNIT

# The unit's default dependencies pull in sysinit.target and basic.target, whose units would
# change the VM under the tests that follow it (systemd-tmpfiles-setup empties /tmp,
# systemd-sysctl applies the host's sysctl.d, ...): masked, but for journald's and udev's.
for f in /usr/lib/systemd/system/{sysinit,basic,sockets,timers,paths,local-fs}.target.wants/* \
	/etc/systemd/system/{sysinit,basic,sockets,timers,paths,local-fs}.target.wants/*; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	case "${f##*/}" in
	systemd-journald* | systemd-udevd*) ;;
	*) ln -sfn /dev/null "/run/systemd/system/${f##*/}" ;;
	esac
done

log "systemd as PID 1 of its own PID namespace"
# A writable copy of the host's /etc, bound over /etc in the manager's mount namespace only
# (the initramfs has no overlayfs module).
mkdir -p "$SD/etc" && cp -a /etc/. "$SD/etc/" && mkdir -p "$SD/etc/stf-xdp" || die "copy of /etc"
# shellcheck disable=SC2016
unshare --pid --fork --mount --mount-proc --kill-child bash -c '
	mount --bind "$1" /etc || exit 1
	exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd --system \
		--unit=stf-test.target --log-target=console --show-status=no' _ "$SD/etc" \
	>"$SD/console.log" 2>&1 &
SD_LAUNCHER=$!
wait_until 60 test -S /run/systemd/private || die "systemd did not come up: $(tail -n 20 "$SD/console.log")"
SDPID="$(pgrep -P "$SD_LAUNCHER" | head -n 1)"
[ -n "$SDPID" ] || die "no systemd process"
# The manager refuses clients it cannot see (their pid is 0 in its PID namespace): its tools
# run inside its namespaces.
in_sd() { nsenter -t "$SDPID" -m -p "$@"; }
systemctl() { timeout 60 nsenter -t "$SDPID" -m -p systemctl "$@"; } # bounded: a hung job fails the check
journalctl() { in_sd journalctl "$@"; }
udevadm() { in_sd udevadm "$@"; }
# On a failure: what the manager says, for the log.
sd_debug() {
	{
		echo "---- systemctl status"
		systemctl --no-pager status "stf-xdp@$IF"
		echo "---- journal"
		journalctl --no-pager -n 40
		echo "---- manager's console"
		grep -v 'unprivileged client' "$SD/console.log" | tail -n 20
	} 2>&1 | sed 's/^/    /'
	return 0
}
# ActiveState of a unit (is-active's answer, with exit status 0 whatever the state).
state_of() { systemctl show -P ActiveState "$1"; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }
# journal_has PATTERN [MATCH...]: the unit's journal (and MATCHes) has a line with PATTERN.
journal_has() { journalctl --no-pager -u "stf-xdp@$IF" "${@:2}" | grep -q -- "$1"; }
wait_until 60 state_is stf-test.target active ||
	die "journald and udev did not start: $(systemctl --no-pager --failed 2>&1; tail -n 30 "$SD/console.log")"
ETC="$SD/etc/stf-xdp" # the manager's /etc/stf-xdp
check "systemd runs: $(systemctl --version | head -n 1)" [ "$(systemctl is-system-running 2>&1)" != offline ]
check "journald and udev are active" systemctl is-active -q systemd-journald.service systemd-udevd.service

log "the interface appears: its device unit exists"
ns_add peer
ip link add "$IF" type veth peer name eth0 netns "$(ns peer)" || die "veth"
ip addr add 192.0.2.1/24 dev "$IF" && ip link set "$IF" up && ip -n "$(ns peer)" link set eth0 up ||
	die "veth setup"
udevadm settle -t 30
DEV="sys-subsystem-net-devices-$IF.device"
wait_until 10 state_is "$DEV" active || true
expect_out "$DEV is active" active state_of "$DEV"
printf '{"local": "192.0.2.1", "ttl": 64}\n' >"$ETC/$IF.json" || die "cannot write the config"
TTL='d["interfaces"][0]["ttl"]'
# stf_json_here PYEXPR: `stf-xdp -j status IF` in the VM's own namespace, the unit's.
stf_json_here() { "$STF_XDP" -j status "$IF" | json_get "$1"; }
PROG='d["interfaces"][0]["xdp"]["prog_id"]'

log "systemctl start"
check "systemctl start stf-xdp@$IF" systemctl start "stf-xdp@$IF" || sd_debug
wait_until 20 state_is "stf-xdp@$IF" active || true
expect_out "active" active state_of "stf-xdp@$IF" || sd_debug
expect_out "attached: ttl 64" 64 stf_json_here "$TTL"
P1="$(stf_json_here "$PROG")"
check "journal has the service's lines" journal_has "stf-xdp run $IF: running (config /etc/stf-xdp/$IF.json)"

log "systemctl reload applies the edited file in place"
printf '{"local": "192.0.2.1", "ttl": 40}\n' >"$ETC/$IF.json"
check "systemctl reload" systemctl reload "stf-xdp@$IF"
wait_until 5 journal_has "ttl 64 -> 40" || true
expect_out "status: ttl 40" 40 stf_json_here "$TTL"
expect_out "the same XDP program ($P1)" "$P1" stf_json_here "$PROG"

log "systemctl restart keeps the dataplane"
MAIN1="$(systemctl show -P MainPID "stf-xdp@$IF")"
check "systemctl restart" systemctl restart "stf-xdp@$IF"
MAIN2="$(systemctl show -P MainPID "stf-xdp@$IF")"
check "a new process ($MAIN1 -> $MAIN2)" sh -c "[ '$MAIN2' != 0 ] && [ '$MAIN1' != '$MAIN2' ]"
wait_until 10 journal_has "running (config" "_PID=$MAIN2" || true
check "the new process adopted it: nothing to change" journal_has "$IF: nothing to change" "_PID=$MAIN2"
expect_out "the same XDP program ($P1)" "$P1" stf_json_here "$PROG"

log "systemctl stop leaves the dataplane (--keep)"
check "systemctl stop" systemctl stop "stf-xdp@$IF"
expect_out "inactive" inactive state_of "stf-xdp@$IF"
expect_out "still attached: ttl 40, the same program" "40 $P1" stf_json_here "\"%d %d\" % ($TTL, $PROG)"
check "journal: it kept the dataplane" journal_has "the dataplane keeps running (--keep)"

log "deleting the interface stops the unit (BindsTo)"
check "systemctl start again" systemctl start "stf-xdp@$IF"
expect_out "active" active state_of "stf-xdp@$IF"
ip link del "$IF" || die "ip link del"
wait_until 20 state_is "stf-xdp@$IF" inactive || true
expect_out "stopped with its device" inactive state_of "stf-xdp@$IF"
finish
