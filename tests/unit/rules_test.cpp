// The shared validation rules (ctl/rules.h): each is the one definition the command line, the
// config file, merge, attach, apply and prefix add use, so their bounds are pinned here once.
#include "error.h"
#include "rules.h"

#include "stf/contract.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace {

using namespace stf;
using testing::HasSubstr;

std::string usage_message(const std::function<void()> &f)
{
	try {
		f();
	} catch (const Error &e) {
		EXPECT_EQ(Exit::usage, e.code());
		return e.what();
	}
	return "(no error)";
}

TEST(Rules, TtlBounds)
{
	EXPECT_FALSE(valid_ttl(0));
	EXPECT_TRUE(valid_ttl(1));
	EXPECT_TRUE(valid_ttl(255));
	EXPECT_FALSE(valid_ttl(256));
	EXPECT_FALSE(valid_ttl(-1));
	EXPECT_FALSE(valid_ttl(4294967296LL + 64)); // must not wrap to 64
	EXPECT_EQ("an integer from 1 to 255", ttl_range_text());
}

TEST(Rules, TunnelMtuIsTheLinkMtuLessTheOuterHeader)
{
	EXPECT_EQ(1480u, tunnel_mtu_for(1500));
	EXPECT_EQ(1280u, tunnel_mtu_for(1300)); // exactly IPv6's minimum
	EXPECT_EQ(std::nullopt, tunnel_mtu_for(1299));
	EXPECT_EQ(std::nullopt, tunnel_mtu_for(0));
	EXPECT_EQ(1380u, require_tunnel_mtu(1400, "attach eth0"));
	EXPECT_EQ("attach eth0: MTU 1299 leaves a tunnel MTU below IPv6's minimum of 1280",
		  usage_message([] { require_tunnel_mtu(1299, "attach eth0"); }));
}

TEST(Rules, LocalCount)
{
	EXPECT_NO_THROW(require_local_count(STF_MAX_LOCAL));
	EXPECT_EQ("at most 8 local addresses (got 9)",
		  usage_message([] { require_local_count(STF_MAX_LOCAL + 1); }));
}

TEST(Rules, RelayNotLocal)
{
	const uint32_t a = 0xc0000201, b = 0xc0000202; // 192.0.2.1, 192.0.2.2
	EXPECT_NO_THROW(require_relay_not_local({a}, b));
	EXPECT_NO_THROW(require_relay_not_local({a}, std::nullopt));
	EXPECT_EQ("relay 192.0.2.1 is one of the local addresses; it must be another host",
		  usage_message([&] { require_relay_not_local({b, a}, a); }));
}

TEST(Rules, NoBroadcast)
{
	const uint32_t bcast = 0xc00002ff, a = 0xc0000201; // 192.0.2.255, 192.0.2.1
	EXPECT_NO_THROW(require_no_broadcast({a}, a + 1, {bcast}));
	EXPECT_EQ("local address 192.0.2.255 is the broadcast address of a connected subnet",
		  usage_message([&] { require_no_broadcast({a, bcast}, std::nullopt, {bcast}); }));
	EXPECT_EQ("relay 192.0.2.255 is the broadcast address of a connected subnet",
		  usage_message([&] { require_no_broadcast({a}, bcast, {bcast}); }));
}

} // namespace
