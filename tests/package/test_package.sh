#!/bin/bash
# package.deb: build the Debian package with CPack and check what a user gets from it.
#
#   1. cpack -G DEB (from $STF_BUILD_DIR, into a temporary directory) makes exactly
#      stf-xdp_$STF_VERSION_amd64.deb;
#   2. its control fields (dpkg-deb -f) and file list (dpkg-deb -c) are the expected ones, and
#      every Depends entry is satisfied on this Debian;
#   3. dpkg installs it into a temporary root (dpkg --root); from there
#      - the copyright file is DEP-5 with every license's text, and the changelog's newest
#        entry is this version, by the Maintainer,
#      - the packaged binary runs (--version),
#      - `man` reads the packaged page by name and by file, groff finds nothing to warn about,
#        and the page names every command, option, config key and exit code the binary's own
#        help and parser know, and every counter of include/stf/contract.h,
#      - the packaged bash completion offers every command and attach option of --help,
#      - the packaged example config attaches (in a throwaway network namespace, on a veth
#        with 192.0.2.1/24) and the running state is the file's,
#      - the packaged systemd unit runs the packaged binary and passes systemd-analyze verify;
#   4. cmake --install into a temporary prefix installs the same seven files, the unit pointing
#      at the binary under that prefix.
#
# Needs root (dpkg --root, a network namespace, XDP). Everything it makes is named
# "stft-<pid>-..." like the netns tests', removed on exit, and swept by tests/netns/sweep.sh
# if a timeout kills the script.
set -u
set -o pipefail

: "${STF_BUILD_DIR:?set STF_BUILD_DIR to the CMake build directory (ctest sets it)}"
: "${STF_VERSION:?set STF_VERSION to the project version (ctest sets it)}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
PREFIX="stft-$$-"
NS="${PREFIX}pkg"
TMP=""
PASS=0
FAIL=0

cleanup() {
	local rc=$?
	set +e
	if ip netns list 2>/dev/null | grep -q "^$NS\b"; then
		for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$NS"
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() {
	PASS=$((PASS + 1))
	printf 'ok   - %s\n' "$1"
}
bad() {
	FAIL=$((FAIL + 1))
	printf 'FAIL - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | tail -n 25 | sed 's/^/       | /'
	return 1
}
# check "what" cmd...: cmd exits 0 (its output is shown on failure).
check() {
	local what="$1" out
	shift
	if out="$("$@" 2>&1)"; then ok "$what"; else bad "$what (exit $?)" "$out"; fi
}
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected: $2" "actual:   $3"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
	exit $?
}
die() {
	bad "$1"
	finish
}

[ "$(id -u)" = 0 ] || die "must run as root (dpkg --root, network namespace, XDP)"
for tool in cpack cmake dpkg dpkg-deb dpkg-shlibdeps man groff col zcat ldd ip file systemd-analyze; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -x "$PY" ] || die "missing $PY"
[ -f "$STF_BUILD_DIR/CPackConfig.cmake" ] || die "no CPackConfig.cmake in $STF_BUILD_DIR"
TMP="$(mktemp -d "/tmp/${PREFIX}XXXXXX")" || die "mktemp failed"

# ---- 1. the package -----------------------------------------------------------------------

DEB_NAME="stf-xdp_${STF_VERSION}_amd64.deb"
DEB="$TMP/out/$DEB_NAME"
check "cpack -G DEB builds the package" cpack -G DEB --config "$STF_BUILD_DIR/CPackConfig.cmake" -B "$TMP/out"
expect_eq "cpack made exactly $DEB_NAME" "$DEB_NAME" "$(cd "$TMP/out" 2>/dev/null && ls -- *.deb 2>&1)"
[ -f "$DEB" ] || die "no package to check"
echo "# dpkg-deb -I $DEB_NAME"
dpkg-deb -I "$DEB" | sed 's/^/#   /'

# ---- 2. control fields and file list ------------------------------------------------------

field() { dpkg-deb -f "$DEB" "$1"; }
expect_eq "Package" "stf-xdp" "$(field Package)"
expect_eq "Version" "$STF_VERSION" "$(field Version)"
expect_eq "Architecture" "amd64" "$(field Architecture)"
expect_eq "Section" "net" "$(field Section)"
expect_eq "Priority" "optional" "$(field Priority)"
expect_eq "Suggests" "bash-completion" "$(field Suggests)"
maint="$(field Maintainer)"
if [[ "$maint" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]]; then ok "Maintainer is 'Name <address>'"; else bad "Maintainer is 'Name <address>'" "$maint"; fi
desc="$(field Description)"
summary="6to4 tunnel (IPv6 in IPv4) with an XDP/tc eBPF dataplane"
if [ "$(head -n 1 <<<"$desc")" = "$summary" ] && [ "$(grep -cF "$summary" <<<"$desc")" = 1 ] &&
	[ "$(wc -l <<<"$desc")" -ge 3 ] && [ "$(awk 'length > 80' <<<"$desc")" = "" ]; then
	ok "Description: the summary once, then an extended description in lines of at most 80"
else
	bad "Description: the summary once, then an extended description in lines of at most 80" "$desc"
fi

# Depends comes from dpkg-shlibdeps: the libraries the binary links, with versions.
depends="$(field Depends)"
echo "# Depends: $depends"
for lib in libbpf1 libmnl0 libxdp1 libc6 libmicrohttpd12 libstdc++6; do
	found=""
	IFS=',' read -r -a deps <<<"$depends"
	for dep in "${deps[@]}"; do
		dep="${dep# }"
		[[ "$dep" == "$lib (>= "*")" ]] && found="$dep"
	done
	if [ -n "$found" ]; then ok "Depends has $found"; else bad "Depends has $lib (>= version)" "$depends"; fi
done
# Every entry is satisfied here, as apt would need it on a fresh Debian 12.
unsatisfied=""
IFS=',' read -r -a deps <<<"$depends"
for dep in "${deps[@]}"; do
	alt_ok=0
	IFS='|' read -r -a alts <<<"$dep"
	for alt in "${alts[@]}"; do
		read -r name op ver <<<"$(sed -E 's/^ *([^ (]+) *(\(([<>=]+) *([^)]+)\))? *$/\1 \3 \4/' <<<"$alt")"
		have="$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null)" || continue
		[ -n "$have" ] || continue
		if [ -z "${op:-}" ] || dpkg --compare-versions "$have" "$op" "$ver"; then alt_ok=1; fi
	done
	[ "$alt_ok" = 1 ] || unsatisfied+="${dep# } "
done
expect_eq "every Depends entry is installed here" "" "$unsatisfied"

# The regular files, with mode and owner (directories are implied).
want_files="-rw-r--r-- root/root ./usr/lib/systemd/system/stf-xdp@.service
-rw-r--r-- root/root ./usr/share/bash-completion/completions/stf-xdp
-rw-r--r-- root/root ./usr/share/doc/stf-xdp/changelog.gz
-rw-r--r-- root/root ./usr/share/doc/stf-xdp/copyright
-rw-r--r-- root/root ./usr/share/doc/stf-xdp/examples/stf-xdp.json
-rw-r--r-- root/root ./usr/share/man/man8/stf-xdp.8.gz
-rwxr-xr-x root/root ./usr/sbin/stf-xdp"
got_files="$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $1, $2, $6}' | sort)"
expect_eq "file list (dpkg-deb -c)" "$want_files" "$got_files"
echo "# dpkg-deb -c $DEB_NAME"
dpkg-deb -c "$DEB" | sed 's/^/#   /'

# ---- 3. installed into a temporary root ---------------------------------------------------

ROOT="$TMP/root"
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" && touch "$ROOT/var/lib/dpkg/status" ||
	die "cannot make a dpkg database in $ROOT"
# --force-depends: the temporary root's database is empty; the host satisfies them (above).
check "dpkg --root installs the package" dpkg --root="$ROOT" --force-depends --force-script-chrootless -i "$DEB"
expect_eq "dpkg --root reports it installed" "install ok installed" \
	"$(dpkg --root="$ROOT" -s stf-xdp 2>&1 | sed -n 's/^Status: //p')"

# Debian policy 12.5 and 12.7: copyright (machine-readable, DEP-5) and changelog.
DOC="$ROOT/usr/share/doc/stf-xdp"
expect_eq "copyright is DEP-5 (its Format line)" \
	"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" \
	"$(head -n 1 "$DOC/copyright" 2>&1)"
"$PY" - "$DOC/copyright" >"$TMP/dep5.out" 2>&1 <<'PYEOF'
import re, sys
# DEP-5: paragraphs of "Field: value" with continuation lines; every license a Files
# paragraph names has its text in a stand-alone License paragraph (or a common-licenses one).
paras = [p for p in open(sys.argv[1]).read().split("\n\n") if p.strip()]
def fields(p):
    f, key = {}, None
    for line in p.splitlines():
        if line.startswith((" ", "\t")):
            assert key, "continuation line first: " + line
            f[key] += "\n" + line.strip()
        else:
            key, _, v = line.partition(":")
            assert _ and re.fullmatch(r"[A-Za-z-]+", key), "not a field: " + line
            f[key] = v.strip()
    return f
ps = [fields(p) for p in paras]
assert "Upstream-Name" in ps[0], "no header paragraph"
files = [p for p in ps if "Files" in p]
assert files and all("Copyright" in p and "License" in p for p in files), "Files paragraphs"
named = {n.strip() for p in files for n in re.split(r" or | and ", p["License"].split("\n")[0])}
texts = {p["License"].split("\n")[0] for p in ps if "Files" not in p and "License" in p and "\n" in p["License"]}
assert named <= texts, "licenses without text: %s" % (named - texts)
print("licenses:", " ".join(sorted(named)))
PYEOF
check "copyright parses as DEP-5 and gives every named license's text ($(tail -n 1 "$TMP/dep5.out"))" \
	sh -c "cat $TMP/dep5.out; grep -q '^licenses: ' $TMP/dep5.out"
expect_eq "changelog.gz's newest entry is this version" "$STF_VERSION" \
	"$(zcat "$DOC/changelog.gz" | dpkg-parsechangelog -l - -S Version 2>&1)"
expect_eq "... by the package's Maintainer" "$(field Maintainer)" \
	"$(zcat "$DOC/changelog.gz" | dpkg-parsechangelog -l - -S Maintainer 2>&1)"
expect_eq "copyright's Upstream-Contact is the Maintainer" "$(field Maintainer)" \
	"$(sed -n 's/^Upstream-Contact: //p' "$DOC/copyright")"

BIN="$ROOT/usr/sbin/stf-xdp"
PAGE="$ROOT/usr/share/man/man8/stf-xdp.8.gz"
COMPLETION="$ROOT/usr/share/bash-completion/completions/stf-xdp"
EXAMPLE="$ROOT/usr/share/doc/stf-xdp/examples/stf-xdp.json"
UNIT="$ROOT/usr/lib/systemd/system/stf-xdp@.service"
[ -x "$BIN" ] || die "the package did not install an executable $BIN"

expect_eq "packaged binary: --version" "stf-xdp $STF_VERSION" "$("$BIN" --version 2>&1)"
case "$(file -b "$BIN")" in
*ELF*", stripped"*) ok "packaged binary is stripped" ;;
*) bad "packaged binary is stripped" "$(file -b "$BIN")" ;;
esac
missing_libs="$(ldd "$BIN" 2>&1 | grep 'not found')"
expect_eq "packaged binary finds its libraries" "" "$missing_libs"

# The man page: found by name like `man stf-xdp`, read by file, no groff warnings.
export MANPAGER=cat PAGER=cat MANWIDTH=100 MAN_DISABLE_SECCOMP=1
check "man --manpath finds stf-xdp(8) by name" man --manpath="$ROOT/usr/share/man" -w 8 stf-xdp
man -l "$PAGE" >"$TMP/man.raw" 2>"$TMP/man.err"
rc=$?
col -bx <"$TMP/man.raw" >"$TMP/man.txt"
if [ $rc -eq 0 ] && [ ! -s "$TMP/man.err" ] && grep -q '^NAME' "$TMP/man.txt"; then
	ok "man -l renders the packaged page ($(wc -l <"$TMP/man.txt") lines)"
else
	bad "man -l renders the packaged page (exit $rc)" "$(cat "$TMP/man.err")"
fi
zcat "$PAGE" >"$TMP/stf-xdp.8" 2>&1 || bad "the packaged page is gzip" "$(cat "$TMP/stf-xdp.8")"
warnings="$(groff -man -ww -z "$TMP/stf-xdp.8" 2>&1)"
echo "# groff -man -ww -z: $(printf '%s' "$warnings" | grep -c .) warnings"
expect_eq "groff -man -ww -z: no warnings" "" "$warnings"

missing_sections=""
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "CONFIGURATION FILE" SWITCHES COUNTERS \
	"EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
	grep -qxF "$section" "$TMP/man.txt" || missing_sections+="$section; "
done
expect_eq "man page has all twelve sections" "" "$missing_sections"

# What the page must name, taken from the packaged binary itself (its help and its parser)
# and from the counter list, so a new command, option, key or counter fails here until it
# is documented.
# words FILE: the words of a text (options with their dashes, counters with underscores).
words() { grep -oE -- '-{0,2}[A-Za-z0-9_][A-Za-z0-9_-]*' "$1" | sort -u; }
words "$TMP/man.txt" >"$TMP/man.words"
undocumented=()
need_word() { grep -qxF -- "$1" "$TMP/man.words" || undocumented+=("$2 $1"); }
# section NAME: the rendered page's section NAME (its heading to the next heading).
section() { awk -v s="$1" '/^[A-Z]/ {on = ($0 == s)} on' "$TMP/man.txt"; }
section COMMANDS >"$TMP/man.commands"
section OPTIONS >"$TMP/man.options"
# Commands and options must each have an entry of their own (a tagged paragraph: a line
# indented by 7 that starts with it), not merely be mentioned somewhere.
need_entry() { grep -qE -- "^ {7}$1( |,|\$)" "$2" || undocumented+=("$3"); }
help_commands() { "$BIN" "$@" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'; }
help_options() { "$BIN" "$@" --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]+'; }
commands="$(help_commands)"
[ "$(printf '%s\n' "$commands" | wc -l)" -ge 7 ] || bad "read the commands from stf-xdp --help" "$commands"
options="$(help_options)"
for c in $commands; do
	subs="$(help_commands "$c")"
	[ -z "$subs" ] && need_entry "$c" "$TMP/man.commands" "command $c (no entry in COMMANDS)"
	options+=" $(help_options "$c")"
	for s in $subs; do
		need_entry "$c $s" "$TMP/man.commands" "command $c $s (no entry in COMMANDS)"
		options+=" $(help_options "$c" "$s")"
	done
done
for o in $(printf '%s\n' $options | sort -u); do
	need_entry "(-[A-Za-z], )?$o" "$TMP/man.options" "option $o (no entry in OPTIONS)"
done
for code in $("$BIN" --help | sed -n '/^Exit codes:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
	sed -n '/^EXIT STATUS/,/^FILES/p' "$TMP/man.txt" | grep -qE "^ +$code +[A-Za-z]" || undocumented+=("exit code $code")
done
# The config keys, from the parser's own error for an unknown key (a usage error: exit 2
# before anything is looked at; in our own namespace all the same).
ip netns add "$NS" || die "ip netns add $NS failed"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up &&
	nsx ip link add v0 type veth peer name v1 &&
	nsx ip addr add 192.0.2.1/24 dev v0 &&
	nsx ip link set v0 up &&
	nsx ip link set v1 up || die "cannot set up the veth in $NS"
printf '{"no_such_key": 1}\n' >"$TMP/bad.json"
keys_msg="$(nsx "$BIN" attach lo --config "$TMP/bad.json" 2>&1)"
expect_eq "an unknown config key is a usage error" 2 "$?"
keys="$(sed -n 's/.*unknown key (expected \(.*\))/\1/p' <<<"$keys_msg" | tr -d ',')"
if [ -n "$keys" ]; then ok "config keys from the parser: $keys"; else bad "config keys from the parser" "$keys_msg"; fi
for k in $keys; do
	need_word "$k" "config key"
	grep -q "\"$k\"" "$EXAMPLE" || undocumented+=("config key $k (not in the example config)")
done
for name in $(sed -n 's/^[[:space:]]*X([0-9]*, *[A-Z]*, *\([a-z0-9_]*\),.*/\1/p' "$REPO/include/stf/contract.h"); do
	need_word "$name" counter
done
expect_eq "man page names every command, option, exit code, config key and counter" "" "${undocumented[*]}"

# The packaged example is valid for the packaged binary's parser (check: offline).
expect_eq "stf-xdp -j check accepts the packaged example" "True" \
	"$("$BIN" -j check "$EXAMPLE" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["valid"])' 2>&1)"

# The page's example config is the packaged example.
"$PY" - "$TMP/man.txt" "$EXAMPLE" <<'EOF' >"$TMP/example.cmp" 2>&1
import json, re, sys
text = open(sys.argv[1]).read()
section = text.split("\nCONFIGURATION FILE\n", 1)[1].split("\nSWITCHES\n", 1)[0]
start = section.index("\n       {") if "\n       {" in section else section.index("{")
body = section[start:]
depth, end = 0, None
for i, ch in enumerate(body):
    depth += ch == "{"
    depth -= ch == "}"
    if ch == "}" and depth == 0:
        end = i + 1
        break
in_page = json.loads(body[:end])
in_file = json.load(open(sys.argv[2]))
if in_page != in_file:
    print("page:", json.dumps(in_page, sort_keys=True))
    print("file:", json.dumps(in_file, sort_keys=True))
    sys.exit(1)
EOF
if [ $? -eq 0 ]; then ok "the page's example config equals the packaged one"; else bad "the page's example config equals the packaged one" "$(cat "$TMP/example.cmp")"; fi

# Bash completion: source the packaged file in a clean bash, ask it as readline would.
cat >"$TMP/complete.sh" <<'EOF'
. "$1" || exit 1
shift
COMP_LINE="$1"
COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<<"$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_stf_xdp stf-xdp
printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
EOF
# In our namespace, where /sys/class/net is lo, v0 and v1.
complete_line() { nsx bash --norc --noprofile "$TMP/complete.sh" "$COMPLETION" "$1"; }
expect_eq "completion: commands" "$(printf '%s\n' $commands | sort | paste -sd' ')" "$(complete_line 'stf-xdp ')"
# (Other runs' namespaces come and go: ask for the names with this run's prefix only.)
expect_eq "completion: -n offers the namespaces" "$NS" "$(complete_line "stf-xdp -n $PREFIX")"
expect_eq "completion: -n NS, then that namespace's interfaces" "lo v0 v1" "$(complete_line "stf-xdp -n $NS detach ")"
expect_eq "completion: --mode" "relay return-relay router" "$(complete_line 'stf-xdp attach eth0 --mode ')"
expect_eq "completion: --mode=re" "relay return-relay" "$(complete_line 'stf-xdp attach eth0 --mode=re')"
expect_eq "completion: --xdp-mode" "generic native" "$(complete_line 'stf-xdp -j attach eth0 --xdp-mode ')"
expect_eq "completion: --loop-guard" "off on" "$(complete_line 'stf-xdp attach eth0 --loop-guard ')"
expect_eq "completion: --fast-path" "off on" "$(complete_line 'stf-xdp attach eth0 --fast-path ')"
expect_eq "completion: --ingress-filter o" "off on" "$(complete_line 'stf-xdp attach --ingress-filter o')"
expect_eq "completion: filter kinds" "allow deny exception relay" "$(complete_line 'stf-xdp filter add eth0 ')"
expect_eq "completion: prefix subcommands" "add del list" "$(complete_line 'stf-xdp prefix ')"
expect_eq "completion: interfaces from /sys/class/net" "lo v0 v1" "$(complete_line 'stf-xdp detach ')"
expect_eq "completion: interface prefix" "v0 v1" "$(complete_line 'stf-xdp attach v')"
expect_eq "completion: one interface, then nothing" "" "$(complete_line "stf-xdp status v0 ")"
# Every option of every command's --help (and of stf-xdp --help before a command).
not_offered=""
offer_options() { # offer_options "LINE" HELP-ARGS...: LINE's completions include every option
	local line="$1" offered o
	shift
	offered=" $(complete_line "$line") "
	for o in $(help_options "$@"); do [[ "$offered" == *" $o "* ]] || not_offered+="'$line' $o; "; done
}
offer_options "stf-xdp --"
for c in $commands; do
	subs="$(help_commands "$c")"
	[ -z "$subs" ] && offer_options "stf-xdp $c --" "$c"
	for s in $subs; do offer_options "stf-xdp $c $s --" "$c" "$s"; done
done
expect_eq "completion offers every option of every command's --help" "" "$not_offered"
expect_eq "completion: --config offers the example" "$EXAMPLE" "$(complete_line "stf-xdp attach eth0 --config ${EXAMPLE%.json}")"

# The example config: attach with it in the throwaway namespace, check the running state.
check "packaged binary attaches with the packaged example config" nsx "$BIN" attach v0 --config "$EXAMPLE"
state="$(nsx "$BIN" -j status v0 | "$PY" -c 'import json, sys
i = json.load(sys.stdin)["interfaces"][0]
print(i["mode"], [l["address"] for l in i["local"]], i["relay"], i["ttl"], i["xdp"]["mode"],
      i["permit_private"], i["ingress_filter"], i["loop_guard"], i["fast_path"], i["filters"])' 2>&1)"
want_state="$("$PY" -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(c["mode"], c["local"], c["default_relay"], c["ttl"], c["xdp_mode"], c["permit_private"],
      c["ingress_filter"], c["loop_guard"], c["fast_path"], c["filters"])' "$EXAMPLE" 2>&1)"
expect_eq "status -j shows the example's settings" "$want_state" "$state"
# Every counter the running dataplane reports is in the page's COUNTERS section.
counters="$(nsx "$BIN" -j stats v0 | "$PY" -c 'import json, sys
i = json.load(sys.stdin)["interfaces"][0]
names = [k for k in ("decap", "encap", "slow_path") if k in i]
names += list(i["passed"]) + list(i["drops"])
print(" ".join(names))' 2>&1)"
sed -n '/^COUNTERS/,/^EXIT STATUS/p' "$TMP/man.txt" >"$TMP/counters.txt"
words "$TMP/counters.txt" >"$TMP/counter.words"
not_in_page=""
for c in $counters; do grep -qxF "$c" "$TMP/counter.words" || not_in_page+="$c "; done
if [ "$(wc -w <<<"$counters")" -ge 60 ]; then
	expect_eq "COUNTERS names all $(wc -w <<<"$counters") counters of stats -j" "" "$not_in_page"
else
	bad "stats -j lists the counters" "$counters"
fi
check "packaged binary detaches" nsx "$BIN" detach v0
expect_eq "nothing attached afterwards" "[]" "$(nsx "$BIN" -j status | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["interfaces"])' 2>&1)"

# The systemd unit: its commands are the packaged binary's, and systemd accepts it (verified
# as test_unit.sh does, with the binary's path pointed into the temporary root; the device
# unit it binds to does not exist here).
# unit_binaries UNIT: the programs of its ExecStartPre= and ExecStart= lines.
unit_binaries() { sed -n 's/^ExecStart\(Pre\)\?=\([^ ]*\).*/\2/p' "$1" | sort -u | paste -sd' '; }
expect_eq "packaged unit runs the packaged binary" "/usr/sbin/stf-xdp" "$(unit_binaries "$UNIT")"
sed "s|/usr/sbin/stf-xdp|$BIN|g" "$UNIT" >"$TMP/stf-xdp@v0.service"
check "systemd-analyze verify accepts the packaged unit" sh -c \
	"systemd-analyze verify --man=no '$TMP/stf-xdp@v0.service' 2>&1 | { ! grep -v 'sys-subsystem-net-devices'; }"
check "packaged unit's manual is the packaged page" grep -qx 'Documentation=man:stf-xdp(8)' "$UNIT"
# Its ExecStartPre (check) on the packaged example, as systemd would run it for v0.
mkdir -p "$TMP/etc/stf-xdp" && cp "$EXAMPLE" "$TMP/etc/stf-xdp/v0.json"
pre="$(sed -n 's/^ExecStartPre=//p' "$UNIT" | sed -e "s|%I|v0|g; s|/usr/sbin/stf-xdp|$BIN|; s|/etc/stf-xdp|$TMP/etc/stf-xdp|g")"
# shellcheck disable=SC2086 # a command line, split as systemd splits it
check "packaged unit's ExecStartPre accepts the example config" nsx $pre

# ---- 4. cmake --install -------------------------------------------------------------------

check "cmake --install into a temporary prefix" cmake --install "$STF_BUILD_DIR" --prefix "$TMP/inst"
expect_eq "cmake --install installs the same files" \
	"$(printf '%s\n' ./sbin/stf-xdp ./share/bash-completion/completions/stf-xdp \
		./share/doc/stf-xdp/examples/stf-xdp.json ./share/man/man8/stf-xdp.8.gz \
		./share/doc/stf-xdp/copyright ./share/doc/stf-xdp/changelog.gz \
		./lib/systemd/system/stf-xdp@.service | sort)" \
	"$(cd "$TMP/inst" && find . -type f | sort)"
expect_eq "cmake --install: the unit runs the binary under that prefix" "$TMP/inst/sbin/stf-xdp" \
	"$(unit_binaries "$TMP/inst/lib/systemd/system/stf-xdp@.service")"

finish
