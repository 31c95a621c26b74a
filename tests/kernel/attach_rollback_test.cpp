// Attach is all or nothing. A fault injected after each step that leaves kernel state behind
// (through Dataplane::attach's step hook), and a real conflict that only shows midway (2002::/16
// already routed through another device), must both leave the namespace as it was. Inside the
// hook the tests first prove that the step's state really exists, so the rollback had
// something to undo; every probe fails loudly if it cannot read the kernel (probe.h).
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <dirent.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dataplane.h"
#include "error.h"
#include "netlink.h"
#include "probe.h"
#include "stf/contract.h"

namespace stf {

// gtest prints steps by name (ADL finds this next to AttachStep).
static void PrintTo(AttachStep s, std::ostream *os);

namespace {

using namespace ktest;
using nlohmann::json;
using ::testing::HasSubstr;

// Every step, in attach's order. RollbackTest.HookSeesEveryStepInOrder proves this list is
// what a relay-and-router attach goes through, so the parameterised test covers them all.
const std::vector<AttachStep> kAllSteps = {
	AttachStep::tunnel_created, AttachStep::maps_written, AttachStep::encap_hooked,
	AttachStep::links_up,       AttachStep::route_6to4,   AttachStep::route_default,
	AttachStep::lan_hooked,     AttachStep::decap_hooked,
};

const char *step_name(AttachStep s) { return attach_step_name(s); }

} // namespace

static void PrintTo(AttachStep s, std::ostream *os) { *os << step_name(s); }

namespace {

// Thrown from the hook. Not a std::exception, so nothing but the hook can have thrown it.
struct InjectedFault {
	AttachStep step;
};

constexpr uint32_t kLocal = 0xc0000201; // 192.0.2.1
constexpr uint32_t kRelay = 0xcb007101; // 203.0.113.1
constexpr Ipv4Prefix kAllowed{0xc6336400, 24}; // 198.51.100.0/24

// File descriptors of this process for BPF maps called name, found through /proc/self/fd
// rather than through the Dataplane: during an attach they are its skeleton's maps.
std::vector<int> open_maps(const char *name)
{
	std::vector<int> fds;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		throw ProbeError(std::string("opendir /proc/self/fd: ") + std::strerror(errno));
	while (dirent *e = readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		char target[PATH_MAX] = {};
		std::string path = std::string("/proc/self/fd/") + e->d_name;
		if (readlink(path.c_str(), target, sizeof target - 1) < 0 ||
		    std::string(target) != "anon_inode:bpf-map")
			continue;
		int fd = std::atoi(e->d_name);
		bpf_map_info info{};
		__u32 len = sizeof info;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && std::strcmp(info.name, name) == 0)
			fds.push_back(fd);
	}
	closedir(d);
	return fds;
}

class RollbackTest : public DataplaneFixture {
protected:
	void SetUp() override
	{
		DataplaneFixture::SetUp();
		// Router mode (the default) hooks XDP; a relay adds the ::/0 step; a filter gives
		// the maps step something beyond the config to write; a LAN interface adds the
		// fast path's step.
		opts.relay = kRelay;
		opts.allow = {kAllowed};
		ASSERT_EQ(0, std::system("ip link add dpl0 type veth peer name dpl0p && "
					 "ip link set dpl0 up && ip link set dpl0p up"));
		opts.lan = {"dpl0"};
		links_before = link_names();
	}
	void TearDown() override
	{
		DataplaneFixture::TearDown();
		(void)std::system("ip link del fgn0 2>/dev/null");
		(void)std::system("ip link del dpl0 2>/dev/null");
	}
	std::string tun() const { return tunnel_name(ifindex); }

	// The state `step` creates is there (checked from inside the hook, right after it).
	void expect_state_of(AttachStep step)
	{
		SCOPED_TRACE(std::string("state of step ") + step_name(step));
		switch (step) {
		case AttachStep::tunnel_created:
			EXPECT_TRUE(has_link(tun()));
			EXPECT_TRUE(has_link(tunnel_peer_name(ifindex)));
			// Marked incomplete until the attach has finished (a kill leaves a leftover).
			EXPECT_EQ("stf-xdp tunnel of dpt0 (incomplete)", link(tun()).value("ifalias", ""));
			break;
		case AttachStep::maps_written: expect_config_written(); break;
		case AttachStep::encap_hooked: EXPECT_EQ("stf_encap", tc_egress_prog_name(tun())); break;
		case AttachStep::links_up:
			EXPECT_TRUE(link_up(tun()));
			EXPECT_TRUE(link_up(tunnel_peer_name(ifindex)));
			break;
		case AttachStep::route_6to4: expect_one_route("2002::/16", 1024); break;
		case AttachStep::route_default: expect_one_route("default", 2048); break;
		case AttachStep::lan_hooked: EXPECT_EQ("stf_lan", xdp_prog_name("dpl0")); break;
		case AttachStep::decap_hooked: EXPECT_EQ("stf_decap", xdp_prog_name("dpt0")); break;
		}
	}

	void expect_one_route(const std::string &what, int metric)
	{
		json r = routes6(what);
		ASSERT_EQ(1u, r.size()) << what << ": " << r.dump();
		EXPECT_EQ(tun(), r[0].at("dev"));
		EXPECT_EQ(metric, r[0].at("metric"));
	}

	// The only stf_config_v2 map open in this process holds this attach's configuration in
	// the slot stf_cfgsel_v1 selects, and the allow filter is in stf_allow_v1.
	void expect_config_written()
	{
		std::vector<int> cfg_fds = open_maps("stf_config_v2");
		std::vector<int> sel_fds = open_maps("stf_cfgsel_v1");
		ASSERT_EQ(1u, cfg_fds.size());
		ASSERT_EQ(1u, sel_fds.size());
		const __u32 key = 0;
		__u32 slot = 0;
		ASSERT_EQ(0, bpf_map_lookup_elem(sel_fds[0], &key, &slot)) << std::strerror(errno);
		ASSERT_LT(slot, 2u);
		stf_config cfg{};
		ASSERT_EQ(0, bpf_map_lookup_elem(cfg_fds[0], &slot, &cfg)) << std::strerror(errno);
		EXPECT_EQ(ifindex, cfg.ifindex);
		EXPECT_EQ(link(tun()).at("ifindex").get<uint32_t>(), cfg.tun_ifindex);
		const json peer = link(tunnel_peer_name(ifindex));
		EXPECT_EQ(peer.at("ifindex").get<uint32_t>(), cfg.tun_peer_ifindex);
		char mac[18];
		std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", cfg.tun_mac[0],
			      cfg.tun_mac[1], cfg.tun_mac[2], cfg.tun_mac[3], cfg.tun_mac[4],
			      cfg.tun_mac[5]);
		EXPECT_EQ(link(tun()).at("address").get<std::string>(), mac);
		ASSERT_EQ(1u, cfg.n_local);
		EXPECT_EQ(htonl(kLocal), cfg.local[0]);
		EXPECT_EQ(htonl(kRelay), cfg.relay);
		EXPECT_EQ(1u, cfg.has_allow);

		std::vector<int> allow_fds = open_maps("stf_allow_v1");
		ASSERT_EQ(1u, allow_fds.size());
		stf_lpm4_key k{kAllowed.len, htonl(kAllowed.addr)};
		__u8 value = 0; // only presence matters
		EXPECT_EQ(0, bpf_map_lookup_elem(allow_fds[0], &k, &value)) << "198.51.100.0/24";
	}

	// The namespace is as SetUp left it (plus the foreign 2002::/16 routes, if any).
	void expect_nothing_left(const json &routes_6to4 = json::array())
	{
		std::vector<std::string> now = link_names(), before = links_before;
		std::sort(now.begin(), now.end());
		std::sort(before.begin(), before.end());
		EXPECT_EQ(before, now) << "links differ: tunnel device or its peer left behind?";
		EXPECT_FALSE(has_link(tun()));
		EXPECT_FALSE(has_link(tunnel_peer_name(ifindex)));
		EXPECT_EQ(routes_6to4, routes6("2002::/16"));
		EXPECT_EQ(json::array(), routes6("default"));
		EXPECT_EQ("", xdp_prog_name("dpt0"));
		EXPECT_EQ("", xdp_prog_name("dpl0"));
		// The encapsulator hung on the tunnel device; nothing else may carry a tc program.
		for (const std::string &l : now)
			for (const char *dir : {"ingress", "egress"})
				EXPECT_EQ(json::array(), tc_filters(l, dir)) << l << " " << dir;
		// The failed attach's skeleton is gone too: none of its maps is still open here.
		EXPECT_TRUE(open_maps("stf_config_v2").empty());
	}

	std::vector<std::string> links_before;
};

TEST_F(RollbackTest, HookSeesEveryStepInOrder)
{
	std::vector<AttachStep> seen;
	Dataplane dp = Dataplane::attach(opts, [&](AttachStep s) { seen.push_back(s); });
	EXPECT_EQ(kAllSteps, seen);
	EXPECT_EQ("stf_decap", xdp_prog_name("dpt0"));
	// A fresh lookup finds the LAN side from the kernel alone, and detach removes it.
	std::optional<Dataplane> again = Dataplane::find("dpt0");
	ASSERT_TRUE(again.has_value());
	const AttachmentInfo info = again->info();
	ASSERT_EQ(1u, info.lan.size());
	EXPECT_EQ("dpl0", info.lan[0].ifname);
	EXPECT_NE(0u, info.lan[0].xdp_prog_id);
	again->detach();
	EXPECT_EQ("", xdp_prog_name("dpl0"));
}

class RollbackStepTest : public RollbackTest, public ::testing::WithParamInterface<AttachStep> {};

TEST_P(RollbackStepTest, FaultAfterStepLeavesNothingBehind)
{
	const AttachStep at = GetParam();
	std::vector<AttachStep> seen;
	bool faulted = false;
	try {
		Dataplane::attach(opts, [&](AttachStep s) {
			seen.push_back(s);
			if (s != at)
				return;
			expect_state_of(s);
			faulted = true;
			throw InjectedFault{s};
		});
		ADD_FAILURE() << "attach succeeded despite the fault";
	} catch (const InjectedFault &f) {
		EXPECT_EQ(at, f.step); // the very fault propagated, not something else
	}
	ASSERT_TRUE(faulted) << "the hook was never called for step " << step_name(at);
	EXPECT_EQ(at, seen.back()) << "attach went on after the fault";
	expect_nothing_left();

	// Nothing in the way either: a plain attach succeeds, and its detach cleans up.
	{
		Dataplane dp = Dataplane::attach(opts);
		EXPECT_EQ("stf_decap", xdp_prog_name("dpt0"));
		EXPECT_EQ("stf_lan", xdp_prog_name("dpl0"));
		EXPECT_EQ(1u, routes6("2002::/16").size());
		dp.detach();
	}
	expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Steps, RollbackStepTest, ::testing::ValuesIn(kAllSteps),
			 [](const ::testing::TestParamInfo<AttachStep> &i) { return step_name(i.param); });

// 2002::/16 already routed through another device: the plan sees it in its snapshot and
// refuses before any step.
TEST_F(RollbackTest, Foreign6to4RouteIsRefusedBeforeAnyStep)
{
	ASSERT_EQ(0, std::system("ip link add fgn0 type veth peer name fgn0p && ip link set fgn0 up "
				 "&& ip -6 route add 2002::/16 dev fgn0"));
	links_before = link_names();
	const json foreign = routes6("2002::/16");
	std::vector<AttachStep> seen;
	try {
		Dataplane::attach(opts, [&](AttachStep s) { seen.push_back(s); });
		FAIL() << "attach succeeded over a foreign 2002::/16 route";
	} catch (const Error &e) {
		EXPECT_EQ(Exit::already_attached, e.code()) << e.what();
		EXPECT_THAT(e.what(), HasSubstr("2002::/16 is already routed"));
	}
	EXPECT_TRUE(seen.empty()) << "attach took a step before refusing";
	expect_nothing_left(foreign);
}

// A conflict that appears after the snapshot the plan was made from (another process adding
// the route in between): attach fails only at the route step, after creating and hooking the
// tunnel, and must undo all of that while leaving the foreign route exactly as it was.
TEST_F(RollbackTest, Foreign6to4RouteFailsMidwayAndIsLeftAlone)
{
	const AttachPlan plan = plan_attach(opts, netlink::read_snapshot());
	ASSERT_EQ(0, std::system("ip link add fgn0 type veth peer name fgn0p && ip link set fgn0 up "
				 "&& ip -6 route add 2002::/16 dev fgn0"));
	links_before = link_names();
	const json foreign = routes6("2002::/16");
	ASSERT_EQ(1u, foreign.size()) << foreign.dump();
	ASSERT_EQ("fgn0", foreign[0].at("dev"));

	std::vector<AttachStep> seen;
	try {
		Dataplane::attach(opts, plan, [&](AttachStep s) {
			seen.push_back(s);
			expect_state_of(s);
		});
		FAIL() << "attach succeeded over a foreign 2002::/16 route";
	} catch (const Error &e) {
		EXPECT_EQ(Exit::already_attached, e.code()) << e.what();
		EXPECT_THAT(e.what(), HasSubstr("2002::/16 is already routed"));
	}
	const std::vector<AttachStep> before_routes = {AttachStep::tunnel_created,
						       AttachStep::maps_written,
						       AttachStep::encap_hooked, AttachStep::links_up};
	EXPECT_EQ(before_routes, seen) << "attach did not fail at the route step";
	expect_nothing_left(foreign);

	ASSERT_EQ(0, std::system("ip -6 route del 2002::/16 dev fgn0"));
	Dataplane dp = Dataplane::attach(opts);
	EXPECT_EQ("stf_decap", xdp_prog_name("dpt0"));
}

} // namespace
} // namespace stf
