#!/usr/bin/python3
"""Outer IPv4 fragments and outer headers with options, crafted with scapy (independent of
stf-xdp), for test_slow_path.sh. Run inside a test namespace with Debian's /usr/bin/python3.

  slowpath.py list
      one case a line: NAME DELIVERED EXPECTED...
        DELIVERED  yes/no: must the inner UDP datagram reach the site host's listener
        EXPECTED   every counter a frame of this case moves on the receiving router, as
                   name+N (pass_fragment per fragment, slow_path per packet the kernel
                   handed to the slow path, then decap or the drop reason)
  slowpath.py send --iface IF --dst-mac MAC --outer-dst A.B.C.D --inner-dst 2002:...
                   --dport PORT --peer A.B.C.D --tag T CASE... [--barrier]
      sendp() the frames of each CASE out of IF. The UDP payload is "stft:T:CASE:0".
      --barrier appends a valid fragmented packet "stft:T:barrier:0": it takes the same way
      (reassembly, then the slow path, one packet at a time), so once the listener has it,
      every case before it has been decided.

The listener is hostile.py's (`hostile.py listen`).
"""
import argparse
import sys
import zlib

from scapy.layers.inet import IP, UDP, IPOption_LSRR, IPOption_NOP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw

NATIVE_SRC = "2001:db8:99::1"
FOREIGN_V4 = "203.0.113.7"  # an address the spoofed inner sources embed


def sixtofour(v4):
    a = [int(x) for x in v4.split(".")]
    return "2002:%x:%x" % (a[0] * 256 + a[1], a[2] * 256 + a[3])


# name -> (delivered, expected counters, builder keywords). Keywords: osrc, inner_src,
# size (UDP payload bytes), frags (fragment layout: a list of payload byte counts, the last
# one taking the rest), options ("nop" or "lsrr"), overlap.
def cases(args):
    peer6 = sixtofour(args.peer) + "::1"
    spoof6 = sixtofour(FOREIGN_V4) + "::1"
    c = {}

    def add(name, delivered, expected, **kw):
        c[name] = (delivered, expected, kw)

    # A full-size 6to4 packet cut by a smaller-MTU hop: reassembled, checked, delivered.
    add("frag_valid", True, ["pass_fragment+3", "slow_path+1", "decap+1"],
        inner_src=peer6, size=1200, frags=[504, 504])
    # The first fragment holds 8 bytes: the inner IPv6 header is split across fragments, so
    # nothing could be checked before reassembly. The whole packet is: a spoofed source.
    add("frag_tiny_first_spoofed", False,
        ["pass_fragment+2", "slow_path+1", "inner_src_spoofed+1"],
        inner_src=spoof6, size=300, frags=[8])
    add("frag_spoofed", False, ["pass_fragment+3", "slow_path+1", "inner_src_spoofed+1"],
        inner_src=spoof6, size=1200, frags=[504, 504])
    # RFC 1918 outer source: the kernel reassembles (no martian for it), XDP's own check drops.
    add("frag_private_src", False, ["pass_fragment+2", "slow_path+1", "outer_src_private+1"],
        osrc="10.1.2.3", inner_src=NATIVE_SRC, size=800, frags=[504])
    # Larger than the slow path takes: counted, dropped, never run through the program.
    add("frag_too_big", False, ["pass_fragment+7", "slow_path+1", "slow_too_big+1"],
        inner_src=peer6, size=3100, frags=[504] * 6)
    # Our own address as the outer source: the kernel's martian check drops each fragment
    # before reassembly; nothing reaches the slow path.
    add("frag_own_src", False, ["pass_fragment+2"],
        osrc=args.outer_dst, inner_src=sixtofour(args.outer_dst) + "::5", size=800, frags=[504])
    # Overlapping fragments (the second rewrites the first's inner source): the kernel
    # discards the whole datagram (RFC 5722's rule, which Linux applies to IPv4 too).
    add("frag_overlap", False, ["pass_fragment+4"],
        inner_src=peer6, size=1200, frags=[504, 504], overlap=True)
    # Options: the kernel acts on them, the slow path strips them and decides as usual.
    add("opt_valid", True, ["pass_options+1", "slow_path+1", "decap+1"],
        inner_src=peer6, size=200, options="nop")
    add("opt_spoofed", False, ["pass_options+1", "slow_path+1", "inner_src_spoofed+1"],
        inner_src=spoof6, size=200, options="nop")
    add("opt_valid_fragmented", True,
        ["pass_options+2", "slow_path+1", "decap+1"],
        inner_src=peer6, size=900, frags=[504], options="nop")
    # A loose source route through us: not accepted (accept_source_route is off), never ours.
    add("opt_source_route", False, ["pass_options+1"],
        inner_src=peer6, size=200, options="lsrr")
    return c


def build(args, name, kw):
    payload = ("stft:%s:%s:0 " % (args.tag, name)).encode()
    payload += b"x" * max(0, kw.get("size", 100) - len(payload))
    inner = IPv6(src=kw.get("inner_src"), dst=args.inner_dst, hlim=64) / UDP(
        sport=40000, dport=args.dport) / Raw(payload)
    data = bytes(inner)
    opts = []
    if kw.get("options") == "nop":
        opts = [IPOption_NOP()] * 4
    elif kw.get("options") == "lsrr":
        opts = [IPOption_LSRR(routers=[FOREIGN_V4], pointer=4), IPOption_NOP()]
    # Distinct per tag and case: the kernel's reassembly queues are keyed by it, and a queue
    # left incomplete (frag_overlap's tail) must not meet a later round's fragments.
    ident = zlib.crc32(("%s:%s" % (args.tag, name)).encode()) & 0xFFFF

    def outer(**f):
        return IP(src=kw.get("osrc", args.peer), dst=args.outer_dst, ttl=64, proto=41,
                  id=ident, options=opts, **f)

    pieces = []
    if "frags" not in kw:
        pieces.append(outer() / Raw(data))
    else:
        off = 0
        for n in kw["frags"]:
            pieces.append(outer(flags="MF", frag=off // 8) / Raw(data[off:off + n]))
            off += n
        pieces.append(outer(frag=off // 8) / Raw(data[off:]))
        if kw.get("overlap"):
            # Rewrites bytes 8..40 of the first fragment (the inner source) with a spoofed one.
            evil = bytearray(data[8:512])
            evil[0:16] = bytes(IPv6(src=sixtofour(FOREIGN_V4) + "::1"))[8:24]
            pieces.insert(1, outer(flags="MF", frag=1) / Raw(bytes(evil)))
    return [Ether(src=args.src_mac, dst=args.dst_mac, type=0x0800) / p for p in pieces]


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    s = sub.add_parser("send")
    s.add_argument("--iface", required=True)
    s.add_argument("--dst-mac", required=True)
    s.add_argument("--tag", required=True)
    s.add_argument("--barrier", action="store_true")
    s.add_argument("case", nargs="+")
    for a in (ap, s):
        a.add_argument("--outer-dst", default="192.0.2.1")
        a.add_argument("--inner-dst", default="2002:c000:201:1::10")
        a.add_argument("--dport", type=int, default=5555)
        a.add_argument("--peer", default="198.51.100.1")
    args = ap.parse_args()
    table = cases(args)
    if args.cmd == "list":
        for name, (delivered, expected, _) in table.items():
            print(name, "yes" if delivered else "no", " ".join(expected))
        return
    from scapy.arch import get_if_hwaddr
    from scapy.sendrecv import sendp

    args.src_mac = get_if_hwaddr(args.iface)
    frames = []
    for name in args.case:
        if name not in table:
            sys.exit("unknown case %s" % name)
        frames += build(args, name, table[name][2])
    if args.barrier:
        frames += build(args, "barrier", table["frag_valid"][2])
    sendp(frames, iface=args.iface, verbose=False)


if __name__ == "__main__":
    main()
