# shellcheck shell=bash
# Part of lib.sh (which sources it): traffic through the namespaces (ping, TCP transfers,
# captures) and address arithmetic.

# ---- traffic -------------------------------------------------------------------------------

# ping6 NS DST [COUNT] [extra ping args...]: every one of COUNT echo requests is answered,
# none lost (ping -c without -w exits 0 when any reply arrives, so the summary line is read).
ping6() { stft_ping 6 "$@"; }
ping4() { stft_ping 4 "$@"; }
stft_ping() {
	local fam="$1" n="$2" dst="$3" c="${4:-3}" out
	shift 4 2>/dev/null || shift $#
	out="$(nsx "$n" ping "-$fam" -n -c "$c" -i 0.2 -W 2 -w $((c + 5)) "$@" "$dst" 2>&1)"
	printf '%s\n' "$out"
	ping_summary_is "$out" "$c" "$c"
}

# ping6_lost NS DST COUNT [extra ping args...]: all COUNT echo requests were sent and not one was answered. A
# ping that could not send (bad address, no socket) fails this check instead of passing it.
ping6_lost() {
	local n="$1" dst="$2" c="$3" out
	shift 3
	out="$(nsx "$n" ping -6 -n -c "$c" -i 0.2 -W 1 "$@" "$dst" 2>&1)"
	printf '%s\n' "$out"
	ping_summary_is "$out" "$c" 0
}

# ping_summary_is OUTPUT SENT RECEIVED: ping's summary line says exactly that.
ping_summary_is() {
	local got
	got="$(printf '%s\n' "$1" | sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p')"
	[ "$got" = "$2 $3" ] || {
		echo "(wanted $2 sent and $3 received; ping's summary says: ${got:-no summary line})"
		return 1
	}
}

# same_bytes SENT RECEIVED: both files hold the same bytes (sha256); prints both digests.
same_bytes() {
	local a b
	a="$(sha256sum <"$1" | cut -d' ' -f1)"
	b="$(sha256sum <"$2" | cut -d' ' -f1)"
	echo "sent $(stat -c %s "$1") bytes sha256 $a; received $(stat -c %s "$2") bytes sha256 $b"
	[ "$a" = "$b" ]
}

# tcp_transfer FROM_NS TO_NS TO_ADDR PORT KBYTES: FROM sends KBYTES of random data to a
# listener in TO; the received data must be byte-identical (sha256). Bounded: 60 s.
tcp_transfer() {
	local from="$1" to="$2" dst="$3" port="$4" kb="$5"
	local src="$STFT_TMP/tx.$port" out="$STFT_TMP/rx.$port" pid
	head -c "$((kb * 1024))" /dev/urandom >"$src"
	rm -f "$out"
	bg "$to" "$STFT_TMP/nc-l.$port.log" sh -c "exec nc -6 -n -l $port >$out"
	pid=$BG_PID
	if ! wait_port "$to" "$port"; then
		echo "listener on port $port in $to did not come up"
		bg_stop "$pid"
		return 1
	fi
	if ! nsx "$from" timeout 60 nc -6 -n -N -w 10 "$dst" "$port" <"$src"; then
		echo "sender nc failed or timed out"
		bg_stop "$pid"
		return 1
	fi
	if ! bg_wait "$pid" 30; then
		echo "receiver did not see the end of the stream"
		bg_stop "$pid"
		return 1
	fi
	same_bytes "$src" "$out"
}

# tcp_fetch CLIENT_NS SERVER_NS SERVER_ADDR PORT KBYTES: the client downloads KBYTES from a
# one-shot server (data flows server -> client). Bounded: 60 s.
tcp_fetch() {
	local cl="$1" sv="$2" dst="$3" port="$4" kb="$5"
	local src="$STFT_TMP/srv.$port" out="$STFT_TMP/got.$port" pid
	head -c "$((kb * 1024))" /dev/urandom >"$src"
	bg "$sv" "$STFT_TMP/nc-s.$port.log" sh -c "exec nc -6 -n -N -l $port <$src"
	pid=$BG_PID
	if ! wait_port "$sv" "$port"; then
		echo "server on port $port in $sv did not come up"
		bg_stop "$pid"
		return 1
	fi
	if ! nsx "$cl" timeout 60 nc -6 -n -w 10 "$dst" "$port" </dev/null >"$out"; then
		echo "client nc failed or timed out"
		bg_stop "$pid"
		return 1
	fi
	bg_wait "$pid" 10 || bg_stop "$pid"
	same_bytes "$src" "$out"
}

# 6to4 prefix of an IPv4 address: 192.0.2.1 -> 2002:c000:201
sixtofour() {
	local IFS=.
	# shellcheck disable=SC2086
	set -- $1
	printf '2002:%x:%x' $(($1 * 256 + $2)) $(($3 * 256 + $4))
}

# capture_while NS IFACE FILTER FILE cmd...: write the packets matching FILTER on NS's IFACE
# to the pcap FILE while cmd runs. The capture is open before cmd starts ("listening on": a
# loaded host, or the VM stage's emulation, takes seconds to get there) and gets half a second
# after it for the last packets.
capture_while() {
	local n="$1" ifc="$2" filter="$3" f="$4"
	shift 4
	# ip netns exec execs tcpdump, so $! is tcpdump itself and the kill below stops it.
	ip netns exec "$(ns "$n")" tcpdump -i "$ifc" -U -w "$f" "$filter" >"$f.log" 2>&1 &
	local pid=$!
	wait_until 30 file_has "$f.log" "listening on" || die "tcpdump did not start ($f)"
	"$@"
	sleep 0.5
	kill "$pid"
	wait "$pid" 2>/dev/null
}
