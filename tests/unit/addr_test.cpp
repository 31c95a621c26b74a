// Address math (ctl/addr.h): strict parsing, formatting, 6to4 prefixes, broadcasts, classes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "addr.h"
#include "error.h"

#include "test_addr.h"

namespace stf {
namespace {

using ::testing::HasSubstr;

using test::ip;

// The message of the usage Error f throws ("" if it throws none, which fails the test).
template <typename F> std::string usage_message(F f)
{
	try {
		f();
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	ADD_FAILURE() << "no Error thrown";
	return "";
}

TEST(ParseIpv4, AcceptsDottedQuads)
{
	EXPECT_EQ(parse_ipv4("192.0.2.1"), ip(192, 0, 2, 1));
	EXPECT_EQ(parse_ipv4("0.0.0.0"), 0u);
	EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xffffffffu);
	EXPECT_EQ(parse_ipv4("10.0.0.10"), ip(10, 0, 0, 10));
}

TEST(ParseIpv4, RejectsLeadingZerosThatInetAtonReadsAsOctal)
{
	EXPECT_EQ(parse_ipv4("010.0.0.1"), std::nullopt);
	EXPECT_EQ(parse_ipv4("192.0.2.01"), std::nullopt);
	EXPECT_EQ(parse_ipv4("192.00.2.1"), std::nullopt);
}

TEST(ParseIpv4, RejectsOutOfRangeOctets)
{
	EXPECT_EQ(parse_ipv4("256.0.0.1"), std::nullopt);
	EXPECT_EQ(parse_ipv4("300.1.2.3"), std::nullopt);
	EXPECT_EQ(parse_ipv4("1.2.3.1000"), std::nullopt);
}

TEST(ParseIpv4, RejectsWrongShapes)
{
	for (const char *bad : {"", "192.0.2", "192.0.2.1.5", "192.0.2.", ".192.0.2", "192..2.1",
				"1.2.3.4/32", "a.b.c.d", "0x7f.0.0.1", "-1.0.0.1", "+1.0.0.1", "1,2,3,4",
				"4294967295"})
		EXPECT_EQ(parse_ipv4(bad), std::nullopt) << bad;
}

TEST(ParseIpv4, RejectsWhitespace)
{
	for (const char *bad : {" 192.0.2.1", "192.0.2.1 ", "192.0.2.1\n", "192. 0.2.1", "\t1.2.3.4"})
		EXPECT_EQ(parse_ipv4(bad), std::nullopt) << bad;
}

TEST(ParseIpv4, RoundTripsThroughFormat)
{
	for (uint32_t a : {0u, 1u, ip(192, 0, 2, 1), ip(255, 255, 255, 255), ip(10, 20, 30, 40)})
		EXPECT_EQ(parse_ipv4(format_ipv4(a)), a);
	EXPECT_EQ(format_ipv4(ip(198, 51, 100, 7)), "198.51.100.7");
}

TEST(ParseIpv4OrThrow, NamesWhatAndText)
{
	EXPECT_EQ(parse_ipv4_or_throw("192.0.2.1", "--local"), ip(192, 0, 2, 1));
	EXPECT_EQ(usage_message([] { parse_ipv4_or_throw("300.1.2.3", "--local"); }),
		  "--local: '300.1.2.3' is not an IPv4 address");
}

TEST(ParseIpv4Prefix, AcceptsPrefixesAndBareAddresses)
{
	EXPECT_EQ(parse_ipv4_prefix("198.51.100.0/24"), (Ipv4Prefix{ip(198, 51, 100, 0), 24}));
	EXPECT_EQ(parse_ipv4_prefix("198.51.100.7"), (Ipv4Prefix{ip(198, 51, 100, 7), 32}));
	EXPECT_EQ(parse_ipv4_prefix("198.51.100.7/32"), (Ipv4Prefix{ip(198, 51, 100, 7), 32}));
	EXPECT_EQ(parse_ipv4_prefix("0.0.0.0/0"), (Ipv4Prefix{0, 0}));
	EXPECT_EQ(parse_ipv4_prefix("128.0.0.0/1"), (Ipv4Prefix{ip(128, 0, 0, 0), 1}));
}

TEST(ParseIpv4Prefix, RejectsHostBitsWithTheFix)
{
	EXPECT_EQ(usage_message([] { parse_ipv4_prefix("198.51.100.1/24"); }),
		  "198.51.100.1/24 has host bits set; use 198.51.100.0/24");
	EXPECT_THAT(usage_message([] { parse_ipv4_prefix("1.0.0.0/0"); }), HasSubstr("0.0.0.0/0"));
	EXPECT_THAT(usage_message([] { parse_ipv4_prefix("192.0.2.1/31"); }),
		    HasSubstr("use 192.0.2.0/31"));
}

TEST(ParseIpv4Prefix, RejectsBadLengths)
{
	for (const char *bad : {"203.0.113.0/33", "203.0.113.0/", "203.0.113.0/-1", "203.0.113.0/024",
				"203.0.113.0/2a", "203.0.113.0/ 24", "203.0.113.0/100"})
		EXPECT_THAT(usage_message([&] { parse_ipv4_prefix(bad); }), HasSubstr("0 to 32"))
			<< bad;
}

TEST(ParseIpv4Prefix, RejectsBadAddresses)
{
	for (const char *bad : {"", "/24", "203.0.113/24", "203.0.113.256/32", " 203.0.113.0/24"})
		EXPECT_THAT(usage_message([&] { parse_ipv4_prefix(bad); }),
			    HasSubstr("is not an IPv4 prefix"))
			<< bad;
}

TEST(FormatIpv4Prefix, AlwaysShowsTheLength)
{
	EXPECT_EQ(format_ipv4_prefix({ip(198, 51, 100, 0), 24}), "198.51.100.0/24");
	EXPECT_EQ(format_ipv4_prefix({ip(192, 0, 2, 1), 32}), "192.0.2.1/32");
	EXPECT_EQ(format_ipv4_prefix({0, 0}), "0.0.0.0/0");
}

TEST(SixToFourPrefix, EmbedsTheAddressInRfc5952Form)
{
	EXPECT_EQ(sixto4_prefix(ip(192, 0, 2, 1)), "2002:c000:201::/48");
	EXPECT_EQ(sixto4_prefix(ip(198, 51, 100, 1)), "2002:c633:6401::/48");
	EXPECT_EQ(sixto4_prefix(ip(203, 0, 113, 77)), "2002:cb00:714d::/48");
	EXPECT_EQ(sixto4_prefix(ip(1, 0, 0, 0)), "2002:100::/48");
	EXPECT_EQ(sixto4_prefix(ip(255, 255, 255, 255)), "2002:ffff:ffff::/48");
}

TEST(SubnetBroadcast, OfOrdinarySubnets)
{
	EXPECT_EQ(subnet_broadcast(ip(192, 0, 2, 1), 24), ip(192, 0, 2, 255));
	EXPECT_EQ(subnet_broadcast(ip(198, 51, 100, 130), 25), ip(198, 51, 100, 255));
	EXPECT_EQ(subnet_broadcast(ip(10, 1, 2, 3), 8), ip(10, 255, 255, 255));
	EXPECT_EQ(subnet_broadcast(ip(192, 0, 2, 1), 30), ip(192, 0, 2, 3));
	EXPECT_EQ(subnet_broadcast(ip(192, 0, 2, 1), 0), 0xffffffffu);
}

TEST(SubnetBroadcast, NoneForPointToPointAndHostRoutes)
{
	EXPECT_EQ(subnet_broadcast(ip(192, 0, 2, 0), 31), std::nullopt); // RFC 3021
	EXPECT_EQ(subnet_broadcast(ip(192, 0, 2, 1), 32), std::nullopt);
}

TEST(RequireUnicastV4, AcceptsGlobalUnicast)
{
	EXPECT_NO_THROW(require_unicast_v4(ip(192, 0, 2, 1), false, "local address"));
	EXPECT_NO_THROW(require_unicast_v4(ip(223, 255, 255, 254), false, "relay"));
	EXPECT_NO_THROW(require_unicast_v4(ip(1, 0, 0, 0), false, "relay"));
}

TEST(RequireUnicastV4, RejectsEachClassWithItsName)
{
	struct Case {
		uint32_t addr;
		const char *message;
	} cases[] = {
		{ip(0, 0, 0, 0), "relay 0.0.0.0 is unspecified (0.0.0.0/8)"},
		{ip(0, 1, 2, 3), "relay 0.1.2.3 is unspecified (0.0.0.0/8)"},
		{ip(127, 0, 0, 1), "relay 127.0.0.1 is loopback (127.0.0.0/8)"},
		{ip(224, 0, 0, 1), "relay 224.0.0.1 is multicast (224.0.0.0/4)"},
		{ip(239, 255, 255, 255), "relay 239.255.255.255 is multicast (224.0.0.0/4)"},
		{ip(240, 0, 0, 1), "relay 240.0.0.1 is reserved"},
		{ip(255, 255, 255, 255), "relay 255.255.255.255 is reserved"},
		{ip(169, 254, 1, 1), "relay 169.254.1.1 is link-local (169.254.0.0/16)"},
	};
	for (const auto &c : cases)
		for (bool permit : {false, true})
			EXPECT_THAT(usage_message([&] { require_unicast_v4(c.addr, permit, "relay"); }),
				    HasSubstr(c.message));
}

TEST(RequireUnicastV4, PrivateOnlyWhenPermitted)
{
	for (uint32_t a : {ip(10, 0, 0, 1), ip(172, 16, 0, 1), ip(172, 31, 255, 254), ip(192, 168, 1, 1)}) {
		EXPECT_THAT(usage_message([&] { require_unicast_v4(a, false, "local address"); }),
			    HasSubstr("is private"));
		EXPECT_THAT(usage_message([&] { require_unicast_v4(a, false, "local address"); }),
			    HasSubstr("--permit-private"));
		EXPECT_NO_THROW(require_unicast_v4(a, true, "local address"));
	}
	// Just outside 172.16.0.0/12.
	EXPECT_NO_THROW(require_unicast_v4(ip(172, 32, 0, 1), false, "local address"));
	EXPECT_NO_THROW(require_unicast_v4(ip(172, 15, 255, 255), false, "local address"));
}

TEST(AddrClassName, EveryClassHasAName)
{
	for (int c = STF_ADDR_OK; c < STF_ADDR_CLASS_COUNT_; c++)
		EXPECT_STRNE(addr_class_name(static_cast<stf_addr_class>(c)), "of an unknown class");
}

} // namespace
} // namespace stf
