#!/bin/bash
# stf-xdp run's Prometheus listener ("metrics": "ADDR:PORT" in its config file).
#
#   bh ---- br ==(6to4)== inet ---- ar ---- ah      (run eth0 in ar, scraped from inside ar)
#
# Off by default (nothing listens). On 127.0.0.1: GET /metrics answers the text format with
# its Content-Type; every counter equals what `stats -j` says, and both move by exactly the
# packets sent (5 pings: decap+5 encap+5); the service's gauges are there; other paths are
# 404 and other methods 405. A port in use is an error at start that changes nothing, and a
# name instead of an address a usage error. SIGHUP moves the listener to [::1]; a reload
# whose address is in use is refused and changes nothing (the old listener and the old ttl
# stay); idle connections do not hold the service and are closed after the idle timeout;
# a reload without the key turns the listener off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
stft_require

topo_internet
topo_site a 192.0.2.1
topo_site b 198.51.100.1
must stf br attach eth0
CFG="$STFT_TMP/eth0.json"
TTL='d["interfaces"][0]["ttl"]'

# scrape URL [METHOD]: "STATUS CONTENT-TYPE" on the first line, then the body (from ar).
scrape() {
	nsx ar "$PY" - "$1" "${2:-GET}" <<'PYEOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2])
try:
    r = urllib.request.urlopen(req, timeout=5)
except urllib.error.HTTPError as e:
    r = e
print(r.status, r.headers.get("Content-Type"))
sys.stdout.write(r.read().decode())
PYEOF
}
# (sed reads the whole body: head would close the pipe under python's feet)
head_line() { scrape "$@" | sed -n 1p; }
status_of() { head_line "$@" | cut -d' ' -f1; }
listening() { nsx ar ss -ltnH | awk '{print $4}' | LC_ALL=C sort | paste -sd' '; }

# The scraped text as {counter name: packets} (the names of contract.h, as `stats -j` has
# them), and the check that it lies between two `stats -j` snapshots taken around it: equal,
# except what moved meanwhile (the kernel's own MLD chatter, stats_diff explains).
PROM_FLAT_PY='
import re, sys
def prom(path):
    out = {}
    for line in open(path).read().splitlines()[1:]:
        m = re.match(r"stf_(\w+)_packets_total\{interface=\"eth0\"(?:,reason=\"(\w+)\")?\} (\d+)$", line)
        if m:
            out[m.group(2) or m.group(1)] = int(m.group(3))
    return out
'
between() {
	"$PY" -c "$STFT_FLATTEN_PY$PROM_FLAT_PY"'
a, b, m = flat(sys.argv[1], "eth0"), flat(sys.argv[3], "eth0"), prom(sys.argv[2])
names = [l.split("(")[1].split(",")[2].strip() for l in open(sys.argv[4]) if l.strip().startswith("X(")]
assert sorted(m) == sorted(names), "scraped counters %s != contract.h %s" % (sorted(m), sorted(names))
bad = [k for k in m if not a.get(k, 0) <= m[k] <= b.get(k, 0)]
assert not bad, "not between stats -j snapshots: " + str([(k, a.get(k, 0), m[k], b.get(k, 0)) for k in bad])
print(len(m), "counters")' "$1" "$2" "$3" "$STFT_REPO/include/stf/contract.h"
}
# prom_diff A B: what changed between two scrapes, in stats_diff's form.
prom_diff() {
	"$PY" -c "$PROM_FLAT_PY"'
a, b = prom(sys.argv[1]), prom(sys.argv[2])
print(" ".join("%s%+d" % (k, b[k] - a.get(k, 0)) for k in sorted(b)
               if b[k] != a.get(k, 0) and k not in sys.argv[3].split()))' "$1" "$2" "$STATS_DIFF_IGNORE"
}

# start_run LOG: the service in ar; waits for its "running" line.
start_run() {
	bg ar "$1" "$STF_XDP" run eth0 --config "$CFG"
	RUN=$BG_PID
	wait_until 10 file_has "$1" "running (config" || die "run did not start: $(cat "$1")"
}
stop_run() {
	kill "$RUN"
	bg_wait "$RUN" 10 || die "run did not stop"
}

log "off by default: nothing listens"
printf '{"local": "192.0.2.1", "ttl": 64}\n' >"$CFG"
start_run "$STFT_TMP/run0.log"
expect_out "ss -ltn in ar: no listening socket" "" listening
check "the log says nothing about metrics" sh -c "! grep -q metrics $STFT_TMP/run0.log"
stop_run

log "on 127.0.0.1:9100"
printf '{"local": "192.0.2.1", "ttl": 64, "metrics": "127.0.0.1:9100"}\n' >"$CFG"
start_run "$STFT_TMP/run1.log"
check "the log names the address" grep -q "metrics on http://127.0.0.1:9100/metrics" "$STFT_TMP/run1.log"
expect_out "ss -ltn: 127.0.0.1:9100 only" "127.0.0.1:9100" listening
expect_out "GET /metrics: 200, the 0.0.4 text format" "200 text/plain; version=0.0.4; charset=utf-8" \
	head_line http://127.0.0.1:9100/metrics
scrape http://127.0.0.1:9100/metrics >"$STFT_TMP/m0"
check "stf_attached 1" grep -qx 'stf_attached{interface="eth0"} 1' "$STFT_TMP/m0"
check "stf_slow_path_running 1 (this process serves it)" grep -qx 'stf_slow_path_running{interface="eth0"} 1' "$STFT_TMP/m0"
check "stf_attachment_info: router, native" grep -qE '^stf_attachment_info\{interface="eth0",tunnel="stf[0-9]+",mode="router",xdp_mode="native"\} 1$' "$STFT_TMP/m0"
check "every family declared with HELP and TYPE" sh -c \
	"[ \$(grep -c '^# TYPE' $STFT_TMP/m0) = \$(grep -c '^# HELP' $STFT_TMP/m0) ] && grep -q '^# TYPE stf_dropped_packets_total counter' $STFT_TMP/m0"

log "the counters are the ones stats -j reads, and move with traffic as stats -j does"
must stats_snap ar eth0 "$STFT_TMP/s1"
scrape http://127.0.0.1:9100/metrics >"$STFT_TMP/m1"
must stats_snap ar eth0 "$STFT_TMP/s1b"
check "every counter of contract.h, equal to stats -j around it" between "$STFT_TMP/s1" "$STFT_TMP/m1" "$STFT_TMP/s1b"
check "bh pings ah 5 times across the tunnel" ping6 bh "$SITE_a_HOST6" 5
scrape http://127.0.0.1:9100/metrics >"$STFT_TMP/m2"
must stats_snap ar eth0 "$STFT_TMP/s2"
expect_out "stats -j moved: decap+5 encap+5" "decap+5 encap+5" stats_diff "$STFT_TMP/s1b" "$STFT_TMP/s2" eth0
expect_out "/metrics moved the same: decap+5 encap+5" "decap+5 encap+5" prom_diff "$STFT_TMP/m1" "$STFT_TMP/m2"
expect_out "404 elsewhere" 404 status_of http://127.0.0.1:9100/
expect_out "404 for /metrics/x" 404 status_of http://127.0.0.1:9100/metrics/x
expect_out "405 for POST /metrics" 405 status_of http://127.0.0.1:9100/metrics POST

log "start with a port in use: an error, nothing changed"
CFG2="$STFT_TMP/other.json"
printf '{"local": "192.0.2.1", "ttl": 32, "metrics": "127.0.0.1:9100"}\n' >"$CFG2"
rc="$(stf_rc ar run eth0 --config "$CFG2")"
check "run exits 1 ($rc)" [ "$rc" = 1 ]
check "... saying why" grep -q "metrics: listen on 127.0.0.1:9100: Address already in use" "$STFT_TMP/last.err"
expect_out "... and changed nothing: ttl 64" 64 stf_json ar "$TTL" status eth0
printf '{"local": "192.0.2.1", "metrics": "localhost:9100"}\n' >"$CFG2"
rc="$(stf_rc ar run eth0 --config "$CFG2")"
check "a name instead of an address: usage error, exit 2 ($rc)" [ "$rc" = 2 ]
check "... naming the key" grep -q "key 'metrics': 'localhost:9100' is not ADDR:PORT" "$STFT_TMP/last.err"
rc="$(stf_rc ar check "$CFG2")"
check "check FILE refuses it too (exit $rc)" [ "$rc" = 2 ]

log "SIGHUP moves the listener to [::1]:9100"
printf '{"local": "192.0.2.1", "ttl": 64, "metrics": "[::1]:9100"}\n' >"$CFG"
kill -HUP "$RUN"
wait_until 5 file_has "$STFT_TMP/run1.log" 'metrics on http://\[::1\]:9100/metrics' ||
	check "the move is logged" false
expect_out "ss -ltn: [::1]:9100 only" "[::1]:9100" listening
expect_out "GET http://[::1]:9100/metrics: 200" 200 status_of "http://[::1]:9100/metrics"

log "a reload whose address is in use is refused: the listener and the settings stay"
bg ar "$STFT_TMP/squat.log" "$PY" -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 9200)); s.listen(); time.sleep(60)'
SQUAT=$BG_PID
wait_port ar 9200 || die "the squatter did not listen"
printf '{"local": "192.0.2.1", "ttl": 32, "metrics": "127.0.0.1:9200"}\n' >"$CFG"
kill -HUP "$RUN"
wait_until 5 file_has "$STFT_TMP/run1.log" "reload refused, nothing changed: metrics: listen on 127.0.0.1:9200: Address already in use" ||
	check "the refusal is logged" sh -c "cat $STFT_TMP/run1.log; false"
expect_out "ttl still 64" 64 stf_json ar "$TTL" status eth0
expect_out "still served on [::1]:9100" 200 status_of "http://[::1]:9100/metrics"
bg_stop "$SQUAT"

log "idle connections do not hold the service, and are closed after the idle timeout"
bg ar "$STFT_TMP/idle.log" "$PY" -c 'import socket, time
cs = []
for i in range(6):
    try:
        cs.append(socket.create_connection(("::1", 9100), timeout=2))
    except OSError:
        pass
print("connected", len(cs), flush=True)
t = time.time()
for c in cs:
    c.settimeout(30)
    try:
        c.recv(1)  # b"" when the server closes it
    except OSError:
        pass
print("closed after %d s" % (time.time() - t), flush=True)'
IDLE=$BG_PID
wait_until 5 file_has "$STFT_TMP/idle.log" "connected" || die "idle clients did not connect"
printf '{"local": "192.0.2.1", "ttl": 48, "metrics": "[::1]:9100"}\n' >"$CFG"
kill -HUP "$RUN"
wait_until 5 file_has "$STFT_TMP/run1.log" "ttl 64 -> 48" || check "a reload under idle connections" false
expect_out "status: ttl 48" 48 stf_json ar "$TTL" status eth0
bg_wait "$IDLE" 20 || die "idle connections still open after 20 s"
check "closed by the server within 15 s ($(tail -n 1 "$STFT_TMP/idle.log"))" sh -c \
	"grep -Eq 'closed after ([0-9]|1[0-5]) s' $STFT_TMP/idle.log"
expect_out "a scrape afterwards: 200" 200 status_of "http://[::1]:9100/metrics"

log "a reload without the key turns it off"
printf '{"local": "192.0.2.1", "ttl": 48}\n' >"$CFG"
kill -HUP "$RUN"
wait_until 5 file_has "$STFT_TMP/run1.log" "metrics off" || check "'metrics off' is logged" false
expect_out "ss -ltn: nothing listens" "" listening
stop_run
check "run exits 0 ($BG_STATUS)" [ "$BG_STATUS" = 0 ]
must stf br detach eth0
finish
