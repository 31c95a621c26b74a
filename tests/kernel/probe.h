// Probes of kernel state for the Dataplane tests, through iproute2's JSON output rather than
// the netlink code under test, and the fixture those tests share.
//
// Every probe proves it ran: a command that exits non-zero, or prints something that is not
// the JSON expected, throws ProbeError (gtest reports it as a failure of the test). So an
// absence ("no XDP program", "no route") is always read from a successful listing, never
// from an error message that merely lacks the word looked for.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataplane.h"
#include "netlink.h"
#include "options.h"

namespace stf::ktest {

struct ProbeError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

struct CmdResult {
	int status = -1; // exit status; -1 if the command did not exit normally
	std::string out; // standard output only: stderr stays on the test's stderr
};

// Runs cmd with /bin/sh. Never throws: the caller decides what a status means.
CmdResult run(const std::string &cmd);

// Runs cmd, which must exit 0 and print one JSON document; throws ProbeError otherwise.
nlohmann::json json_of(const std::string &cmd);

// Names of every link in the namespace (`ip -j link show`).
std::vector<std::string> link_names();
bool has_link(const std::string &name);
// The one link called name (`ip -j link show dev name`); ProbeError if there is none.
nlohmann::json link(const std::string &name);
bool link_up(const std::string &name); // "UP" among its flags
// Name of the XDP program on ifname, "" if it has none.
std::string xdp_prog_name(const std::string &ifname);
// IPv6 routes of the main table matching what (`ip -j -6 route show what`), as an array.
nlohmann::json routes6(const std::string &what);
// The mtu metric of one entry of routes6(), 0 if it has none.
unsigned route_mtu(const nlohmann::json &route);
// tc filters on dev's hook dir ("ingress" or "egress"), as an array.
nlohmann::json tc_filters(const std::string &dev, const std::string &dir);
// Name of the BPF program of dev's egress tc filter, "" if it has none.
std::string tc_egress_prog_name(const std::string &dev);

// dpt0 <-> dpt0p, up, 192.0.2.1/24 on dpt0; every dataplane and dpt0 removed afterwards.
class DataplaneFixture : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, std::system("ip link add dpt0 type veth peer name dpt0p && "
					 "ip addr add 192.0.2.1/24 dev dpt0 && ip link set dpt0 up && "
					 "ip link set dpt0p up"));
		ifindex = netlink::link_index("dpt0");
		ASSERT_NE(0u, ifindex);
		opts.ifname = "dpt0";
		opts.locals = {0xc0000201}; // 192.0.2.1
	}
	void TearDown() override
	{
		for (Dataplane &dp : Dataplane::find_all())
			dp.detach();
		(void)std::system("ip link del dpt0 2>/dev/null");
	}
	uint32_t ifindex = 0;
	AttachOptions opts;
};

} // namespace stf::ktest
