// Printing (ctl/output.h): the JSON schemas parse back with the documented keys, stats list every
// drop reason, and the human forms carry the lines an operator looks for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "counters.h"
#include "golden_counters.h"
#include "output.h"

#include "test_addr.h"

namespace stf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

using test::ip;

AttachmentInfo router()
{
	AttachmentInfo i;
	i.ifname = "eth0";
	i.ifindex = 2;
	i.tunnel = "stf2";
	i.tun_ifindex = 7;
	i.tunnel_mtu = 1480;
	i.link_mtu = 1500;
	i.mode = Mode::router;
	i.locals = {ip(192, 0, 2, 1), ip(203, 0, 113, 77)};
	i.relay = ip(203, 0, 113, 1);
	i.ttl = 44;
	i.permit_private = false;
	i.xdp_mode = XdpMode::native;
	i.xdp_prog_id = 42;
	i.tc_prog_id = 43;
	i.broadcasts = {ip(192, 0, 2, 255)};
	i.allow = {{ip(198, 51, 100, 0), 24}};
	i.deny = {{ip(198, 51, 100, 128), 25}};
	i.relays = {{ip(203, 0, 113, 1), 32}};
	return i;
}

AttachmentInfo return_relay()
{
	AttachmentInfo i;
	i.ifname = "eth1";
	i.ifindex = 3;
	i.tunnel = "stf3";
	i.tun_ifindex = 9;
	i.tunnel_mtu = 1480;
	i.mode = Mode::return_relay;
	i.locals = {ip(198, 51, 100, 10)};
	i.tc_prog_id = 50;
	return i;
}

AttachmentStats stats_with(std::initializer_list<std::pair<uint32_t, stf_counter>> values)
{
	AttachmentStats s{"eth0", CounterValues(STF_COUNTER_COUNT_)};
	for (const auto &[id, v] : values)
		s.counters[id] = v;
	return s;
}

template <typename F> std::string printed(F f)
{
	std::ostringstream os;
	f(os);
	return os.str();
}

std::set<std::string> keys(const json &object)
{
	std::set<std::string> out;
	for (const auto &[key, value] : object.items())
		out.insert(key);
	return out;
}

// What a failing key-set comparison needs to say; gtest elides sets past 32 elements.
std::string key_diff(const std::set<std::string> &want, const std::set<std::string> &got)
{
	std::string out = "missing:";
	for (const auto &k : want)
		if (!got.count(k))
			out += " " + k;
	out += "; unexpected:";
	for (const auto &k : got)
		if (!want.count(k))
			out += " " + k;
	return out;
}

template <typename F> json printed_json(F f)
{
	std::string text = printed(f);
	EXPECT_EQ(text.back(), '\n');
	return json::parse(text);
}

// ---- JSON ------------------------------------------------------------------------------------

TEST(StatusJson, Schema)
{
	json doc = printed_json([](std::ostream &os) { print_status(os, {router(), return_relay()}, true); });
	ASSERT_EQ(doc["interfaces"].size(), 2u);
	const json &i = doc["interfaces"][0];
	for (const char *key : {"ifname", "ifindex", "mode", "tunnel", "local", "relay", "ttl",
				"permit_private", "ingress_filter", "loop_guard", "fast_path", "lan", "xdp", "tc_prog_id",
				"filters",
				"subnet_broadcasts"})
		EXPECT_TRUE(i.contains(key)) << key;
	EXPECT_EQ(i["ifname"], "eth0");
	EXPECT_EQ(i["ifindex"], 2);
	EXPECT_EQ(i["mode"], "router");
	EXPECT_EQ(i["tunnel"],
		  (json{{"name", "stf2"}, {"ifindex", 7}, {"mtu", 1480}, {"ipv4_forwarding", true}}));
	EXPECT_EQ(i["local"][0], (json{{"address", "192.0.2.1"}, {"prefix", "2002:c000:201::/48"}}));
	EXPECT_EQ(i["local"][1]["address"], "203.0.113.77");
	EXPECT_EQ(i["relay"], "203.0.113.1");
	EXPECT_EQ(i["ttl"], 44);
	EXPECT_EQ(i["permit_private"], false);
	EXPECT_EQ(i["ingress_filter"], true);
	EXPECT_EQ(i["loop_guard"], true);
	EXPECT_EQ(i["fast_path"], false);
	EXPECT_EQ(i["lan"], json::array());
	EXPECT_EQ(i["xdp"], (json{{"mode", "native"}, {"prog_id", 42}, {"dispatcher", nullptr}}));
	EXPECT_EQ(i["tc_prog_id"], 43);
	EXPECT_EQ(i["filters"], (json{{"allow", {"198.51.100.0/24"}},
				      {"deny", {"198.51.100.128/25"}},
				      {"relay", {"203.0.113.1/32"}},
				      {"exception", json::array()}}));
	EXPECT_EQ(i["subnet_broadcasts"], json{"192.0.2.255"});

	const json &rr = doc["interfaces"][1];
	EXPECT_EQ(rr["mode"], "return-relay");
	EXPECT_TRUE(rr["relay"].is_null());
	EXPECT_TRUE(rr["xdp"].is_null());
	EXPECT_EQ(rr["filters"], (json{{"allow", json::array()},
				       {"deny", json::array()},
				       {"relay", json::array()},
				       {"exception", json::array()}}));
	EXPECT_EQ(rr["subnet_broadcasts"], json::array());
}

TEST(StatusHuman, SaysWhenTheTunnelLostItsForwarding)
{
	AttachmentInfo i = router();
	i.tunnel_forwarding = false;
	std::string text = printed([&](std::ostream &os) { print_status(os, {i}, false); });
	EXPECT_NE(std::string::npos, text.find("IPv4 forwarding is off on stf2")) << text;
	json doc = printed_json([&](std::ostream &os) { print_status(os, {i}, true); });
	EXPECT_EQ(doc["interfaces"][0]["tunnel"]["ipv4_forwarding"], false);
}

TEST(StatusJson, NothingAttached)
{
	json doc = printed_json([](std::ostream &os) { print_status(os, {}, true); });
	EXPECT_EQ(doc, (json{{"interfaces", json::array()}}));
}

TEST(StatsJson, SchemaAndEveryDropReason)
{
	AttachmentStats s = stats_with({{STF_C_decap, {120, 15360}},
					{STF_C_encap, {118, 17700}},
					{STF_C_pass_fragment, {2, 2960}},
					{STF_C_outer_src_private, {3, 300}}});
	json doc = printed_json([&](std::ostream &os) { print_stats(os, {s}, true); });
	const json &i = doc.at("interfaces").at(0);

	// The key sets are the released counter names (golden_counters.h), zeros included, and
	// the top level holds exactly the STAT counters besides ifname, passed and drops.
	std::set<std::string> want_top = {"ifname", "passed", "drops"}, want_pass, want_drop;
	for (const auto &c : test::kGoldenCounters) {
		switch (c.kind) {
		case CounterKind::stat: want_top.insert(c.name); break;
		case CounterKind::pass: want_pass.insert(c.name); break;
		case CounterKind::drop: want_drop.insert(c.name); break;
		}
	}
	EXPECT_EQ(want_top, keys(i)) << key_diff(want_top, keys(i));
	EXPECT_EQ(want_pass, keys(i.at("passed"))) << key_diff(want_pass, keys(i.at("passed")));
	EXPECT_EQ(want_drop, keys(i.at("drops"))) << key_diff(want_drop, keys(i.at("drops")));
	for (const auto &[name, value] : i.at("drops").items())
		EXPECT_TRUE(value.is_number_unsigned()) << name;
	for (const auto &[name, value] : i.at("passed").items())
		EXPECT_EQ((std::set<std::string>{"packets", "bytes"}), keys(value)) << name;

	// Values land under their own names (at(): a missing key fails, not asserts).
	EXPECT_EQ(i.at("ifname"), "eth0");
	EXPECT_EQ(i.at("decap"), (json{{"packets", 120}, {"bytes", 15360}}));
	EXPECT_EQ(i.at("encap"), (json{{"packets", 118}, {"bytes", 17700}}));
	EXPECT_EQ(i.at("passed").at("pass_fragment"), (json{{"packets", 2}, {"bytes", 2960}}));
	EXPECT_EQ(i.at("passed").at("pass_options"), (json{{"packets", 0}, {"bytes", 0}}));
	EXPECT_EQ(i.at("drops").at("outer_src_private"), 3);
}

TEST(StatsJson, ShortCounterArrayReadsAsZeros)
{
	AttachmentStats s{"eth0", CounterValues(3)}; // an older dataplane with fewer counters
	json doc = printed_json([&](std::ostream &os) { print_stats(os, {s}, true); });
	EXPECT_EQ(doc["interfaces"][0]["drops"]["encap_too_big"], 0);
}

TEST(PrefixesJson, Schema)
{
	json doc = printed_json([](std::ostream &os) { print_prefixes(os, {router()}, true); });
	EXPECT_EQ(doc, (json{{"interfaces",
			      {{{"ifname", "eth0"},
				{"local",
				 {{{"address", "192.0.2.1"}, {"prefix", "2002:c000:201::/48"}},
				  {{"address", "203.0.113.77"}, {"prefix", "2002:cb00:714d::/48"}}}}}}}}));
}

TEST(FiltersJson, Schema)
{
	json doc = printed_json([](std::ostream &os) { print_filters(os, {router(), return_relay()}, true); });
	EXPECT_EQ(doc["interfaces"][0],
		  (json{{"ifname", "eth0"},
			{"allow", {"198.51.100.0/24"}},
			{"deny", {"198.51.100.128/25"}},
			{"relay", {"203.0.113.1/32"}},
			{"exception", json::array()}}));
	EXPECT_EQ(doc["interfaces"][1],
		  (json{{"ifname", "eth1"},
			{"allow", json::array()},
			{"deny", json::array()},
			{"relay", json::array()},
			{"exception", json::array()}}));
}

TEST(ErrorOutput, JsonAndHuman)
{
	Error e(Exit::not_attached, "stf-xdp is not attached to eth0");
	json doc = printed_json([&](std::ostream &os) { print_error(os, e, true); });
	EXPECT_EQ(doc, (json{{"error", "stf-xdp is not attached to eth0"}}));
	EXPECT_EQ(printed([&](std::ostream &os) { print_error(os, e, false); }),
		  "stf-xdp: stf-xdp is not attached to eth0\n");
}

TEST(ErrorOutput, HumanFormIsOneLineWhateverTheMessageQuotes)
{
	Error e(Exit::usage, "--local: '192.0.2.1\nfoo\t' is not an IPv4 address");
	EXPECT_EQ(printed([&](std::ostream &os) { print_error(os, e, false); }),
		  "stf-xdp: --local: '192.0.2.1\\nfoo\\x09' is not an IPv4 address\n");
}

TEST(ErrorOutput, NonUtf8NeverThrows)
{
	Error e(Exit::no_interface, "no such interface: \xff\xfe");
	EXPECT_NO_THROW(json::parse(printed([&](std::ostream &os) { print_error(os, e, true); })));
}

TEST(ChangeOutput, JsonIsTheNewStateOfTheInterface)
{
	json attached = printed_json([](std::ostream &os) { print_attached(os, router(), true); });
	EXPECT_EQ(attached["interfaces"][0]["ifname"], "eth0");
	EXPECT_TRUE(attached["interfaces"][0].contains("tunnel"));
	json prefix = printed_json(
		[](std::ostream &os) { print_prefix_changed(os, router(), ip(203, 0, 113, 77), true, true); });
	EXPECT_EQ(prefix["interfaces"][0]["local"].size(), 2u);
	json filter = printed_json([](std::ostream &os) {
		print_filter_changed(os, router(), FilterKind::deny, {ip(198, 51, 100, 128), 25}, true, true);
	});
	EXPECT_EQ(filter["interfaces"][0]["deny"], json{"198.51.100.128/25"});
	EXPECT_TRUE(printed_json([](std::ostream &os) { print_detached(os, "eth0", true); }).is_null());
}

// ---- human -----------------------------------------------------------------------------------

TEST(StatusHuman, KeyLines)
{
	std::string text = printed([](std::ostream &os) { print_status(os, {router(), return_relay()}, false); });
	for (const char *line : {"eth0 (ifindex 2)", "mode          router", "stf2 (ifindex 7) mtu 1480",
				 "192.0.2.1  prefix 2002:c000:201::/48",
				 "203.0.113.77  prefix 2002:cb00:714d::/48", "default relay 203.0.113.1",
				 "ttl           44", "private       not permitted", "native, prog id 42",
				 "prog id 43 on stf2 egress", "filter allow  198.51.100.0/24",
				 "filter deny   198.51.100.128/25", "broadcasts    192.0.2.255",
				 "eth1 (ifindex 3)", "mode          return-relay",
				 "xdp           none (return-relay: output only)", "default relay none",
				 "filter allow  any source"})
		EXPECT_THAT(text, HasSubstr(line)) << text;
}

TEST(Status, LanInterfaces)
{
	AttachmentInfo i = router();
	i.lan = {{"lan0", 3, 77, XdpMode::native}, {"", 9, 0, std::nullopt}};
	json doc = printed_json([&](std::ostream &os) { print_status(os, {i}, true); });
	EXPECT_EQ(doc["interfaces"][0]["lan"],
		  (json{{{"ifname", "lan0"}, {"ifindex", 3}, {"xdp", {{"mode", "native"}, {"prog_id", 77}}}},
			{{"ifname", nullptr}, {"ifindex", 9}, {"xdp", nullptr}}}));
	std::string text = printed([&](std::ostream &os) { print_status(os, {i}, false); });
	EXPECT_THAT(text, HasSubstr("lan           lan0 (XDP native, prog id 77)\n"
				    "                  ifindex 9 (deleted)\n"));
	text = printed([](std::ostream &os) { print_status(os, {router()}, false); });
	EXPECT_THAT(text, HasSubstr("lan           none\n"));
}

TEST(StatusHuman, MissingXdpProgramIsReported)
{
	AttachmentInfo i = router();
	i.xdp_mode.reset();
	std::string text = printed([&](std::ostream &os) { print_status(os, {i}, false); });
	EXPECT_THAT(text, HasSubstr("none (missing"));
}

TEST(StatusHuman, NothingAttached)
{
	std::string text = printed([](std::ostream &os) { print_status(os, {}, false); });
	EXPECT_EQ(text, "stf-xdp is not attached to any interface\n");
	EXPECT_THAT(text, Not(HasSubstr("eth0")));
}

TEST(StatsHuman, CountsPassesAndNonZeroDropsWithDescriptions)
{
	AttachmentStats s = stats_with({{STF_C_decap, {120, 15360}},
					{STF_C_encap, {118, 17700}},
					{STF_C_outer_src_private, {3, 300}},
					{STF_C_encap_too_big, {1, 1500}}});
	std::string text = printed([&](std::ostream &os) { print_stats(os, {s}, false); });
	EXPECT_THAT(text, HasSubstr("decap         120 packets, 15360 bytes"));
	EXPECT_THAT(text, HasSubstr("encap         118 packets, 17700 bytes"));
	EXPECT_THAT(text, HasSubstr("pass_fragment 0 packets, 0 bytes"));
	EXPECT_THAT(text, HasSubstr("pass_options"));
	EXPECT_THAT(text, HasSubstr("outer_src_private"));
	EXPECT_THAT(text, HasSubstr("outer source is RFC 1918 and private is not permitted"));
	EXPECT_THAT(text, HasSubstr("encap_too_big"));
	EXPECT_THAT(text, Not(HasSubstr("outer_src_loopback"))); // zero drops are not listed
	EXPECT_THAT(text, Not(HasSubstr("no drops")));
}

TEST(StatsHuman, NoDrops)
{
	std::string text = printed([](std::ostream &os) { print_stats(os, {stats_with({})}, false); });
	EXPECT_THAT(text, HasSubstr("drops         no drops"));
}

TEST(PrefixesHuman, OneLinePerLocal)
{
	std::string text = printed([](std::ostream &os) { print_prefixes(os, {router()}, false); });
	EXPECT_EQ(text, "eth0 local 192.0.2.1 prefix 2002:c000:201::/48\n"
			"eth0 local 203.0.113.77 prefix 2002:cb00:714d::/48\n");
}

TEST(FiltersHuman, OneLinePerEntry)
{
	std::string text = printed([](std::ostream &os) { print_filters(os, {router(), return_relay()}, false); });
	EXPECT_EQ(text, "eth0 allow 198.51.100.0/24\n"
			"eth0 deny 198.51.100.128/25\n"
			"eth0 relay 203.0.113.1/32\n"
			"eth1: no filters (every source allowed)\n");
}

TEST(ChangeHuman, OneLineConfirmations)
{
	EXPECT_EQ(printed([](std::ostream &os) { print_detached(os, "eth0", false); }), "detached from eth0\n");
	EXPECT_EQ(printed([](std::ostream &os) {
			  print_prefix_changed(os, router(), ip(203, 0, 113, 77), true, false);
		  }),
		  "eth0: added local 203.0.113.77 (prefix 2002:cb00:714d::/48)\n");
	EXPECT_EQ(printed([](std::ostream &os) {
			  print_filter_changed(os, router(), FilterKind::deny, {ip(203, 0, 113, 0), 24}, false,
					       false);
		  }),
		  "eth0: removed filter deny 203.0.113.0/24\n");
	std::string attached = printed([](std::ostream &os) { print_attached(os, router(), false); });
	EXPECT_THAT(attached, HasSubstr("attached to eth0: mode router, local 192.0.2.1 (2002:c000:201::/48)"));
	EXPECT_EQ(std::count(attached.begin(), attached.end(), '\n'), 1);
}

TEST(StatusOutput, StaleTunnelMtuIsCalledOut)
{
	AttachmentInfo i = router();
	std::ostringstream fresh;
	print_status(fresh, {i}, false);
	EXPECT_THAT(fresh.str(), Not(HasSubstr("stale")));

	i.link_mtu = 1400; // lowered after attach: the tunnel still says 1480
	std::ostringstream stale;
	print_status(stale, {i}, false);
	EXPECT_THAT(stale.str(), HasSubstr("mtu 1480 (stale: eth0 MTU is now 1400"));
	std::ostringstream js;
	print_status(js, {i}, true);
	EXPECT_EQ(1400, json::parse(js.str())["interfaces"][0]["link_mtu"]);
}

TEST(StatusOutput, DeletedInterfaceIsMarked)
{
	AttachmentInfo i = router();
	i.ifindex = 0;
	i.link_mtu = 0;
	std::ostringstream human, js;
	print_status(human, {i}, false);
	print_status(js, {i}, true);
	EXPECT_THAT(human.str(), HasSubstr("deleted while attached"));
	EXPECT_EQ(true, json::parse(js.str())["interfaces"][0]["interface_deleted"]);
}

} // namespace
} // namespace stf
