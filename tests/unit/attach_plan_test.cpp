// The plans of attach and detach (ctl/attach_plan.h) against hand-made kernel snapshots: every
// check attach makes before changing anything, and the steps it would take, without a kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <linux/rtnetlink.h>

#include <functional>

#include "attach_plan.h"
#include "error.h"
#include "test_addr.h"

namespace stf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::ip;

constexpr uint32_t kEth0 = 2, kLan0 = 3;

// eth0 (ifindex 2, MTU 1500, 192.0.2.1/24) and lan0 (3, 198.51.100.1/24), nothing attached.
HostSnapshot host()
{
	HostSnapshot s;
	s.links = {{1, "lo", 65536, "", 0}, {kEth0, "eth0", 1500, "", 0}, {kLan0, "lan0", 1500, "", 0}};
	s.addresses = {{1, ip(127, 0, 0, 1), 8},
		       {kEth0, ip(192, 0, 2, 1), 24},
		       {kLan0, ip(198, 51, 100, 1), 24}};
	return s;
}

Route6State route(std::array<uint8_t, 16> dst, uint8_t len, uint32_t oif, unsigned metric)
{
	return {dst, len, oif, metric, RT_TABLE_MAIN};
}
const std::array<uint8_t, 16> k2002 = {0x20, 0x02}, kAny = {};

AttachOptions opts()
{
	AttachOptions o;
	o.ifname = "eth0";
	o.locals = {ip(192, 0, 2, 1)};
	return o;
}

// The Error f throws: its exit code and message.
std::pair<Exit, std::string> error_of(const std::function<void()> &f)
{
	try {
		f();
	} catch (const Error &e) {
		return {e.code(), e.what()};
	}
	return {Exit::ok, "(no error)"};
}

TEST(AttachPlan, StepsInTheOrderAttachTakesThem)
{
	AttachOptions o = opts();
	o.relay = ip(203, 0, 113, 1);
	o.mode = Mode::relay;
	o.deny = {{ip(198, 51, 100, 0), 24}};
	AttachPlan p = plan_attach(o, host());
	EXPECT_EQ(kEth0, p.ifindex);
	EXPECT_EQ("stf2", p.tunnel);
	EXPECT_EQ("stf2p", p.peer);
	EXPECT_EQ(1480u, p.tunnel_mtu);
	EXPECT_THAT(p.broadcasts, ElementsAre(ip(192, 0, 2, 255), ip(198, 51, 100, 255)));
	EXPECT_FALSE(p.remove_leftover);
	EXPECT_THAT(p.steps,
		    ElementsAre("create stf2 (peer stf2p), mtu 1480",
				"config mode relay, ttl 64, local 192.0.2.1, relay 203.0.113.1",
				"filter deny +198.51.100.0/24", "encapsulate: tc egress on stf2 and stf2p",
				"up stf2 and stf2p", "route 2002::/16 into the tunnel (metric 1024, mtu 1480)",
				"route ::/0 into the tunnel (metric 2048, mtu 1480)",
				"decapsulate: XDP (native) on eth0", "mark stf2 attached to eth0"));
}

TEST(AttachPlan, ReturnRelayHasNoXdpAndNoDefaultRoute)
{
	AttachOptions o = opts();
	o.mode = Mode::return_relay;
	HostSnapshot s = host();
	s.links[1].xdp_prog_id = 77; // someone else's program does not matter without decap
	AttachPlan p = plan_attach(o, s);
	for (const std::string &step : p.steps) {
		EXPECT_THAT(step, ::testing::Not(HasSubstr("XDP")));
		EXPECT_THAT(step, ::testing::Not(HasSubstr("::/0")));
	}
}

TEST(AttachPlan, UsageErrorsBeforeTheStateIsLookedAt)
{
	HostSnapshot s = host();
	s.links[1].mtu = 1299;
	s.links[1].xdp_prog_id = 77;
	EXPECT_EQ(std::make_pair(Exit::usage, std::string("attach eth0: MTU 1299 leaves a tunnel "
							  "MTU below IPv6's minimum of 1280")),
		  error_of([&] { plan_attach(opts(), s); }));
	AttachOptions o = opts();
	o.relay = ip(198, 51, 100, 255);
	auto [code, text] = error_of([&] { plan_attach(o, host()); });
	EXPECT_EQ(Exit::usage, code);
	EXPECT_EQ("relay 198.51.100.255 is the broadcast address of a connected subnet", text);
	o = opts();
	o.ifname = "nosuch0";
	EXPECT_EQ(std::make_pair(Exit::no_interface, std::string("no such interface: nosuch0")),
		  error_of([&] { plan_attach(o, host()); }));
}

TEST(AttachPlan, AForeignDeviceWithTheTunnelsName)
{
	for (const char *name : {"stf2", "stf2p"}) {
		HostSnapshot s = host();
		s.links.push_back({9, name, 1500, "", 0});
		auto [code, text] = error_of([&] { plan_attach(opts(), s); });
		EXPECT_EQ(Exit::already_attached, code) << name;
		EXPECT_EQ("attach eth0: device stf2 or stf2p exists and is not a working stf-xdp "
			  "tunnel; remove it first",
			  text);
	}
}

TEST(AttachPlan, ALeftoverIsRemovedFirst)
{
	HostSnapshot s = host();
	s.links.push_back({9, "stf2", 1480, tunnel_alias("eth0", false), 0});
	s.links[1].xdp_prog_id = 77; // the leftover's own program, perhaps: looked at once it is gone
	s.routes6 = {route(k2002, 16, 9, 1024), route(kAny, 0, 9, 2048)}; // they go with it
	AttachOptions o = opts();
	o.relay = ip(203, 0, 113, 1);
	AttachPlan p = plan_attach(o, s);
	EXPECT_TRUE(p.remove_leftover);
	EXPECT_EQ("remove stf2, left incomplete by a killed attach or detach", p.steps.at(0));
	EXPECT_EQ("create stf2 (peer stf2p), mtu 1480", p.steps.at(1));
}

TEST(AttachPlan, AnXdpProgramOnTheInterface)
{
	HostSnapshot s = host();
	s.links[1].xdp_prog_id = 77;
	EXPECT_EQ(std::make_pair(Exit::already_attached,
				 std::string("attach eth0: the interface already has an XDP program (id 77); "
					     "if it is libxdp's dispatcher, attach with --xdp-dispatcher "
					     "to run beside its programs")),
		  error_of([&] { plan_attach(opts(), s); }));
	// Asked to join a dispatcher, the plan leaves the hook to libxdp's own check at attach.
	AttachOptions join = opts();
	join.xdp_dispatcher = true;
	EXPECT_NO_THROW(plan_attach(join, s));
}

TEST(AttachPlan, LanInterfaces)
{
	HostSnapshot s = host();
	AttachOptions o = opts();
	o.lan = {"lan0"};
	AttachPlan p = plan_attach(o, s);
	EXPECT_THAT(p.lan, ElementsAre(kLan0));
	EXPECT_THAT(p.steps, ::testing::Contains("fast path: XDP (native) on LAN lan0"));
	// Missing: no interface; a program on its hook: someone else's, refused.
	o.lan = {"lan0", "lan9"};
	EXPECT_EQ(std::make_pair(Exit::no_interface,
				 std::string("attach eth0: no such interface: lan9 (--lan)")),
		  error_of([&] { plan_attach(o, s); }));
	o.lan = {"lan0"};
	s.links[2].xdp_prog_id = 88;
	auto [code, text] = error_of([&] { plan_attach(o, s); });
	EXPECT_EQ(Exit::already_attached, code);
	EXPECT_THAT(text, HasSubstr("LAN interface lan0 already has an XDP program (id 88)"));
}

TEST(AttachPlan, RoutesThatWouldCollide)
{
	HostSnapshot s = host();
	s.routes6 = {route(k2002, 16, kLan0, 1024)};
	auto [code, text] = error_of([&] { plan_attach(opts(), s); });
	EXPECT_EQ(Exit::already_attached, code);
	EXPECT_THAT(text, HasSubstr("attach eth0: 2002::/16 is already routed in this network namespace"));

	// Another metric or table does not collide (the kernel adds ours beside it).
	s.routes6 = {route(k2002, 16, kLan0, 512), route(k2002, 16, kLan0, 1024)};
	s.routes6[1].table = 100;
	s.routes6.push_back(route(kAny, 0, kLan0, 1024)); // a native default route
	AttachOptions o = opts();
	o.relay = ip(203, 0, 113, 1);
	EXPECT_NO_THROW(plan_attach(o, s));

	s.routes6.push_back(route(kAny, 0, kLan0, 2048));
	std::tie(code, text) = error_of([&] { plan_attach(o, s); });
	EXPECT_EQ(Exit::already_attached, code);
	EXPECT_THAT(text, HasSubstr("::/0 at metric 2048 is already routed"));
	EXPECT_NO_THROW(plan_attach(opts(), s)); // without a relay ::/0 is not ours to add
}

AttachmentInfo attached(uint32_t xdp_prog_id)
{
	AttachmentInfo i;
	i.ifname = "eth0";
	i.ifindex = kEth0;
	i.tunnel = "stf2";
	i.tun_ifindex = 9;
	i.xdp_prog_id = xdp_prog_id;
	return i;
}

TEST(DetachPlan, MarkThenXdpThenTheDeviceWithItsRoutes)
{
	HostSnapshot s = host();
	s.links.push_back({9, "stf2", 1480, tunnel_alias("eth0", true), 0});
	s.routes6 = {route(k2002, 16, 9, 1024), route(kAny, 0, 9, 2048), route(kAny, 0, kLan0, 1024)};
	DetachPlan p = plan_detach(attached(41), s);
	EXPECT_FALSE(p.leftover);
	EXPECT_THAT(p.steps, ElementsAre("mark stf2 incomplete", "remove XDP program 41 from eth0",
					 "delete stf2 (with its peer and tc programs, routes "
					 "2002::/16, ::/0)"));
	// Return-relay: no XDP program.
	p = plan_detach(attached(0), s);
	EXPECT_EQ(2u, p.steps.size());
	// LAN programs go after the decapsulator (detach's order); a deleted LAN interface took
	// its program with it.
	AttachmentInfo lan = attached(41);
	lan.lan = {{"lan0", kLan0, 51, XdpMode::native}, {"", 12, 0, std::nullopt}};
	p = plan_detach(lan, s);
	EXPECT_THAT(p.steps, ElementsAre("mark stf2 incomplete", "remove XDP program 41 from eth0",
					 "remove XDP program 51 from LAN lan0",
					 "delete stf2 (with its peer and tc programs, routes "
					 "2002::/16, ::/0)"));
}

TEST(DetachPlan, Leftover)
{
	EXPECT_EQ(std::nullopt, plan_remove_leftover("eth0", host()));
	HostSnapshot s = host();
	s.links.push_back({9, "stf2", 1480, tunnel_alias("eth0", true), 0});
	EXPECT_EQ(std::nullopt, plan_remove_leftover("eth0", s)) << "a complete one is attached";
	s.links.back().alias = tunnel_alias("eth0", false);
	auto p = plan_remove_leftover("eth0", s);
	ASSERT_TRUE(p);
	EXPECT_TRUE(p->leftover);
	EXPECT_THAT(p->steps, ElementsAre("remove stf2, left incomplete by a killed attach or detach"));
	EXPECT_EQ(std::nullopt, plan_remove_leftover("lan0", s)) << "stf3 would be lan0's";
}

} // namespace
} // namespace stf
