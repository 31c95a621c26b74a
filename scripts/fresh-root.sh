#!/usr/bin/env bash
# Installs the stf-xdp .deb on a fresh Debian 12 root and shows what a new user gets: the
# package's dependencies resolved by apt from Debian's repository alone, `stf-xdp --version`,
# `man stf-xdp`, and the packaged example config checked. Not part of scripts/test.sh: it
# downloads a Debian base system (about 2 minutes); tests/package/test_package.sh checks the
# package itself on every run.
#
#   bash scripts/fresh-root.sh [PACKAGE.deb]   default: build one with cpack in build/
#
#   STF_FRESH_ROOT=DIR   reuse (or keep) the root in DIR instead of a temporary one
#
# The mirror is the one this machine's apt uses, so the root is what this Debian would give.
set -euo pipefail

root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '== %s\n' "$*"; }
die() { printf 'fresh-root: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null

deb=${1:-}
if [ -z "$deb" ]; then
	bash "$root_dir/scripts/setup.sh" >/dev/null
	out=$(mktemp -d)
	(cd "$out" && cpack -G DEB --config "$root_dir/build/CPackConfig.cmake" >/dev/null 2>&1)
	deb=$(ls "$out"/stf-xdp_*_amd64.deb)
fi
[ -f "$deb" ] || die "$deb: no such package"

# The first deb822 or one-line source of this machine's apt: the same repository it installs from.
mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
	sed -n 's/^URIs: *//p; s/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' |
	grep -v security | head -n1 || true)
[ -n "$mirror" ] || die "no Debian bookworm source in this machine's apt configuration"

keep=${STF_FRESH_ROOT:-}
target=${keep:-$(mktemp -d /var/tmp/stf-fresh-root.XXXXXX)}
cleanup() {
	umount "$target/proc" 2>/dev/null || true
	[ -n "$keep" ] || rm -rf "$target"
	[ -n "${keep_log:-}" ] || rm -f "$target.log" # kept only when debootstrap failed
}
trap cleanup EXIT

if [ ! -x "$target/usr/bin/apt-get" ]; then
	say "debootstrap --variant=minbase bookworm $target"
	debootstrap --variant=minbase bookworm "$target" "$mirror" >"$target.log" 2>&1 ||
		{ keep_log=1; die "debootstrap failed (see $target.log)"; }
fi
mount -t proc proc "$target/proc"
cp "$deb" "$target/tmp/"
in_root() { chroot "$target" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive MANPAGER=cat PAGER=cat TERM=dumb /bin/bash -c "$*"; }

say "a fresh Debian $(cat "$target/etc/debian_version"): $(in_root 'dpkg-query -f . -W | wc -c') packages"
in_root 'apt-get update -qq && apt-get install -y -qq --no-install-recommends man-db >/dev/null 2>&1'
say "apt-get install ./$(basename "$deb")"
in_root "apt-get install -y --no-install-recommends /tmp/$(basename "$deb")" 2>&1 |
	grep -E '^(The following NEW|  |Setting up stf-xdp)' || true
say "stf-xdp --version"
in_root 'stf-xdp --version'
say "man stf-xdp (first 30 lines)"
in_root 'man stf-xdp 2>/dev/null | head -n 30'
say "stf-xdp check (the packaged example)"
in_root 'stf-xdp check /usr/share/doc/stf-xdp/examples/stf-xdp.json'
say "installed files"
in_root 'for f in $(dpkg -L stf-xdp); do [ -f "$f" ] && echo "$f"; done'
