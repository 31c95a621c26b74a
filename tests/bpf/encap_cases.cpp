// The encap table: every case stf_encap must get right, built with encap_cases.h's
// vocabulary (see encap_test.cpp for how each is run and checked).
#include "encap_cases.h"

namespace encapt {

EncapCase encap(std::string name, std::string desc, const Six &s, uint32_t outer_src,
		uint32_t outer_dst)
{
	EncapCase c{std::move(name), std::move(desc), s.frame()};
	c.action = TC_ACT_REDIRECT;
	c.out = Out::Encap;
	c.src = outer_src;
	c.dst = outer_dst;
	c.tos = s.ip.tclass; // DSCP and ECN copied outward (RFC 6040 normal mode)
	c.dmac = kGatewayMac;
	c.smac = kUplinkMac;
	c.inner = s.packet();
	c.counter = STF_C_encap;
	return c;
}

EncapCase drop(std::string name, std::string desc, const Bytes &frame, uint32_t reason,
	       Out out)
{
	EncapCase c{std::move(name), std::move(desc), frame};
	c.action = TC_ACT_SHOT;
	c.out = out;
	c.counter = reason;
	return c;
}

namespace {

void relay_none(stf_config &c)
{
	c.relay = 0;
}

std::vector<EncapCase> build_table()
{
	std::vector<EncapCase> t;
	auto add = [&t](EncapCase c) { t.push_back(std::move(c)); };

	// ---- encapsulated and redirected ------------------------------------------------------
	add(encap("to_6to4_dst", "2002:ours:: -> 2002:peer:: goes to the peer's V4ADDR", Six{},
		  kLocal, kPeer));
	add(encap("tclass_copied_to_tos", "DSCP 46 + ECT(1) copied into the outer TOS",
		  with([](Six &s) { s.ip.tclass = 0xb9; }), kLocal, kPeer));
	add(encap("ce_copied_to_tos", "CE copied outward (RFC 6040 normal mode)",
		  with([](Six &s) { s.ip.tclass = 0x03; }), kLocal, kPeer));
	add(encap("ttl_from_config", "outer TTL is cfg.ttl", Six{}, kLocal, kPeer)
		    .cfg([](stf_config &c) { c.ttl = 255; })
		    .out_ttl(255));
	add(encap("native_dst_via_relay", "native destination goes to the configured relay",
		  to(ip6("2001:db8:5::1")), kLocal, kRelay));
	add(encap("native_dst_via_relay_from_second_local",
		  "6to4 source on our second V4ADDR, native destination via the relay",
		  with([](Six &s) {
			  s.ip.src = addr_6to4(kLocal2, 0, 1);
			  s.ip.dst = ip6("2001:db8:5::1");
		  }),
		  kLocal2, kRelay));
	add(encap("second_local_src", "a 6to4 source leaves from the V4ADDR it embeds",
		  with([](Six &s) { s.ip.src = addr_6to4(kLocal2, 9, 9); }), kLocal2, kPeer));
	add(encap("return_relay_native_src", "return relay: native source leaves from local[0]",
		  with([](Six &s) { s.ip.src = ip6("2001:db8:80::80"); }), kLocal, kPeer)
		    .cfg([](stf_config &c) { c.mode = STF_MODE_RETURN_RELAY; }));
	add(encap("router_native_src_uses_local0", "router mode: native source from local[0]",
		  with([](Six &s) { s.ip.src = ip6("2001:db8:80::81"); }), kLocal, kPeer));
	add(encap("private_dst_permitted", "10.0.0.1 allowed with STF_F_PERMIT_PRIVATE",
		  to(addr_6to4(ip4("10.0.0.1"), 0, 1)), kLocal, ip4("10.0.0.1"))
		    .cfg([](stf_config &c) { c.flags |= STF_F_PERMIT_PRIVATE; }));
	add(encap("subnet_broadcast_only_if_configured",
		  "203.0.113.255 is an ordinary address when no broadcast entry names it",
		  to(addr_6to4(kBcast2, 0, 1)), kLocal, kBcast2)
		    .cfg([](stf_config &c) { c.n_bcast = 0; }));
	add(encap("onlink_unresolved_neighbour",
		  "on-link 192.0.2.119 without a neighbour: bpf_redirect_neigh, MACs left as is",
		  to(addr_6to4(ip4("192.0.2.119"), 0, 1)), kLocal, ip4("192.0.2.119"))
		    .macs(std::nullopt, std::nullopt));
	add(encap("largest_that_fits", "1480-byte IPv6 packet becomes 1500 bytes: the MTU",
		  with([](Six &s) { s.l4 = pattern(1480 - kIpv6Len); }), kLocal, kPeer));
	add(encap("largest_that_fits_unresolved", "1480 bytes to an unresolved next hop: fits",
		  with([](Six &s) {
			  s.l4 = pattern(1480 - kIpv6Len);
			  s.ip.dst = addr_6to4(ip4("192.0.2.119"), 0, 1);
		  }),
		  kLocal, ip4("192.0.2.119"))
		    .macs(std::nullopt, std::nullopt));

	// ---- dropped before anything was written ----------------------------------------------
	add(drop("encap_not_ipv6_ipv4", "IPv4 frame routed into the tunnel device",
		 eth({kTunDst, kTunSrc, kEthIpv4},
		     ipv4([] {
			     Ipv4 h;
			     h.src = kLocal;
			     h.dst = kPeer;
			     h.protocol = 17;
			     return h;
		     }(),
			  pattern(20))),
		 STF_C_encap_not_ipv6));
	add(drop("encap_not_ipv6_arp", "ARP frame", eth({kTunDst, kTunSrc, kEthArp}, pattern(28)),
		 STF_C_encap_not_ipv6));
	// encap_truncated (an IPv6 frame shorter than 14 + 40 bytes) is not in this table: this
	// kernel's PROG_TEST_RUN refuses such frames with -EINVAL before the program runs (it
	// checks the L3 header length of IPv4 and IPv6 frames; ARP of any length is accepted).
	// EncapLive.TruncatedIpv6Frame below sends one through the real egress hook instead.
	add(drop("encap_inner_multicast_linklocal", "ff02::1 (ND, MLD) is never tunnelled",
		 to(ip6("ff02::1")).frame(), STF_C_encap_inner_multicast));
	add(drop("encap_inner_multicast_global", "ff0e::101", to(ip6("ff0e::101")).frame(),
		 STF_C_encap_inner_multicast));
	add(drop("encap_no_relay", "native destination, no relay configured",
		 to(ip6("2001:db8:5::1")).frame(), STF_C_encap_no_relay)
		    .cfg(relay_none));
	add(drop("encap_no_local", "native source and no local V4ADDR",
		 with([](Six &s) { s.ip.src = ip6("2001:db8:80::80"); }).frame(), STF_C_encap_no_local)
		    .cfg([](stf_config &c) { c.n_local = 0; }));
	add(drop("encap_src_not_local", "6to4 source of somebody else's prefix",
		 with([](Six &s) { s.ip.src = addr_6to4(ip4("203.0.113.77"), 0, 1); }).frame(),
		 STF_C_encap_src_not_local));
	add(drop("encap_src_not_local_no_locals", "6to4 source with no local configured",
		 Six{}.frame(), STF_C_encap_src_not_local)
		    .cfg([](stf_config &c) { c.n_local = 0; }));

	// Outer destination classes, embedded in a 2002:: destination.
	struct DstCase {
		const char *name;
		const char *v4;
		uint32_t reason;
	};
	static const DstCase dst_cases[] = {
		{"encap_dst_zero", "0.0.0.0", STF_C_encap_dst_unspecified},
		{"encap_dst_this_network", "0.1.2.3", STF_C_encap_dst_unspecified},
		{"encap_dst_loopback", "127.0.0.1", STF_C_encap_dst_loopback},
		{"encap_dst_multicast", "224.0.0.5", STF_C_encap_dst_multicast},
		{"encap_dst_multicast_high", "239.1.2.3", STF_C_encap_dst_multicast},
		{"encap_dst_reserved", "240.0.0.1", STF_C_encap_dst_reserved},
		{"encap_dst_limited_broadcast", "255.255.255.255", STF_C_encap_dst_reserved},
		{"encap_dst_linklocal", "169.254.1.1", STF_C_encap_dst_linklocal},
		{"encap_dst_private_10", "10.0.0.1", STF_C_encap_dst_private},
		{"encap_dst_private_172_16", "172.16.0.1", STF_C_encap_dst_private},
		{"encap_dst_private_172_31", "172.31.0.1", STF_C_encap_dst_private},
		{"encap_dst_private_192_168", "192.168.0.1", STF_C_encap_dst_private},
		{"encap_dst_subnet_broadcast", "192.0.2.255", STF_C_encap_dst_subnet_broadcast},
		{"encap_dst_second_subnet_broadcast", "203.0.113.255",
		 STF_C_encap_dst_subnet_broadcast},
		{"encap_dst_local", "192.0.2.1", STF_C_encap_dst_local},
		{"encap_dst_second_local", "198.51.100.20", STF_C_encap_dst_local},
	};
	for (const auto &d : dst_cases)
		add(drop(d.name, std::string("2002:: destination embedding ") + d.v4,
			 to(addr_6to4(ip4(d.v4), 0, 1)).frame(), d.reason));
	// The relay address is checked like any other outer destination.
	struct RelayCase {
		const char *name;
		const char *v4;
		uint32_t reason;
	};
	static const RelayCase relay_cases[] = {
		{"encap_relay_loopback", "127.0.0.1", STF_C_encap_dst_loopback},
		{"encap_relay_private", "192.168.7.1", STF_C_encap_dst_private},
		{"encap_relay_subnet_broadcast", "192.0.2.255", STF_C_encap_dst_subnet_broadcast},
		{"encap_relay_is_local", "192.0.2.1", STF_C_encap_dst_local},
	};
	for (const auto &r : relay_cases) {
		const uint32_t relay = stft::be32(ip4(r.v4));
		add(drop(r.name, std::string("native destination via relay ") + r.v4,
			 to(ip6("2001:db8:5::1")).frame(), r.reason)
			    .cfg([relay](stf_config &c) { c.relay = relay; }));
	}

	// ---- dropped by the FIB lookup, asked before the packet is touched --------------------
	add(drop("encap_no_route_device_without_routes",
		 "cfg.ifindex is up and forwarding but has no route to the destination", Six{}.frame(),
		 STF_C_encap_no_route, Out::Unchanged)
		    .cfg([](stf_config &c) { c.ifindex = stft::g_net.noroute; }));
	add(drop("encap_no_route_ifindex_0", "cfg.ifindex 0: the route goes out of veth0, not 0",
		 Six{}.frame(), STF_C_encap_no_route, Out::Unchanged)
		    .cfg([](stf_config &c) { c.ifindex = 0; }));
	add(drop("encap_dst_local_other_iface",
		 "198.51.100.65: an address of the host on another interface, not a V4ADDR",
		 to(addr_6to4(ip4("198.51.100.65"), 0, 1)).frame(), STF_C_encap_dst_local,
		 Out::Unchanged));
	add(drop("encap_no_route_unreachable", "198.51.100.33: an unreachable route",
		 to(addr_6to4(ip4("198.51.100.33"), 0, 1)).frame(), STF_C_encap_no_route,
		 Out::Unchanged));
	add(drop("encap_no_route_blackhole", "198.51.100.49: a blackhole route",
		 to(addr_6to4(ip4("198.51.100.49"), 0, 1)).frame(), STF_C_encap_no_route,
		 Out::Unchanged));
	add(drop("encap_no_route_other_iface", "198.51.100.200 routes out of nofwd0, not veth0",
		 to(addr_6to4(ip4("198.51.100.200"), 0, 1)).frame(), STF_C_encap_no_route,
		 Out::Unchanged));
	// The route is asked before the MTU: a packet too big for the link to an address of the
	// host is refused as the latter, untouched.
	add(drop("encap_dst_local_before_too_big", "1500-byte IPv6 packet to 198.51.100.65",
		 with([](Six &s) {
			 s.l4 = pattern(1500 - kIpv6Len);
			 s.ip.dst = addr_6to4(ip4("198.51.100.65"), 0, 1);
		 }).frame(),
		 STF_C_encap_dst_local, Out::Unchanged));

	// ---- dropped after encapsulation (skb helpers) ---------------------------------------
	add(drop("encap_too_big", "1500-byte IPv6 packet grows to 1520 bytes on a 1500 MTU link",
		 with([](Six &s) { s.l4 = pattern(1500 - kIpv6Len); }).frame(), STF_C_encap_too_big,
		 Out::Ignored));
	// The contract: "encapsulated packet exceeds the interface MTU". 1481 bytes of IPv6 make a
	// 1501-byte IPv4 packet on a 1500-byte link: bpf_fib_lookup's own check would allow
	// MTU + 14 + VLAN_HLEN, so the program checks with bpf_check_mtu, which is exact.
	add(drop("encap_too_big_by_one_byte", "1481-byte IPv6 packet: outer IPv4 of 1501 > MTU 1500",
		 with([](Six &s) { s.l4 = pattern(1481 - kIpv6Len); }).frame(), STF_C_encap_too_big,
		 Out::Ignored));
	// The FIB helper's own check (MTU + 14 + VLAN_HLEN on the frame before it grows) fails
	// first here: its FRAG_NEEDED is a too-big packet, not a failed lookup.
	add(drop("encap_too_big_for_the_fib", "1600-byte IPv6 packet: the FIB helper itself refuses",
		 with([](Six &s) { s.l4 = pattern(1600 - kIpv6Len); }).frame(), STF_C_encap_too_big,
		 Out::Ignored));
	// Unresolved next hop: no MTU from the FIB, so bpf_check_mtu decides alone.
	add(drop("encap_too_big_unresolved", "1481-byte IPv6 packet to an unresolved next hop",
		 with([](Six &s) {
			 s.l4 = pattern(1481 - kIpv6Len);
			 s.ip.dst = addr_6to4(ip4("192.0.2.119"), 0, 1);
		 }).frame(),
		 STF_C_encap_too_big, Out::Ignored));
	// bpf_skb_adjust_room refuses to grow a GSO skb that is neither TCP nor UDP_L4 with
	// BPF_F_ADJ_ROOM_FIXED_GSO (-ENOTSUPP): PROG_TEST_RUN lets us set gso_size (gso_type 0).
	add(drop("encap_adjust_failed_non_tcp_gso", "GSO skb of no known type: adjust_room fails",
		 Six{}.frame(), STF_C_encap_adjust_failed, Out::Unchanged)
		    .ctx([](__sk_buff &s) {
			    s.gso_size = 1200;
			    s.gso_segs = 2;
		    }));
	return t;
}

} // namespace

const std::vector<EncapCase> &table()
{
	static const std::vector<EncapCase> t = build_table();
	return t;
}

stf_config base_config()
{
	stf_config c{};
	c.ifindex = stft::g_net.uplink;
	c.tun_ifindex = stft::g_net.tunnel;
	c.mode = STF_MODE_ROUTER;
	c.ttl = kTtl;
	c.relay = stft::be32(kRelay);
	c.n_local = 2;
	c.local[0] = stft::be32(kLocal);
	c.local[1] = stft::be32(kLocal2);
	c.n_bcast = 2;
	c.bcast[0] = stft::be32(kBcast);
	c.bcast[1] = stft::be32(kBcast2);
	return c;
}

__sk_buff base_ctx()
{
	__sk_buff s{};
	s.ifindex = stft::g_net.tunnel; // the packet leaves the tunnel device
	return s;
}

// The frame a correct encapsulation produces, with `id` as the outer IP ID.
Bytes expected_encap(const EncapCase &c, uint16_t id)
{
	Eth e;
	e.dst = c.dmac ? *c.dmac : Mac{c.input[0], c.input[1], c.input[2], c.input[3], c.input[4],
				       c.input[5]};
	e.src = c.smac ? *c.smac : Mac{c.input[6], c.input[7], c.input[8], c.input[9], c.input[10],
				       c.input[11]};
	e.type = kEthIpv4;
	Ipv4 h;
	h.version = 4;
	h.ihl = 5;
	h.tos = c.tos;
	h.id = id;
	h.frag_off = 0; // DF clear (RFC 3056 4)
	h.ttl = c.ttl;
	h.protocol = kProtoIpv6;
	h.src = c.src;
	h.dst = c.dst;
	return eth(e, ipv4(h, c.inner));
}

} // namespace encapt
