// apply's plan (ctl/plan.h) and its execution against a fake map store (ctl/apply.h): what
// changes, in which order, what is refused, and that a failure half-way leaves the old state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "apply.h"
#include "error.h"
#include "plan.h"
#include "state.h"
#include "test_addr.h"

namespace stf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::ip;

AttachOptions base()
{
	AttachOptions o;
	o.ifname = "eth0";
	o.locals = {ip(192, 0, 2, 1)};
	return o;
}

TEST(Plan, NothingToChange)
{
	Plan p = make_plan(base(), base());
	EXPECT_TRUE(p.empty());
	EXPECT_TRUE(p.refused.empty());
	EXPECT_FALSE(p.config_changed);
}

TEST(Plan, OrderFilterAdditionsThenSettingsThenRouteThenRemovals)
{
	AttachOptions run = base(), want = base();
	run.deny = {{ip(198, 51, 100, 0), 24}};
	want.deny = {{ip(203, 0, 113, 0), 24}};
	want.ttl = 32;
	want.relay = ip(203, 0, 113, 1);
	want.mode = Mode::relay;
	Plan p = make_plan(run, want);
	EXPECT_THAT(p.steps, ElementsAre("filter deny +203.0.113.0/24", "mode router -> relay",
					 "ttl 64 -> 32", "relay none -> 203.0.113.1",
					 "route ::/0 into the tunnel (metric 2048)",
					 "filter deny -198.51.100.0/24"));
	EXPECT_EQ(p.default_route, +1);
	EXPECT_TRUE(p.config_changed);
}

TEST(Plan, TheLanSetIsNotChangedInPlace)
{
	AttachOptions run = base(), want = base();
	run.lan = {"lan0", "lan1"};
	want.lan = {"lan1", "lan0"}; // the same set
	EXPECT_TRUE(make_plan(run, want).refused.empty());
	want.lan = {"lan0"};
	EXPECT_THAT(make_plan(run, want).refused,
		    ElementsAre("lan lan0,lan1 -> lan0 (XDP programs would be hooked or unhooked on "
				"LAN interfaces)"));
}

TEST(Plan, TheFastPathSwitchesInPlace)
{
	AttachOptions want = base();
	want.fast_path = true;
	Plan p = make_plan(base(), want);
	EXPECT_THAT(p.steps, ElementsAre("fast_path off -> on"));
	EXPECT_TRUE(p.refused.empty());
	EXPECT_TRUE(p.config_changed);
}

TEST(Plan, ARemovedRelaysRouteGoesBeforeTheSettings)
{
	AttachOptions run = base(), want = base();
	run.relay = ip(203, 0, 113, 1);
	Plan p = make_plan(run, want);
	EXPECT_THAT(p.steps, ElementsAre("route ::/0 out of the tunnel", "relay 203.0.113.1 -> none"));
	EXPECT_EQ(p.default_route, -1);
	// One relay for another: the route stays.
	want.relay = ip(203, 0, 113, 9);
	EXPECT_EQ(make_plan(run, want).default_route, 0);
}

TEST(Plan, RefusesWhatNeedsTheXdpProgramChanged)
{
	AttachOptions run = base(), want = base();
	want.mode = Mode::return_relay;
	EXPECT_THAT(make_plan(run, want).refused,
		    ElementsAre(HasSubstr("mode router -> return-relay")));
	want = base();
	want.xdp_mode = XdpMode::generic;
	EXPECT_THAT(make_plan(run, want).refused, ElementsAre(HasSubstr("xdp_mode native -> generic")));
	want = base();
	want.xdp_dispatcher = true;
	EXPECT_THAT(make_plan(run, want).refused, ElementsAre(HasSubstr("xdp_dispatcher off -> on")));
	// Return-relay has no XDP program: its xdp_mode means nothing.
	run.mode = want.mode = Mode::return_relay;
	EXPECT_TRUE(make_plan(run, want).refused.empty());
}

TEST(Plan, LocalsAndThePrimary)
{
	AttachOptions run = base(), want = base();
	run.locals = {ip(192, 0, 2, 1), ip(192, 0, 2, 7)};
	want.locals = {ip(192, 0, 2, 7), ip(192, 0, 2, 9)};
	// The first local sources packets from native IPv6: its change is said too.
	EXPECT_THAT(make_plan(run, want).steps,
		    ElementsAre("local +192.0.2.9", "local -192.0.2.1",
				"primary local 192.0.2.1 -> 192.0.2.7"));
	want.locals = {ip(192, 0, 2, 7), ip(192, 0, 2, 1)};
	EXPECT_THAT(make_plan(run, want).steps, ElementsAre("primary local 192.0.2.1 -> 192.0.2.7"));
}

// A MapStore in memory that can be told to fail the Nth write.
class FakeStore final : public MapStore {
public:
	stf_config cfg{};
	std::vector<Ipv4Prefix> tables[4];
	int fail_at = -1, writes = 0;
	void tick()
	{
		if (writes++ == fail_at)
			throw Error(Exit::failure, "injected failure");
	}
	stf_config config() const override { return cfg; }
	void set_config(const stf_config &c) override
	{
		tick();
		cfg = c;
	}
	CounterValues counters() const override { return {}; }
	std::vector<Ipv4Prefix> filters(FilterKind k) const override
	{
		return tables[static_cast<int>(k)];
	}
	void filter_add(FilterKind k, const Ipv4Prefix &p) override
	{
		tick();
		tables[static_cast<int>(k)].push_back(p);
	}
	void filter_del(FilterKind k, const Ipv4Prefix &p) override
	{
		tick();
		auto &t = tables[static_cast<int>(k)];
		t.erase(std::find(t.begin(), t.end(), p));
	}
};

struct FakeRoutes final : RouteOps {
	int routes = 0;
	void add_default() override { routes++; }
	void del_default() override { routes--; }
};

FakeStore store_for(const AttachOptions &o)
{
	FakeStore s;
	s.cfg = build_config(o, 2, 5, {ip(192, 0, 2, 255)});
	for (FilterKind k : kFilterKinds)
		for (const Ipv4Prefix &p : filter_list(o, k))
			stf::filter_add(s, k, p);
	s.writes = 0;
	return s;
}

AttachOptions read_back(const FakeStore &s)
{
	AttachmentInfo i;
	i.ifname = "eth0";
	i.locals = config_locals(s.cfg);
	i.mode = static_cast<Mode>(s.cfg.mode);
	if (s.cfg.relay)
		i.relay = ntohl(s.cfg.relay);
	i.ttl = s.cfg.ttl;
	i.permit_private = s.cfg.flags & STF_F_PERMIT_PRIVATE;
	i.ingress_filter = s.cfg.flags & STF_F_INGRESS_FILTER;
	i.loop_guard = s.cfg.flags & STF_F_LOOP_GUARD;
	i.fast_path = s.cfg.flags & STF_F_FAST_PATH;
	i.xdp_mode = XdpMode::native;
	for (FilterKind k : kFilterKinds)
		filter_list(i, k) = filter_entries(s, k);
	return running_options(i);
}

AttachOptions complex_target()
{
	AttachOptions want = base();
	want.mode = Mode::relay;
	want.ttl = 17;
	want.relay = ip(203, 0, 113, 1);
	want.ingress_filter = false;
	want.locals = {ip(192, 0, 2, 1), ip(192, 0, 2, 3)};
	want.allow = {{ip(198, 51, 100, 0), 24}};
	want.deny = {{ip(203, 0, 113, 0), 25}};
	return want;
}

TEST(Apply, ReachesTheTargetAndAgainIsNothing)
{
	AttachOptions run = base();
	run.deny = {{ip(198, 51, 100, 0), 24}}; // moves to allow: out of deny first
	FakeStore s = store_for(run);
	FakeRoutes r;
	const AttachOptions want = complex_target();
	apply_plan(make_plan(run, want), s, r);
	EXPECT_EQ(r.routes, 1);
	const AttachOptions now = read_back(s);
	EXPECT_TRUE(make_plan(now, want).empty()) << make_plan(now, want).steps.front();
	EXPECT_TRUE(s.cfg.has_allow);
	EXPECT_TRUE(s.cfg.has_deny);
}

TEST(Apply, AFailureAtAnyWriteLeavesTheOldState)
{
	AttachOptions run = base();
	run.deny = {{ip(198, 51, 100, 0), 24}};
	const AttachOptions want = complex_target();
	const Plan plan = make_plan(run, want);
	for (int k = 0;; k++) {
		FakeStore s = store_for(run);
		const stf_config before = s.cfg;
		FakeRoutes r;
		s.fail_at = k;
		try {
			apply_plan(plan, s, r);
		} catch (const Error &) {
			EXPECT_TRUE(make_plan(read_back(s), run).empty()) << "failure at write " << k;
			EXPECT_EQ(std::memcmp(&before, &s.cfg, sizeof(before)), 0) << "write " << k;
			EXPECT_EQ(r.routes, 0) << "write " << k;
			continue;
		}
		EXPECT_GT(k, 3) << "the plan makes more than 3 writes";
		break; // k is past the last write: the apply succeeded
	}
}

TEST(Apply, RefusesBeforeWritingAnything)
{
	FakeStore s = store_for(base());
	FakeRoutes r;
	AttachOptions want = base();
	want.mode = Mode::return_relay;
	try {
		apply_plan(make_plan(base(), want), s, r);
		FAIL() << "applied";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_THAT(e.what(), HasSubstr("detach and attach"));
	}
	want = base();
	want.locals = {ip(192, 0, 2, 255)}; // the connected subnet's broadcast
	EXPECT_THROW(apply_plan(make_plan(base(), want), s, r), Error);
	EXPECT_EQ(s.writes, 0);
}

} // namespace
} // namespace stf
