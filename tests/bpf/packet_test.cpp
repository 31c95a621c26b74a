// Known-answer tests of the packet builder itself, so a builder bug cannot hide a matching
// dataplane bug: every expectation here comes from outside both (RFC text, worked examples).
#include <gtest/gtest.h>

#include "packet.h"

namespace {

using namespace pkt;

// The classic worked example (Wikipedia "IPv4 header checksum"): 45 00 00 73 00 00 40 00 40 11
// [b8 61] c0 a8 00 01 c0 a8 00 c7.
TEST(PacketBuilder, Ipv4ChecksumKnownAnswer)
{
	Ipv4 h;
	h.tot_len = 0x73;
	h.id = 0;
	h.frag_off = 0x4000;
	h.ttl = 64;
	h.protocol = 17;
	h.src = ip4("192.168.0.1");
	h.dst = ip4("192.168.0.199");
	const Bytes b = ipv4(h, {});
	const Bytes want = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	EXPECT_EQ(b, want) << diff(want, b);
	EXPECT_EQ(csum_fold(csum_add(b.data(), b.size())), 0);
}

TEST(PacketBuilder, Ipv4OverridesAndOptions)
{
	Ipv4 h;
	h.src = ip4("203.0.113.9");
	h.dst = ip4("192.0.2.1");
	h.options = {1, 1, 1, 0};
	Bytes b = ipv4(h, Bytes(8, 0xaa));
	EXPECT_EQ(b[0], 0x46); // IHL follows the options
	EXPECT_EQ(get16(b, 2), 24 + 8);
	EXPECT_EQ(csum_fold(csum_add(b.data(), 24)), 0) << "checksum covers the options";

	h.bad_checksum = true;
	b = ipv4(h, {});
	EXPECT_NE(csum_fold(csum_add(b.data(), 24)), 0);

	Ipv4 v;
	v.version = 6;
	v.ihl = 4;
	v.tot_len = 19;
	b = ipv4(v, {});
	EXPECT_EQ(b[0], 0x64);
	EXPECT_EQ(get16(b, 2), 19);
	EXPECT_EQ(csum_fold(csum_add(b.data(), 20)), 0) << "overrides are summed as written";
}

TEST(PacketBuilder, Ipv6FirstWordAndLengths)
{
	Ipv6 h;
	h.tclass = 0xb9; // DSCP 46, ECT(1)
	h.flow = 0xabcde;
	h.hop_limit = 7;
	h.src = ip6("2001:db8::1");
	h.dst = addr_6to4(ip4("192.0.2.1"), 0x0007, 0x20);
	const Bytes b = ipv6(h, Bytes(3, 0));
	// version 6 | tclass 0xb9 | flow 0xabcde: 6b 9a bc de
	EXPECT_EQ(b[0], 0x6b);
	EXPECT_EQ(b[1], 0x9a);
	EXPECT_EQ(b[2], 0xbc);
	EXPECT_EQ(b[3], 0xde);
	EXPECT_EQ(get16(b, 4), 3);
	EXPECT_EQ(b[7], 7);
	const In6 want = ip6("2002:c000:201:7::20");
	EXPECT_TRUE(std::equal(want.begin(), want.end(), b.begin() + 24));
	h.payload_len = 999;
	EXPECT_EQ(get16(ipv6(h, {}), 4), 999);
}

// RFC 8200 8.1: the pseudo-header sum over the ICMPv6 message must verify to zero.
TEST(PacketBuilder, Icmpv6EchoChecksumVerifies)
{
	Ipv6 h;
	h.src = ip6("2002:cb00:7109:1::10");
	h.dst = ip6("2002:c000:201:7::20");
	const Bytes m = icmpv6_echo(h, 0x77, 1, pattern(25)); // odd length on purpose
	EXPECT_EQ(m[0], 128);
	Bytes ph(h.src.begin(), h.src.end());
	ph.insert(ph.end(), h.dst.begin(), h.dst.end());
	ph.insert(ph.end(), {0, 0, 0, uint8_t(m.size()), 0, 0, 0, kProtoIcmpv6});
	uint32_t sum = csum_add(ph.data(), ph.size());
	sum = csum_add(m.data(), m.size(), sum);
	EXPECT_EQ(csum_fold(sum), 0);
}

TEST(PacketBuilder, EthernetHeader)
{
	const Bytes b = eth({mac("02:00:00:00:00:fe"), mac("02:00:00:00:00:01"), kEthIpv6}, {0x60});
	const Bytes want = {2, 0, 0, 0, 0, 0xfe, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60};
	EXPECT_EQ(b, want);
}

} // namespace
