// Hand cases of the reference model, each checked against an expectation written out here
// from the specification (and the RFC it cites), not against the dataplane: the fuzzer
// compares the model with bpf/, these tests keep the model honest on its own.
#include <cstring>

#include <gtest/gtest.h>

#include "model.h"
#include "packet.h"

namespace {

using namespace pkt;
using stf_model::Config;
using stf_model::FibResult;
using stf_model::Result;

const uint32_t kLocal = ip4("192.0.2.1");
const uint32_t kLocal2 = ip4("198.51.100.20");
const uint32_t kPeer = ip4("203.0.113.9");
const uint32_t kRelay = ip4("198.51.100.99");
constexpr uint32_t kUplink = 3, kOther = 9, kTunnel = 11, kMtu = 1500;
const Mac kTunMac = mac("02:00:00:00:00:51");
const Mac kGw = mac("02:00:00:00:00:fe"), kUplinkMac = mac("02:00:00:00:00:01");

uint32_t be(uint32_t host)
{
	uint32_t v;
	const uint8_t b[4] = {uint8_t(host >> 24), uint8_t(host >> 16), uint8_t(host >> 8),
			      uint8_t(host)};
	std::memcpy(&v, b, 4);
	return v;
}

// A small world: our addresses are local, 198.51.100.32/28 has no route, 192.0.2.0/24 is
// on-link without neighbours, 198.51.100.128/25 leaves by another interface, the rest goes
// through a resolved gateway on the uplink.
class TestNet : public stf_model::Net {
public:
	FibResult fib(uint32_t a) const override
	{
		FibResult r;
		if (a == kLocal || a == ip4("192.0.2.255")) {
			r.kind = FibResult::Local;
		} else if ((a & 0xfffffff0u) == ip4("198.51.100.32")) {
			r.kind = FibResult::None;
		} else if ((a & 0xffffff80u) == ip4("198.51.100.128")) {
			r.ifindex = kOther;
			r.resolved = true;
		} else if ((a & 0xffffff00u) == ip4("192.0.2.0")) {
			r.ifindex = kUplink;
		} else {
			r.ifindex = kUplink;
			r.resolved = true;
			r.next_hop = kGw;
			r.egress = kUplinkMac;
		}
		return r;
	}
	uint32_t mtu(uint32_t) const override { return kMtu; }
	// 2001:db8:99::/64 routes back into the tunnel (ifindex kTunnel), nothing else is routed.
	std::optional<uint32_t> fib6(const uint8_t dst[16], uint32_t from) const override
	{
		static const uint8_t loop[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x99};
		if (from == kTunnel && std::memcmp(dst, loop, 6) == 0)
			return kTunnel;
		return std::nullopt;
	}
};

Config base()
{
	Config c;
	c.cfg.ifindex = kUplink;
	std::memcpy(c.cfg.tun_mac, kTunMac.data(), 6);
	c.cfg.mode = STF_MODE_ROUTER;
	c.cfg.ttl = 64;
	c.cfg.flags = STF_F_INGRESS_FILTER;
	c.cfg.n_local = 2;
	c.cfg.local[0] = be(kLocal);
	c.cfg.local[1] = be(kLocal2);
	c.cfg.n_bcast = 1;
	c.cfg.bcast[0] = be(ip4("192.0.2.255"));
	c.cfg.relay = be(kRelay);
	return c;
}

struct Tun {
	Ipv4 outer;
	Ipv6 inner;
	Tun()
	{
		outer.src = kPeer;
		outer.dst = kLocal;
		inner.src = addr_6to4(kPeer, 1, 1);
		inner.dst = addr_6to4(kLocal, 2, 2);
	}
	Bytes inner_bytes() const { return ipv6(inner, icmpv6_echo(inner, 1, 1, pattern(8))); }
	Bytes frame() const { return eth({}, ipv4(outer, inner_bytes())); }
};

Result decap(const Bytes &f, const Config &c = base())
{
	return stf_model::decap(f, c, TestNet{});
}

TEST(ModelDecap, ValidRouterPacketIsStrippedAndRedirected)
{
	Tun t;
	const Bytes in = t.frame();
	const Result r = decap(in);
	EXPECT_EQ(r.action, stf_model::kXdpRedirect);
	ASSERT_TRUE(r.counter);
	EXPECT_EQ(*r.counter, uint32_t(STF_C_decap));
	Eth e;
	e.dst = kTunMac;
	e.type = kEthIpv6;
	const Bytes want = eth(e, t.inner_bytes());
	EXPECT_EQ(r.out, want) << diff(want, r.out);
}

TEST(ModelDecap, NotOursIsUntouchedAndUncounted)
{
	Tun t;
	t.outer.dst = ip4("198.51.100.77");
	const Bytes in = t.frame();
	const Result r = decap(in);
	EXPECT_EQ(r.action, stf_model::kXdpPass);
	EXPECT_FALSE(r.counter);
	EXPECT_EQ(r.out, in);
}

// RFC 6040 4.2: CE outside a Not-ECT packet cannot be passed on, so the packet is dropped;
// ECT(1) outside ECT(0) becomes ECT(1).
TEST(ModelDecap, Rfc6040Table)
{
	Tun t;
	t.outer.tos = 0x03;
	Result r = decap(t.frame());
	EXPECT_EQ(r.action, stf_model::kXdpDrop);
	EXPECT_EQ(*r.counter, uint32_t(STF_C_ecn_ce_not_ect));

	t.outer.tos = 0x01;
	t.inner.tclass = 0x02;
	r = decap(t.frame());
	ASSERT_EQ(r.action, stf_model::kXdpRedirect);
	EXPECT_EQ((r.out[kEthLen] << 4 | r.out[kEthLen + 1] >> 4) & 0xff, 0x01);
}

// ::ffff:0:0/96 lies inside ::/16; the longer prefix names the class.
TEST(ModelDecap, V4MappedSourceIsNotReserved)
{
	Tun t;
	t.inner.src = ip6("::ffff:203.0.113.9");
	EXPECT_EQ(*decap(t.frame()).counter, uint32_t(STF_C_inner_src_v4mapped));
	t.inner.src = ip6("::203.0.113.9");
	EXPECT_EQ(*decap(t.frame()).counter, uint32_t(STF_C_inner_src_reserved));
}

TEST(ModelDecap, OptionsAndFragmentsGoToTheKernelBeforeTheChecksum)
{
	Tun t;
	t.outer.frag_off = 0x2000;
	t.outer.bad_checksum = true;
	Result r = decap(t.frame());
	EXPECT_EQ(r.action, stf_model::kXdpPass);
	EXPECT_EQ(*r.counter, uint32_t(STF_C_pass_fragment));
	t.outer.options = {1, 1, 1, 0};
	EXPECT_EQ(*decap(t.frame()).counter, uint32_t(STF_C_pass_options));
}

TEST(ModelDecap, DenyBeforeAllowAndIngressFilter)
{
	Config c = base();
	c.cfg.has_allow = c.cfg.has_deny = 1;
	c.allow = {{kPeer, 24}};
	c.deny = {{kPeer ^ 3, 30}}; // .10/30 holds .9: host bits are ignored, as by an LPM trie
	EXPECT_EQ(*decap(Tun{}.frame(), c).counter, uint32_t(STF_C_outer_src_denied));
	c.deny.clear();
	EXPECT_EQ(*decap(Tun{}.frame(), c).counter, uint32_t(STF_C_decap));

	Tun t;
	t.outer.src = ip4("198.51.100.200");
	t.inner.src = addr_6to4(t.outer.src, 0, 1);
	EXPECT_EQ(*decap(t.frame()).counter, uint32_t(STF_C_outer_src_wrong_iface));
	t.outer.src = ip4("198.51.100.33");
	t.inner.src = addr_6to4(t.outer.src, 0, 1);
	EXPECT_EQ(*decap(t.frame()).counter, uint32_t(STF_C_outer_src_no_route));
	Config off = base();
	off.cfg.flags = 0;
	EXPECT_EQ(*decap(t.frame(), off).counter, uint32_t(STF_C_decap));
}

struct Six {
	Eth l2{mac("02:00:00:00:00:aa"), mac("02:00:00:00:00:bb"), kEthIpv6};
	Ipv6 ip;
	size_t payload = 16;
	Six()
	{
		ip.src = addr_6to4(kLocal, 3, 3);
		ip.dst = addr_6to4(kPeer, 4, 4);
		ip.tclass = 0xb9;
	}
	Bytes packet() const { return ipv6(ip, pattern(payload)); }
	Bytes frame() const { return eth(l2, packet()); }
};

Result encap(const Bytes &f, const Config &c = base())
{
	return stf_model::encap(f, c, TestNet{}, 0xbeef);
}

TEST(ModelEncap, SixToFourIsEncapsulatedToTheEmbeddedAddress)
{
	Six s;
	const Result r = encap(s.frame());
	EXPECT_EQ(r.action, stf_model::kTcRedirect);
	EXPECT_EQ(*r.counter, uint32_t(STF_C_encap));
	Ipv4 h;
	h.tos = 0xb9;
	h.id = 0xbeef;
	h.ttl = 64;
	h.src = kLocal;
	h.dst = kPeer;
	const Bytes want = eth({kGw, kUplinkMac, kEthIpv4}, ipv4(h, s.packet()));
	EXPECT_EQ(r.out, want) << diff(want, r.out);
	EXPECT_EQ(csum_fold(csum_add(r.out.data() + kEthLen, kIpv4Len)), 0);
}

TEST(ModelEncap, UnresolvedNextHopKeepsTheMacs)
{
	Six s;
	s.ip.dst = addr_6to4(ip4("192.0.2.119"), 0, 1);
	const Result r = encap(s.frame());
	ASSERT_EQ(r.action, stf_model::kTcRedirect);
	EXPECT_TRUE(std::equal(r.out.begin(), r.out.begin() + 12, s.frame().begin()));
}

TEST(ModelEncap, NativeGoesToTheRelayFromLocal0)
{
	Six s;
	s.ip.src = ip6("2001:db8::1");
	s.ip.dst = ip6("2001:db8::2");
	const Result r = encap(s.frame());
	ASSERT_EQ(r.action, stf_model::kTcRedirect);
	EXPECT_EQ(get16(r.out, kEthLen + 12), kLocal >> 16);
	EXPECT_EQ(get16(r.out, kEthLen + 16), kRelay >> 16);
	EXPECT_EQ(get16(r.out, kEthLen + 18), kRelay & 0xffff);
	Config c = base();
	c.cfg.relay = 0;
	EXPECT_EQ(*encap(s.frame(), c).counter, uint32_t(STF_C_encap_no_relay));
}

// 1480 bytes of IPv6 make a 1500-byte IPv4 packet: it fits; one more byte does not.
TEST(ModelEncap, TooBigIsADropAfterThePush)
{
	Six s;
	s.payload = 1480 - kIpv6Len;
	EXPECT_EQ(*encap(s.frame()).counter, uint32_t(STF_C_encap));
	s.payload++;
	const Result r = encap(s.frame());
	EXPECT_EQ(r.action, stf_model::kTcShot);
	EXPECT_EQ(*r.counter, uint32_t(STF_C_encap_too_big));
	EXPECT_FALSE(r.out_compared);
}

TEST(ModelEncap, DestinationChecksInOrder)
{
	Six s;
	s.ip.dst = ip6("ff02::1");
	EXPECT_EQ(*encap(s.frame()).counter, uint32_t(STF_C_encap_inner_multicast));
	s.ip.dst = addr_6to4(ip4("10.0.0.1"), 0, 1);
	EXPECT_EQ(*encap(s.frame()).counter, uint32_t(STF_C_encap_dst_private));
	s.ip.dst = addr_6to4(kLocal2, 0, 1);
	EXPECT_EQ(*encap(s.frame()).counter, uint32_t(STF_C_encap_dst_local));
	s.ip.dst = addr_6to4(ip4("198.51.100.200"), 0, 1);
	EXPECT_EQ(*encap(s.frame()).counter, uint32_t(STF_C_encap_no_route));
	s.ip.src = addr_6to4(kPeer, 0, 1);
	EXPECT_EQ(*encap(s.frame()).counter, uint32_t(STF_C_encap_src_not_local));
}

TEST(ModelClasses, V4Edges)
{
	const stf_config cfg = base().cfg;
	EXPECT_EQ(stf_model::class_v4(ip4("0.255.255.255"), cfg), STF_ADDR_UNSPECIFIED);
	EXPECT_EQ(stf_model::class_v4(ip4("255.255.255.255"), cfg), STF_ADDR_RESERVED);
	EXPECT_EQ(stf_model::class_v4(ip4("169.254.0.0"), cfg), STF_ADDR_LINKLOCAL);
	EXPECT_EQ(stf_model::class_v4(ip4("172.15.255.255"), cfg), STF_ADDR_OK);
	EXPECT_EQ(stf_model::class_v4(ip4("172.31.255.255"), cfg), STF_ADDR_PRIVATE);
	EXPECT_EQ(stf_model::class_v4(ip4("192.0.2.255"), cfg), STF_ADDR_SUBNET_BROADCAST);
	stf_config permit = cfg;
	permit.flags |= STF_F_PERMIT_PRIVATE;
	EXPECT_EQ(stf_model::class_v4(ip4("192.168.0.1"), permit), STF_ADDR_OK);
}

} // namespace
