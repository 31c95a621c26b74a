#!/usr/bin/python3
"""Hostile and well-formed 6to4 frames, crafted with scapy, independent of stf-xdp's encapsulator.

Run inside a test namespace (always with Debian's /usr/bin/python3, which has scapy):

  hostile.py list
      one case a line: NAME EXPECTED_COUNTER DELIVERED ECN
        EXPECTED_COUNTER  the stf-xdp counter (include/stf/contract.h) a frame of this case
                          must increment on the receiving router, "-" for none at all
        DELIVERED         yes/no: must the inner UDP datagram reach the site host's listener
        ECN               the ECN field the delivered datagram must carry, "-" if not checked
  hostile.py send --iface IF --dst-mac MAC --outer-dst A.B.C.D --inner-dst 2002:...
                  --dport PORT --peer A.B.C.D --bcast A.B.C.D [--count N] CASE...
                  [--tag T] [--barrier]
      sendp() N frames of each CASE out of IF (layer 2, towards MAC). Every UDP payload is
      "stft:T:CASE:i" so the listener can tell which ones were delivered. --barrier appends
      one valid frame "stft:T:barrier:0": once it is delivered, all frames before it were
      processed by the receiving router.
  hostile.py listen --port PORT --out FILE
      UDP listener on [::]:PORT for the site host: appends "PAYLOAD ecn=N" per datagram.
  hostile.py foreign-xdp --iface IF [--generic]
      attaches another party's XDP program (return XDP_PASS) to IF, to check that stf-xdp
      refuses to replace it. Remove it with `ip link set dev IF xdp off`.

Cases named enc_* are for the encapsulation side: plain IPv6 frames to send from the site
host towards its router's LAN MAC (--iface is then the host's interface).

The cases only use documentation addresses on the wire except where the case is about a
martian/private address; those exist only inside these crafted frames.
"""
import argparse
import socket
import sys

DOC_NATIVE_SRC = "2001:db8:99::1"  # a native IPv6 source, as relayed traffic has


def sixtofour(v4):
    a = [int(x) for x in v4.split(".")]
    return "2002:%x:%x" % (a[0] * 256 + a[1], a[2] * 256 + a[3])


# name -> (expected counter, delivered, expected ECN or None, builder overrides)
# Builder keys: osrc, odst, inner_src, inner_dst, ttl, tos, ihl, olen, olen_extra, version, bad_csum,
# flags, frag, options, iversion, iplen, tc, short_inner; enc (an inner-only frame, no outer).
def cases(args):
    peer = args.peer
    peer6 = sixtofour(peer) + "::1"
    c = {}

    def add(name, counter, delivered=False, ecn=None, **kw):
        c[name] = (counter, delivered, ecn, kw)

    # The positive control: a 6to4 packet from a 6to4 peer to our site's host.
    add("valid", "decap", True, 0, osrc=peer, inner_src=peer6)
    # Relayed traffic: a native IPv6 source arriving from a relay is accepted.
    add("valid_native_src", "decap", True, 0, osrc=peer, inner_src=DOC_NATIVE_SRC)
    # Not for us (another IPv4 destination): left to the kernel, counted nowhere.
    add("not_ours", "-", odst=args.not_ours)

    # Outer source classes (RFC 3964 5.3.1); inner source is native so only the outer is bad.
    for name, src, counter in [
        ("osrc_0.0.0.1", "0.0.0.1", "outer_src_unspecified"),
        ("osrc_127.0.0.1", "127.0.0.1", "outer_src_loopback"),
        ("osrc_224.0.0.1", "224.0.0.1", "outer_src_multicast"),
        ("osrc_240.0.0.1", "240.0.0.1", "outer_src_reserved"),
        ("osrc_255.255.255.255", "255.255.255.255", "outer_src_reserved"),
        ("osrc_169.254.1.1", "169.254.1.1", "outer_src_linklocal"),
        ("osrc_10.1.2.3", "10.1.2.3", "outer_src_private"),
        ("osrc_172.16.5.5", "172.16.5.5", "outer_src_private"),
        ("osrc_192.168.1.1", "192.168.1.1", "outer_src_private"),
        ("osrc_subnet_bcast", args.bcast, "outer_src_subnet_broadcast"),
    ]:
        add(name, counter, osrc=src, inner_src=DOC_NATIVE_SRC)

    # The outer source in the receiving router's FIB. test_hostile.sh gives the router the
    # routes these need: a second address of its own, a prefix routed out of its LAN side, an
    # unreachable prefix. XDP runs before the kernel's martian check, so stf-xdp must catch
    # the first two itself. Inner sources embed the outer one, so only the FIB can tell.
    add("osrc_own_v4addr", "outer_src_local", osrc=args.outer_dst,
        inner_src=sixtofour(args.outer_dst) + ":5::5")
    add("osrc_host_secondary", "outer_src_local", osrc=args.host_secondary,
        inner_src=sixtofour(args.host_secondary) + "::5")
    add("osrc_wrong_iface", "outer_src_wrong_iface", osrc=args.wrong_iface_src,
        inner_src=sixtofour(args.wrong_iface_src) + "::5")
    add("osrc_unreachable", "outer_src_no_route", osrc=args.unreachable_src,
        inner_src=sixtofour(args.unreachable_src) + "::5")

    # Relay mode only ("relay_*", run after `attach --mode relay`), towards a native address
    # of the site host (--native-dst). A native source into native IPv6 would make the relay
    # an open door for spoofed sources; a 6to4 source tied to its outer source is its job.
    add("relay_6to4_to_native", "decap", True, 0, inner_src=peer6, inner_dst=args.native_dst)
    add("relay_native_to_native", "inner_native_to_native", inner_src=DOC_NATIVE_SRC,
        inner_dst=args.native_dst)
    # For a relay attached with --relay (so ::/0 leads into its own tunnel): a native
    # destination nothing else routes would be encapsulated again, towards the other relay.
    # (A loop needs a source the relay accepts native to native: an exception.)
    add("loop_native_dst", "inner_dst_loop", inner_src=DOC_NATIVE_SRC, inner_dst="2001:db8:77::1")

    # Outer header damage.
    add("outer_version_5", "outer_bad_version", version=5, inner_src=peer6)
    add("outer_ihl_4", "outer_bad_ihl", ihl=4, inner_src=peer6)
    add("outer_bad_checksum", "outer_bad_checksum", bad_csum=True, inner_src=peer6)
    add("outer_len_too_long", "outer_bad_length", olen_extra=100, inner_src=peer6)
    add("outer_len_below_20", "outer_bad_length", olen=19, inner_src=peer6)
    add("outer_len_truncated", "outer_truncated", olen=40, inner_src=peer6)
    add("outer_frame_short", "outer_truncated", short_inner=True)
    add("outer_ttl_0", "outer_ttl_zero", ttl=0, inner_src=peer6)
    # Fragments and options are legal IPv4: handed to the kernel (which has no 6to4 handler
    # here), counted, never decapsulated.
    add("outer_fragment", "pass_fragment", frag=True, inner_src=peer6)
    add("outer_options", "pass_options", options=True, inner_src=peer6)

    # Inner header damage and bad inner addresses (RFC 3964 5.3.2).
    add("inner_version_4", "inner_bad_version", iversion=4, inner_src=peer6)
    add("inner_plen_too_long", "inner_bad_length", iplen=+64, inner_src=peer6)
    add("isrc_::1", "inner_src_reserved", inner_src="::1")
    add("isrc_::", "inner_src_reserved", inner_src="::")
    add("isrc_fe80::1", "inner_src_linklocal", inner_src="fe80::1")
    add("isrc_fec0::1", "inner_src_sitelocal", inner_src="fec0::1")
    add("isrc_ff02::1", "inner_src_multicast", inner_src="ff02::1")
    add("isrc_::ffff:192.0.2.9", "inner_src_v4mapped", inner_src="::ffff:192.0.2.9")
    add("idst_::1", "inner_dst_reserved", inner_src=peer6, inner_dst="::1")
    add("idst_::ffff:192.0.2.9", "inner_dst_v4mapped", inner_src=peer6, inner_dst="::ffff:192.0.2.9")
    add("idst_fe80::1", "inner_dst_linklocal", inner_src=peer6, inner_dst="fe80::1")
    add("idst_fec0::1", "inner_dst_sitelocal", inner_src=peer6, inner_dst="fec0::1")
    # Consistency (RFC 3964 5.2): a 6to4 inner source must embed the outer source ...
    add("isrc_spoofed_6to4", "inner_src_spoofed", inner_src="2002:cb00:7101::1")
    # ... and a 6to4 inner destination the outer destination.
    add("idst_other_site", "inner_dst_mismatch", inner_src=peer6, inner_dst=args.other_site)
    # A site router only decapsulates towards 2002::/16.
    add("idst_native", "inner_dst_not_6to4", inner_src=peer6, inner_dst="2001:db8:42::1")

    # RFC 6040 decapsulation.
    add("ecn_ce_not_ect", "ecn_ce_not_ect", tos=0x03, tc=0x00, inner_src=peer6)
    add("ecn_ce_ect0", "decap", True, 3, tos=0x03, tc=0x02, inner_src=peer6)
    add("ecn_ect1_ect0", "decap", True, 1, tos=0x01, tc=0x02, inner_src=peer6)
    add("ecn_ect0_ect1", "decap", True, 1, tos=0x02, tc=0x01, inner_src=peer6)

    # Encapsulation side ("enc_*"): plain IPv6 frames from the site host to its router's LAN
    # MAC, which the router forwards into stf-xdp's tunnel device (2002::/16 is routed there).
    # The embedded IPv4 destinations are martians or our own: the tc program must drop them
    # before anything leaves. (If it did not, the IPv4 packet would die in inet, which routes
    # only the documentation subnets.) The source is the site host unless given.
    site = args.inner_dst
    add("enc_valid", "encap", enc=True, inner_src=site, inner_dst=peer6)
    add("enc_dscp_ect0", "encap", enc=True, inner_src=site, inner_dst=peer6, tc=0xBA)
    for name, dst, counter in [
        ("enc_dst_0.0.1.1", "2002:0:101::1", "encap_dst_unspecified"),
        ("enc_dst_127.0.0.1", "2002:7f00:1::1", "encap_dst_loopback"),
        ("enc_dst_224.0.0.1", "2002:e000:1::1", "encap_dst_multicast"),
        ("enc_dst_240.0.0.1", "2002:f000:1::1", "encap_dst_reserved"),
        ("enc_dst_255.255.255.255", "2002:ffff:ffff::1", "encap_dst_reserved"),
        ("enc_dst_169.254.1.1", "2002:a9fe:101::1", "encap_dst_linklocal"),
        ("enc_dst_10.1.2.3", "2002:a01:203::1", "encap_dst_private"),
        ("enc_dst_subnet_bcast", sixtofour(args.bcast) + "::1", "encap_dst_subnet_broadcast"),
        ("enc_dst_own_v4addr", sixtofour(args.outer_dst) + ":2::1", "encap_dst_local"),
        # Not a V4ADDR but the router's own all the same: only the FIB knows.
        ("enc_dst_host_secondary", sixtofour(args.host_secondary) + "::1", "encap_dst_local"),
    ]:
        add(name, counter, enc=True, inner_src=site, inner_dst=dst)
    # RFC 3056 9: a 6to4 source must leave from the V4ADDR it embeds, and that is not ours.
    add("enc_src_not_local", "encap_src_not_local", enc=True,
        inner_src=sixtofour(peer) + ":1::99", inner_dst=args.other_site)
    return c


def build(args, name, i, kw):
    from scapy.all import IP, UDP, Ether, IPv6, IPOption_NOP, Raw

    payload = ("stft:%s:%s:%d" % (args.tag, name, i)).encode()
    if kw.get("enc"):
        return Ether(src=args.src_mac, dst=args.dst_mac) / IPv6(
            src=kw["inner_src"], dst=kw["inner_dst"], hlim=64, tc=kw.get("tc", 0)
        ) / UDP(sport=40000 + i, dport=args.dport) / Raw(payload)
    inner = IPv6(
        src=kw.get("inner_src", DOC_NATIVE_SRC),
        dst=kw.get("inner_dst", args.inner_dst),
        hlim=64,
        tc=kw.get("tc", 0),
    ) / UDP(sport=40000 + i, dport=args.dport) / Raw(payload)
    inner = IPv6(bytes(inner))  # freeze lengths and checksums of the valid inner packet
    if "iversion" in kw:
        inner.version = kw["iversion"]
    if "iplen" in kw:
        inner.plen = inner.plen + kw["iplen"]

    outer = IP(
        src=kw.get("osrc", args.peer),
        dst=kw.get("odst", args.outer_dst),
        ttl=kw.get("ttl", 64),
        tos=kw.get("tos", 0),
        proto=41,
        id=(1000 + i) & 0xFFFF,
    )
    if kw.get("frag"):
        outer.flags = "MF"
    if kw.get("options"):
        outer.options = [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_NOP()]
    if "version" in kw:
        outer.version = kw["version"]
    if "ihl" in kw:
        outer.ihl = kw["ihl"]
    real_len = 20 + (4 if kw.get("options") else 0) + len(bytes(inner))
    if "olen_extra" in kw:  # claims more bytes than the frame carries
        outer.len = real_len + kw["olen_extra"]
    if "olen" in kw:  # an absolute total length
        outer.len = kw["olen"]
    if kw.get("short_inner"):  # the frame ends 10 bytes into the inner header
        inner = Raw(bytes(inner)[:10])
    pkt = outer / inner
    raw = bytearray(bytes(pkt))  # scapy fills in the checksum over the fields as set
    if kw.get("bad_csum"):
        raw[10] ^= 0x5A
    return Ether(src=args.src_mac, dst=args.dst_mac, type=0x0800) / Raw(bytes(raw))


def cmd_list(args):
    for name, (counter, delivered, ecn, _) in cases(args).items():
        print(name, counter, "yes" if delivered else "no", "-" if ecn is None else ecn)


def cmd_send(args):
    from scapy.all import get_if_hwaddr, sendp

    args.src_mac = get_if_hwaddr(args.iface)
    table = cases(args)
    frames = []
    for name in args.case:
        if name not in table:
            sys.exit("unknown case %s" % name)
        for i in range(args.count):
            frames.append(build(args, name, i, table[name][3]))
    if args.barrier:
        # A valid frame after the others on the same link: once the listener has it, every
        # frame before it has been through the router (one veth queue, in order).
        kw = dict(table["valid"][3])
        kw["odst"] = args.barrier_outer_dst or args.outer_dst
        kw["inner_dst"] = args.barrier_inner_dst or args.inner_dst
        frames.append(build(args, "barrier", 0, kw))
    sendp(frames, iface=args.iface, verbose=False, inter=args.interval)
    print("sent %d frame(s): %s%s" % (len(frames), " ".join(args.case), " +barrier" if args.barrier else ""))


def cmd_listen(args):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
    s.bind(("::", args.port))
    with open(args.out, "a", buffering=1) as out:
        out.write("listening\n")
        while True:
            data, anc, _, src = s.recvmsg(2048, socket.CMSG_SPACE(4))
            tclass = None
            for level, typ, val in anc:
                if level == socket.IPPROTO_IPV6 and typ == socket.IPV6_TCLASS:
                    tclass = int.from_bytes(val[:4], sys.byteorder)
            ecn = "?" if tclass is None else str(tclass & 3)
            out.write("%s ecn=%s from=%s\n" % (data.decode(errors="replace"), ecn, src[0]))


def cmd_foreign_xdp(args):
    """Attach someone else's XDP program (2 instructions: return XDP_PASS) to an interface,
    by bpf(2) and rtnetlink directly, so a test can check that stf-xdp refuses to replace it."""
    import ctypes
    import struct

    libc = ctypes.CDLL(None, use_errno=True)
    insns = bytes.fromhex("b700000002000000" "9500000000000000")  # r0 = XDP_PASS; exit
    insn_buf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = bytearray(128)
    struct.pack_into("<IIQQ", attr, 0, 6, 2, ctypes.addressof(insn_buf), ctypes.addressof(lic))
    attr[48:48 + 11] = b"foreign_xdp"  # prog_name
    attr_buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    import platform

    nr_bpf = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
    if nr_bpf is None:
        sys.exit("foreign-xdp: unknown bpf(2) syscall number on %s" % platform.machine())
    fd = libc.syscall(nr_bpf, 5, attr_buf, len(attr))  # BPF_PROG_LOAD
    if fd < 0:
        sys.exit("BPF_PROG_LOAD failed: errno %d" % ctypes.get_errno())
    ifindex = socket.if_nametoindex(args.iface)
    flags = 2 if args.generic else 4  # XDP_FLAGS_SKB_MODE / XDP_FLAGS_DRV_MODE
    xdp = struct.pack("<HHi", 8, 1, fd) + struct.pack("<HHI", 8, 3, flags)
    attrs = struct.pack("<HH", 4 + len(xdp), 43 | 0x8000) + xdp  # IFLA_XDP, nested
    body = struct.pack("<BBHiII", 0, 0, 0, ifindex, 0, 0) + attrs
    msg = struct.pack("<IHHII", 16 + len(body), 19, 0x1 | 0x4, 1, 0) + body  # RTM_SETLINK, REQUEST|ACK
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    nl.send(msg)
    reply = nl.recv(4096)
    err = struct.unpack_from("<i", reply, 16)[0]
    if err:
        sys.exit("RTM_SETLINK IFLA_XDP failed: %s" % __import__("os").strerror(-err))
    print("foreign XDP program attached to %s" % args.iface)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("list", "send"):
        p = sub.add_parser(name)
        p.add_argument("--peer", default="198.51.100.1", help="a legitimate 6to4 peer's IPv4")
        p.add_argument("--bcast", default="192.0.2.255", help="the receiving link's broadcast")
        p.add_argument("--outer-dst", default="192.0.2.1", help="the router's V4ADDR")
        p.add_argument("--inner-dst", default="2002:c000:201:1::10", help="the site host")
        p.add_argument("--other-site", default="2002:cb00:7101:1::10",
                       help="a 6to4 address that does not embed --outer-dst")
        p.add_argument("--not-ours", default="192.0.2.77", help="an IPv4 that is not the router's")
        p.add_argument("--host-secondary", default="203.0.113.200",
                       help="an IPv4 address of the router that is not a V4ADDR")
        p.add_argument("--wrong-iface-src", default="203.0.113.70",
                       help="an IPv4 the router routes out of another interface")
        p.add_argument("--unreachable-src", default="203.0.113.33",
                       help="an IPv4 the router has an unreachable route for")
        p.add_argument("--native-dst", default="2001:db8:99::10",
                       help="a native IPv6 address of the site host (relay cases)")
        if name == "send":
            p.add_argument("--iface", required=True)
            p.add_argument("--dst-mac", required=True)
            p.add_argument("--dport", type=int, default=5555)
            p.add_argument("--count", type=int, default=1)
            p.add_argument("--interval", type=float, default=0.0,
                           help="seconds between frames (a steady stream instead of a burst)")
            p.add_argument("--tag", default="0", help="a round tag put in every payload")
            p.add_argument("--barrier", action="store_true",
                           help="end with one valid frame whose payload is stft:TAG:barrier:0")
            p.add_argument("--barrier-outer-dst", help="the barrier's outer destination "
                           "(default --outer-dst)")
            p.add_argument("--barrier-inner-dst", help="the barrier's inner destination "
                           "(default --inner-dst)")
            p.add_argument("case", nargs="+")
    p = sub.add_parser("foreign-xdp")
    p.add_argument("--iface", required=True)
    p.add_argument("--generic", action="store_true")
    p = sub.add_parser("listen")
    p.add_argument("--port", type=int, default=5555)
    p.add_argument("--out", required=True)
    args = ap.parse_args()
    {"list": cmd_list, "send": cmd_send, "listen": cmd_listen,
     "foreign-xdp": cmd_foreign_xdp}[args.cmd](args)


if __name__ == "__main__":
    main()
