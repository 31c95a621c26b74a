// What `stf-xdp monitor` prints (ctl/monitor_output.h), human and JSON lines, from events
// built here the way the dataplane writes them (include/stf/contract.h).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "monitor_output.h"

namespace stf {
namespace {

// 2026-11-30T05:00:01.123456Z
constexpr int64_t kWhen = 1796014801123456789;

MonitorEvent spoofed()
{
	MonitorEvent e{};
	e.ifname = "eth0";
	e.realtime_ns = kWhen;
	e.ev.reason = STF_C_inner_src_spoofed;
	e.ev.prog = STF_EV_DECAP;
	e.ev.flags = STF_EV_OUTER | STF_EV_INNER;
	e.ev.len = 146;
	inet_pton(AF_INET, "198.51.100.1", &e.ev.outer_src);
	inet_pton(AF_INET, "192.0.2.1", &e.ev.outer_dst);
	inet_pton(AF_INET6, "2002:cb00:7101::1", e.ev.inner_src);
	inet_pton(AF_INET6, "2002:c000:201:1::10", e.ev.inner_dst);
	return e;
}

std::string human(const MonitorEvent &e)
{
	std::ostringstream os;
	print_monitor_event(os, e, false);
	return os.str();
}

nlohmann::json json(const MonitorEvent &e)
{
	std::ostringstream os;
	print_monitor_event(os, e, true);
	std::string s = os.str();
	EXPECT_EQ(s.find('\n'), s.size() - 1) << "one line per event";
	return nlohmann::json::parse(s);
}

TEST(MonitorOutput, HumanLine)
{
	EXPECT_EQ(human(spoofed()), "2026-11-30T05:00:01.123456Z eth0 decap inner_src_spoofed "
				    "198.51.100.1 -> 192.0.2.1 2002:cb00:7101::1 -> "
				    "2002:c000:201:1::10 146 bytes\n");
}

TEST(MonitorOutput, JsonLine)
{
	nlohmann::json j = json(spoofed());
	EXPECT_EQ(j, nlohmann::json::parse(R"({"event": "drop", "time": "2026-11-30T05:00:01.123456Z",
		"ifname": "eth0", "program": "decap", "reason": "inner_src_spoofed",
		"outer_src": "198.51.100.1", "outer_dst": "192.0.2.1",
		"inner_src": "2002:cb00:7101::1", "inner_dst": "2002:c000:201:1::10", "bytes": 146})"));
}

TEST(MonitorOutput, WhatWasNotParsedIsAbsent)
{
	MonitorEvent e = spoofed();
	e.ev.prog = STF_EV_ENCAP;
	e.ev.reason = STF_C_encap_not_ipv6;
	e.ev.flags = 0;
	EXPECT_EQ(human(e), "2026-11-30T05:00:01.123456Z eth0 encap encap_not_ipv6 - - 146 bytes\n");
	nlohmann::json j = json(e);
	EXPECT_TRUE(j["outer_src"].is_null());
	EXPECT_TRUE(j["inner_dst"].is_null());
	e.ev.flags = STF_EV_INNER;
	EXPECT_EQ(json(e)["inner_src"], "2002:cb00:7101::1");
	EXPECT_TRUE(json(e)["outer_dst"].is_null());
}

TEST(MonitorOutput, UnknownReasonIsItsNumber)
{
	MonitorEvent e = spoofed();
	e.ev.reason = 200; // a newer dataplane's reason
	EXPECT_EQ(json(e)["reason"], "reason_200");
}

TEST(MonitorOutput, Hidden)
{
	std::ostringstream h, j;
	print_monitor_hidden(h, MonitorHidden{"eth0", 490, 2}, false);
	print_monitor_hidden(j, MonitorHidden{"eth0", 490, 2}, true);
	EXPECT_EQ(h.str(), "eth0: 490 drops not shown (rate limit), 2 lost (ring buffer full)\n");
	EXPECT_EQ(nlohmann::json::parse(j.str()),
		  nlohmann::json::parse(
			  R"({"event": "hidden", "ifname": "eth0", "suppressed": 490, "lost": 2})"));
}

} // namespace
} // namespace stf
