// stf_encap (tc) through BPF_PROG_TEST_RUN with a struct __sk_buff context, against the
// private namespace of main.cpp: veth0 192.0.2.1/24, default via 192.0.2.254 whose MAC
// (02:00:00:00:00:fe) is a permanent neighbour, so the FIB lookup resolves it.
//
// A successful case is compared byte for byte with an outer header built independently by
// packet.cpp: Ethernet dst = the next hop's MAC, src = veth0's MAC, type 0x0800; IPv4 version
// 4, IHL 5, TOS = inner traffic class, total length, DF clear, TTL = cfg.ttl, protocol 41, the
// expected addresses and a checksum computed here. The IP ID is random: it is read from the
// output and fed into the expected header, so the checksum comparison proves it was summed.
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "stf.skel.h"
#include "packet.h"

namespace {

using namespace pkt;

const uint32_t kLocal = ip4("192.0.2.1");      // veth0's address, local[0]
const uint32_t kLocal2 = ip4("198.51.100.20"); // local[1]
const uint32_t kPeer = ip4("203.0.113.9");     // a 6to4 site behind the default route
const uint32_t kRelay = ip4("198.51.100.99");  // the configured relay
const uint32_t kBcast = ip4("192.0.2.255");   // veth0's subnet broadcast
// A configured broadcast the kernel does not know as one (reached via the default route),
// so the program's own check is what stops it.
const uint32_t kBcast2 = ip4("203.0.113.255");
constexpr uint8_t kTtl = 37; // not the default, so the test sees it comes from the config

const Mac kTunDst = mac("02:00:00:00:00:aa"); // whatever the tunnel device wrote
const Mac kTunSrc = mac("02:00:00:00:00:bb");

// An IPv6 packet as routed into the tunnel device.
struct Six {
	Eth l2{kTunDst, kTunSrc, kEthIpv6};
	Ipv6 ip;
	std::optional<Bytes> l4;

	Six()
	{
		ip.src = addr_6to4(kLocal, 3, 0x30);
		ip.dst = addr_6to4(kPeer, 4, 0x40);
		ip.flow = 0x12345;
		ip.hop_limit = 61;
	}
	Bytes l4_bytes() const { return l4 ? *l4 : icmpv6_echo(ip, 0x99, 7, pattern(32)); }
	Bytes packet() const { return ipv6(ip, l4_bytes()); }
	Bytes frame() const { return eth(l2, packet()); }
};

template <typename F> Six with(F f)
{
	Six s;
	f(s);
	return s;
}

Six to(const In6 &dst)
{
	Six s;
	s.ip.dst = dst;
	return s;
}

enum class Out {
	Unchanged, // dropped before the program touched the packet
	Encap,     // encapsulated: compared byte for byte (IP ID from the output)
	Ignored,   // dropped after encapsulation: the bytes are never sent, so not compared
};

struct EncapCase {
	std::string name;
	std::string description;
	Bytes input;
	std::function<void(stf_config &)> tweak;
	std::function<void(__sk_buff &)> ctx_tweak;
	uint32_t action = TC_ACT_SHOT;
	Out out = Out::Unchanged;
	// Out::Encap: the expected outer header; the MACs default to the gateway and veth0,
	// nullopt = left as they came in (bpf_redirect_neigh fills them in later).
	uint32_t src = 0, dst = 0;
	uint8_t tos = 0, ttl = kTtl;
	std::optional<Mac> dmac, smac;
	Bytes inner; // the IPv6 packet that must follow the outer header
	uint32_t counter = STF_C_encap;

	EncapCase &cfg(std::function<void(stf_config &)> f)
	{
		tweak = std::move(f);
		return *this;
	}
	EncapCase &ctx(std::function<void(__sk_buff &)> f)
	{
		ctx_tweak = std::move(f);
		return *this;
	}
	EncapCase &macs(std::optional<Mac> d, std::optional<Mac> s)
	{
		dmac = d;
		smac = s;
		return *this;
	}
	EncapCase &out_ttl(uint8_t t)
	{
		ttl = t;
		return *this;
	}
};

const Mac kGatewayMac = mac("02:00:00:00:00:fe");
const Mac kUplinkMac = mac("02:00:00:00:00:01");

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
	       Out out = Out::Unchanged)
{
	EncapCase c{std::move(name), std::move(desc), frame};
	c.action = TC_ACT_SHOT;
	c.out = out;
	c.counter = reason;
	return c;
}

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

const std::vector<EncapCase> &table()
{
	static const std::vector<EncapCase> t = build_table();
	return t;
}

const bool kDeclared = [] {
	for (const auto &c : table())
		stft::declare_expected(c.counter);
	return true;
}();

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

// gtest prints a failing parameter with this instead of a raw byte dump.
void PrintTo(const EncapCase &c, std::ostream *os)
{
	*os << c.name << " (" << c.description << ")";
}

class EncapTable : public ::testing::TestWithParam<EncapCase> {};

TEST_P(EncapTable, Run)
{
	const EncapCase &c = GetParam();
	SCOPED_TRACE(c.description);
	ASSERT_NE(stft::skel(), nullptr);

	stf_config cfg = base_config();
	if (c.tweak)
		c.tweak(cfg);
	ASSERT_TRUE(stft::write_config(cfg));
	__sk_buff ctx = base_ctx();
	if (c.ctx_tweak)
		c.ctx_tweak(ctx);

	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_tc(c.input, ctx);
	const auto after = stft::read_counters();

	ASSERT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN failed: " << std::strerror(-r.err);
	EXPECT_EQ(r.retval, c.action) << "tc action (2 = SHOT, 7 = REDIRECT)";
	switch (c.out) {
	case Out::Unchanged:
		EXPECT_TRUE(r.out == c.input) << "output bytes: " << diff(c.input, r.out);
		break;
	case Out::Encap: {
		ASSERT_GE(r.out.size(), kEthLen + kIpv4Len) << hexdump(r.out);
		const Bytes want = expected_encap(c, get16(r.out, kEthLen + 4));
		EXPECT_TRUE(r.out == want) << "output bytes: " << diff(want, r.out);
		// The same in words, for a reader of a failure: a valid header sums to 0xffff.
		EXPECT_EQ(csum_fold(csum_add(r.out.data() + kEthLen, kIpv4Len)), 0)
			<< "outer IPv4 checksum does not verify";
		break;
	}
	case Out::Ignored:
		break;
	}

	stft::expect_counter_delta(before, after, c.counter, c.input.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(c.counter);
}

INSTANTIATE_TEST_SUITE_P(Encap, EncapTable, ::testing::ValuesIn(table()),
			 [](const ::testing::TestParamInfo<EncapCase> &info) { return info.param.name; });

TEST(EncapTableSanity, WellFormed)
{
	std::set<std::string> names;
	for (const auto &c : table()) {
		EXPECT_TRUE(names.insert(c.name).second) << "duplicate case name " << c.name;
		EXPECT_LT(c.counter, uint32_t(STF_COUNTER_COUNT_)) << c.name;
		EXPECT_GE(c.input.size(), kEthLen) << c.name << ": tc test runs need >= 14 bytes";
	}
	EXPECT_GT(table().size(), 40u);
}

// The outer IP ID is random per packet (DF is clear, so it must be real, RFC 6864): four
// runs of the same packet must not all carry the same ID (false alarm odds: 2^-48).
TEST(EncapIpId, RandomPerPacket)
{
	stf_config cfg = base_config();
	ASSERT_TRUE(stft::write_config(cfg));
	std::set<uint16_t> ids;
	const Bytes in = Six{}.frame();
	for (int i = 0; i < 4; i++) {
		const stft::RunResult r = stft::run_tc(in, base_ctx());
		ASSERT_EQ(r.err, 0);
		ASSERT_EQ(r.retval, uint32_t(TC_ACT_REDIRECT));
		ASSERT_GE(r.out.size(), kEthLen + kIpv4Len);
		ids.insert(get16(r.out, kEthLen + 4));
		// Whatever the ID, the checksum covers it.
		EXPECT_EQ(csum_fold(csum_add(r.out.data() + kEthLen, kIpv4Len)), 0);
	}
	EXPECT_GT(ids.size(), 1u) << "the outer IP ID did not change over 4 packets";
}

// The FIB is asked from the tunnel device (forwarding on there), so IPv4 forwarding off on
// the attached interface (a server's usual state, the return-relay case) changes nothing:
// the next hop is resolved and the MACs written either way.
TEST(EncapForwarding, ForwardingOffOnTheInterfaceDoesNotMatter)
{
	stf_config cfg = base_config();
	cfg.ifindex = stft::g_net.nofwd;
	ASSERT_TRUE(stft::write_config(cfg));
	Six s = to(addr_6to4(ip4("198.51.100.200"), 0, 1));
	const Bytes in = s.frame();
	const EncapCase c = encap("", "", s, kLocal, ip4("198.51.100.200"))
				    .macs(mac("02:00:00:00:00:3e"), mac("02:00:00:00:00:31"));
	for (const char *fwd : {"0", "1"}) {
		SCOPED_TRACE(std::string("nofwd0 forwarding ") + fwd);
		ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/nofwd0/forwarding", fwd));
		const auto before = stft::read_counters();
		const stft::RunResult r = stft::run_tc(in, base_ctx());
		const auto after = stft::read_counters();
		ASSERT_EQ(r.err, 0);
		EXPECT_EQ(r.retval, uint32_t(TC_ACT_REDIRECT));
		stft::expect_counter_delta(before, after, STF_C_encap, in.size());
		ASSERT_GE(r.out.size(), kEthLen + kIpv4Len);
		const Bytes want = expected_encap(c, get16(r.out, kEthLen + 4));
		EXPECT_TRUE(r.out == want) << diff(want, r.out);
	}
	EXPECT_TRUE(stft::write_sysctl("net/ipv4/conf/nofwd0/forwarding", "0"));
}

// With IPv4 forwarding off on the tunnel device itself, no lookup is possible: whether the
// destination is one of our addresses cannot be known, so nothing is sent.
TEST(EncapFib, ForwardingOffOnTheTunnelFailsClosed)
{
	ASSERT_TRUE(stft::write_config(base_config()));
	const Bytes in = Six{}.frame();
	ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/stft0/forwarding", "0"));
	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_tc(in, base_ctx());
	const auto after = stft::read_counters();
	ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/stft0/forwarding", "1"));
	ASSERT_EQ(r.err, 0);
	EXPECT_EQ(r.retval, uint32_t(TC_ACT_SHOT));
	stft::expect_counter_delta(before, after, STF_C_encap_fib_failed, in.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(STF_C_encap_fib_failed);
}
const bool kFibDeclared = [] {
	stft::declare_expected(STF_C_encap_fib_failed);
	return true;
}();

// ---- encap_truncated through the real egress hook ---------------------------------------

// Attaches stf_encap to the egress of the tunnel stand-in (stft0) for the life of the object
// and removes exactly what it created.
class EgressAttachment {
public:
	explicit EgressAttachment(uint32_t ifindex)
	{
		hook_.sz = sizeof(hook_);
		hook_.ifindex = int(ifindex);
		hook_.attach_point = BPF_TC_EGRESS;
		int err = bpf_tc_hook_create(&hook_);
		if (err && err != -EEXIST) {
			error_ = "bpf_tc_hook_create: " + std::string(std::strerror(-err));
			return;
		}
		created_hook_ = err == 0;
		opts_.sz = sizeof(opts_);
		opts_.prog_fd = bpf_program__fd(stft::skel()->progs.stf_encap);
		err = bpf_tc_attach(&hook_, &opts_);
		if (err) {
			error_ = "bpf_tc_attach: " + std::string(std::strerror(-err));
			return;
		}
		attached_ = true;
	}
	~EgressAttachment()
	{
		if (attached_) {
			bpf_tc_opts del{};
			del.sz = sizeof(del);
			del.handle = opts_.handle;
			del.priority = opts_.priority;
			bpf_tc_detach(&hook_, &del);
		}
		if (created_hook_) {
			hook_.attach_point = bpf_tc_attach_point(BPF_TC_INGRESS | BPF_TC_EGRESS); // clsact
			bpf_tc_hook_destroy(&hook_);
		}
	}
	const std::string &error() const { return error_; }

private:
	bpf_tc_hook hook_{};
	bpf_tc_opts opts_{};
	bool created_hook_ = false;
	bool attached_ = false;
	std::string error_;
};

// PROG_TEST_RUN refuses IPv6 frames shorter than 54 bytes on this kernel, but the egress
// hook still sees them: an AF_PACKET socket may send any frame with protocol ETH_P_IPV6 out
// of the tunnel device. 34 bytes (Ethernet + 20 bytes of an IPv6 header) must be dropped as
// encap_truncated. IPv6 is disabled on every device of the namespace (main.cpp), so nothing
// else (DAD, MLD, RS) crosses the hook while the counters are compared.
TEST(EncapLive, TruncatedIpv6Frame)
{
	stf_config cfg = base_config();
	ASSERT_TRUE(stft::write_config(cfg));
	EgressAttachment att(stft::g_net.tunnel);
	ASSERT_EQ(att.error(), "");

	const Bytes full = Six{}.frame();
	const Bytes frame(full.begin(), full.begin() + kEthLen + 20);

	int fd = socket(AF_PACKET, SOCK_RAW, 0); // protocol 0: send only, receive nothing
	ASSERT_GE(fd, 0) << "socket(AF_PACKET): " << std::strerror(errno);
	sockaddr_ll sll{};
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = int(stft::g_net.tunnel);
	sll.sll_protocol = htons(ETH_P_IPV6);
	sll.sll_halen = ETH_ALEN;
	std::memcpy(sll.sll_addr, kTunDst.data(), ETH_ALEN);

	const auto before = stft::read_counters();
	// dev_queue_xmit runs the egress hook in this thread: counted when sendto returns.
	const ssize_t n = sendto(fd, frame.data(), frame.size(), 0,
				 reinterpret_cast<const sockaddr *>(&sll), sizeof(sll));
	const int send_errno = errno;
	const auto after = stft::read_counters();
	close(fd);

	// TC_ACT_SHOT on egress makes dev_queue_xmit return NET_XMIT_DROP; AF_PACKET reports it as
	// ENOBUFS or, depending on the kernel, success. Either way the counters tell.
	if (n < 0) {
		EXPECT_EQ(send_errno, ENOBUFS) << std::strerror(send_errno);
	}
	stft::expect_counter_delta(before, after, STF_C_encap_truncated, frame.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(STF_C_encap_truncated);
}

const bool kDeclaredLive = [] {
	stft::declare_expected(STF_C_encap_truncated);
	return true;
}();

} // namespace
