// Dataplane against the real kernel, inside the private network namespace that
// tests/kernel/netns_main.cpp creates: attach, find again from scratch, detach leaving nothing
// behind. The rollback of a failed attach is in attach_rollback_test.cpp. Kernel state is read
// through the probes of probe.h, which fail loudly if they cannot read it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "dataplane.h"
#include "error.h"
#include "netlink.h"
#include "probe.h"
#include "state.h"

namespace stf {
namespace {

using namespace ktest;

class DataplaneTest : public DataplaneFixture {};

// The one 2002::/16 route, through tun with the tunnel MTU.
void expect_6to4_route(const std::string &tun, unsigned mtu)
{
	nlohmann::json r = routes6("2002::/16");
	ASSERT_EQ(1u, r.size()) << r.dump();
	EXPECT_EQ(tun, r[0].at("dev"));
	EXPECT_EQ(mtu, route_mtu(r[0])) << r.dump();
}

TEST_F(DataplaneTest, AttachIsFoundAgainByAFreshLookup)
{
	{
		Dataplane dp = Dataplane::attach(opts);
		EXPECT_NE(0u, dp.info().xdp_prog_id);
	} // the process's handles are gone; the kernel keeps the dataplane

	auto found = Dataplane::find("dpt0");
	ASSERT_TRUE(found.has_value());
	AttachmentInfo i = found->info();
	EXPECT_EQ(tunnel_name(ifindex), i.tunnel);
	EXPECT_EQ(1480u, i.tunnel_mtu);
	EXPECT_EQ(Mode::router, i.mode);
	ASSERT_EQ(1u, i.locals.size());
	EXPECT_EQ(0xc0000201u, i.locals[0]);
	EXPECT_TRUE(i.xdp_mode.has_value());
	EXPECT_NE(0u, i.tc_prog_id);
	// The broadcast of the connected 192.0.2.0/24 is checked per packet.
	EXPECT_NE(i.broadcasts.end(),
		  std::find(i.broadcasts.begin(), i.broadcasts.end(), 0xc00002ffu));
	expect_6to4_route(i.tunnel, 1480);

	// Map writes through a found dataplane reach the running one.
	prefix_add(found->maps(), 0xc0000202);
	EXPECT_EQ(2u, Dataplane::find("dpt0")->info().locals.size());
	EXPECT_EQ(1u, Dataplane::find_all().size());
}

TEST_F(DataplaneTest, SecondAttachIsRefusedAndChangesNothing)
{
	Dataplane first = Dataplane::attach(opts);
	uint32_t xdp = first.info().xdp_prog_id;
	try {
		Dataplane::attach(opts);
		FAIL() << "second attach succeeded";
	} catch (const Error &e) {
		EXPECT_EQ(Exit::already_attached, e.code());
	}
	auto found = Dataplane::find("dpt0");
	ASSERT_TRUE(found.has_value());
	EXPECT_EQ(xdp, found->info().xdp_prog_id);
}

TEST_F(DataplaneTest, DetachLeavesNothingBehind)
{
	opts.relay = 0xcb007101; // 203.0.113.1: the ::/0 route too
	Dataplane::attach(opts);
	ASSERT_EQ("stf_decap", xdp_prog_name("dpt0")); // so its absence below means something
	auto found = Dataplane::find("dpt0");
	ASSERT_TRUE(found.has_value());
	found->detach();
	EXPECT_FALSE(Dataplane::find("dpt0").has_value());
	EXPECT_FALSE(has_link(tunnel_name(ifindex)));
	EXPECT_FALSE(has_link(tunnel_peer_name(ifindex)));
	EXPECT_EQ("", xdp_prog_name("dpt0"));
	EXPECT_EQ(0u, routes6("2002::/16").size());
	EXPECT_EQ(0u, routes6("default").size());
}

TEST_F(DataplaneTest, ReturnRelayHasNoXdpAndInstallsRoutes)
{
	opts.mode = Mode::return_relay;
	Dataplane::attach(opts);
	auto found = Dataplane::find("dpt0");
	ASSERT_TRUE(found.has_value());
	EXPECT_EQ(0u, found->info().xdp_prog_id);
	EXPECT_FALSE(found->info().xdp_mode.has_value());
	EXPECT_EQ("", xdp_prog_name("dpt0"));
	expect_6to4_route(tunnel_name(ifindex), 1480);
	// Filters belong to decapsulation: refused in return-relay mode, nothing changed.
	EXPECT_THROW(filter_add(found->maps(), FilterKind::deny, Ipv4Prefix{0xc6336400, 24}),
		     Error);
}

TEST_F(DataplaneTest, RelayOptionInstallsDefaultRouteIntoTunnel)
{
	opts.relay = 0xcb007101; // 203.0.113.1
	Dataplane::attach(opts);
	nlohmann::json r = routes6("default");
	ASSERT_EQ(1u, r.size()) << r.dump();
	EXPECT_EQ(tunnel_name(ifindex), r[0].at("dev"));
	EXPECT_EQ(2048, r[0].at("metric")); // behind any native default route
	EXPECT_EQ(1480u, route_mtu(r[0]));
}

TEST_F(DataplaneTest, ForeignDeviceWithOurNameIsNotOursAndBlocksAttach)
{
	std::string tun = tunnel_name(ifindex);
	ASSERT_EQ(0, system(("ip link add name " + tun + " type veth peer name zz0").c_str()));
	EXPECT_FALSE(Dataplane::find("dpt0").has_value());
	EXPECT_TRUE(Dataplane::find_all().empty());
	try {
		Dataplane::attach(opts);
		FAIL() << "attach over a foreign " << tun << " succeeded";
	} catch (const Error &e) {
		EXPECT_EQ(Exit::already_attached, e.code());
	}
	EXPECT_TRUE(has_link(tun)); // not ours: left alone
	EXPECT_EQ("", xdp_prog_name("dpt0"));
	(void)system(("ip link del " + tun).c_str());
}

TEST_F(DataplaneTest, SecondInterfaceInOneNamespaceIsRefusedCleanly)
{
	Dataplane::attach(opts);
	ASSERT_EQ(0, system("ip link add name dpt1 type veth peer name dpt1p && "
			    "ip addr add 198.51.100.1/24 dev dpt1 && ip link set dpt1 up && "
			    "ip link set dpt1p up"));
	AttachOptions second = opts;
	second.ifname = "dpt1";
	second.locals = {0xc6336401};
	try {
		Dataplane::attach(second);
		FAIL() << "a second attachment in one namespace succeeded";
	} catch (const Error &e) {
		EXPECT_EQ(Exit::already_attached, e.code());
		EXPECT_NE(std::string::npos, std::string(e.what()).find("one attachment per namespace"));
	}
	uint32_t idx1 = netlink::link_index("dpt1");
	ASSERT_NE(0u, idx1);
	EXPECT_FALSE(has_link(tunnel_name(idx1)));
	EXPECT_FALSE(has_link(tunnel_peer_name(idx1)));
	EXPECT_EQ("", xdp_prog_name("dpt1"));
	EXPECT_TRUE(Dataplane::find("dpt0").has_value());
	(void)system("ip link del dpt1");
}

TEST_F(DataplaneTest, TunnelOfADeletedInterfaceIsFoundAndRemoved)
{
	Dataplane::attach(opts);
	std::string tun = tunnel_name(ifindex);
	ASSERT_EQ(0, system("ip link del dpt0"));
	ASSERT_TRUE(has_link(tun)); // veth pairs outlive the interface

	auto all = Dataplane::find_all();
	ASSERT_EQ(1u, all.size());
	EXPECT_EQ("dpt0", all[0].info().ifname);
	EXPECT_EQ(0u, all[0].info().ifindex);
	EXPECT_EQ(tun, all[0].info().tunnel);

	auto orphan = Dataplane::find_orphan("dpt0");
	ASSERT_TRUE(orphan.has_value());
	orphan->detach();
	EXPECT_FALSE(has_link(tun));
	EXPECT_EQ(0u, routes6("2002::/16").size());
	EXPECT_FALSE(Dataplane::find_orphan("dpt0").has_value());
}

TEST_F(DataplaneTest, MissingInterfaceIsNoInterface)
{
	try {
		Dataplane::find("nosuch0");
		FAIL();
	} catch (const Error &e) {
		EXPECT_EQ(Exit::no_interface, e.code());
	}
}

} // namespace
} // namespace stf
