// stf::netlink against the real kernel, inside the private network namespace netns_main.cpp
// creates. Results are checked independently with iproute2 (`ip`, run through the shell, in
// the same namespace) rather than with the code under test.
#include "error.h"
#include "netlink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace nl = stf::netlink;
using testing::HasSubstr;
using testing::Not;

namespace {

constexpr uint32_t missing_ifindex = 987654;

// Runs cmd through the shell; returns stdout and stderr.
std::string sh(const std::string &cmd)
{
	std::string out;
	FILE *p = popen((cmd + " 2>&1").c_str(), "r");
	if (!p)
		return "popen failed";
	char buf[4096];
	for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;)
		out.append(buf, n);
	pclose(p);
	return out;
}

// Runs cmd; its exit status must be 0.
void run(const std::string &cmd)
{
	ASSERT_EQ(0, std::system(cmd.c_str())) << cmd;
}

// The flags ip prints between < and >, e.g. "BROADCAST,MULTICAST,NOARP,UP,LOWER_UP".
std::string flags(const std::string &dev)
{
	std::string out = sh("ip -o link show dev " + dev);
	auto open = out.find('<'), close = out.find('>');
	return open == std::string::npos || close == std::string::npos
		       ? "no such link: " + out
		       : out.substr(open + 1, close - open - 1);
}

bool has_flag(const std::string &dev, const std::string &flag)
{
	std::string list = "," + flags(dev) + ",";
	return list.find("," + flag + ",") != std::string::npos;
}

uint32_t ipv4(const char *text)
{
	in_addr a{};
	inet_pton(AF_INET, text, &a);
	return ntohl(a.s_addr);
}

using Addr = std::tuple<uint32_t, uint32_t, int>; // ifindex, address (host order), prefixlen

std::vector<Addr> tuples(const std::vector<nl::Ipv4Address> &list)
{
	std::vector<Addr> out;
	for (const auto &a : list)
		out.emplace_back(a.ifindex, a.addr, a.prefixlen);
	return out;
}

const uint8_t prefix_2002[16] = {0x20, 0x02};

// Every test starts in a namespace holding only lo: remove whatever the last one created
// (deleting a veth's peer after the veth fails harmlessly).
class Netlink : public testing::Test {
protected:
	void TearDown() override
	{
		std::system("ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -vx lo | "
			    "xargs -r -n1 ip link del dev 2>/dev/null");
	}
};

TEST_F(Netlink, RunsInAPrivateNamespaceHoldingOnlyLo)
{
	std::string links = sh("ip -o link show");
	EXPECT_EQ(1, std::count(links.begin(), links.end(), '\n')) << links;
	EXPECT_THAT(links, HasSubstr("1: lo:"));
	EXPECT_TRUE(has_flag("lo", "UP")) << flags("lo");
}

TEST_F(Netlink, LinkLookupsOnLo)
{
	EXPECT_EQ(1u, nl::link_index("lo")); // lo is ifindex 1 in every namespace
	EXPECT_EQ("lo", nl::link_name(1));
	EXPECT_EQ(65536u, nl::link_mtu(1));
}

TEST_F(Netlink, LinkLookupsAgreeWithIp)
{
	run("ip link add name tst0 mtu 1400 type veth peer name tst0p mtu 1300");
	uint32_t index = nl::link_index("tst0");
	ASSERT_NE(0u, index);
	EXPECT_THAT(sh("ip -o link show dev tst0"), testing::StartsWith(std::to_string(index) + ": tst0@"));
	EXPECT_EQ("tst0", nl::link_name(index));
	EXPECT_EQ(1400u, nl::link_mtu(index));
	uint32_t peer = nl::link_index("tst0p");
	ASSERT_NE(0u, peer);
	EXPECT_NE(index, peer);
	EXPECT_EQ("tst0p", nl::link_name(peer));
	EXPECT_EQ(1300u, nl::link_mtu(peer));
}

TEST_F(Netlink, LinkLookupsOfMissingLinks)
{
	EXPECT_EQ(0u, nl::link_index("nosuch0"));
	EXPECT_EQ(0u, nl::link_index(""));
	EXPECT_EQ(0u, nl::link_index("a-name-too-long-for-linux")); // > IFNAMSIZ - 1
	EXPECT_EQ("", nl::link_name(missing_ifindex));
	EXPECT_EQ("", nl::link_name(0));
	EXPECT_EQ("", nl::link_name(UINT32_MAX));
	try {
		nl::link_mtu(missing_ifindex);
		FAIL() << "link_mtu of a missing link returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::failure, e.code());
		EXPECT_EQ(ENODEV, e.sys_errno());
		EXPECT_THAT(e.what(), HasSubstr(std::to_string(missing_ifindex)));
	}
}

TEST_F(Netlink, CreateVethMakesAConfiguredDownPair)
{
	nl::create_veth("stf0", "stf0p", 1480, 65535, "stf-xdp test");

	uint32_t index = nl::link_index("stf0"), peer = nl::link_index("stf0p");
	ASSERT_NE(0u, index);
	ASSERT_NE(0u, peer);
	EXPECT_EQ(1480u, nl::link_mtu(index));
	EXPECT_EQ(65535u, nl::link_mtu(peer));

	std::string main_end = sh("ip -d link show dev stf0");
	EXPECT_THAT(main_end, HasSubstr("stf0@stf0p:"));
	EXPECT_THAT(main_end, HasSubstr("mtu 1480 "));
	EXPECT_THAT(main_end, HasSubstr("veth addrgenmode none"));
	EXPECT_THAT(main_end, HasSubstr("alias stf-xdp test\n"));
	EXPECT_TRUE(has_flag("stf0", "NOARP")) << main_end;
	EXPECT_FALSE(has_flag("stf0", "UP")) << main_end;

	std::string peer_end = sh("ip -d link show dev stf0p");
	EXPECT_THAT(peer_end, HasSubstr("stf0p@stf0:"));
	EXPECT_THAT(peer_end, HasSubstr("mtu 65535 "));
	EXPECT_THAT(peer_end, HasSubstr("veth addrgenmode none"));
	EXPECT_THAT(peer_end, Not(HasSubstr("alias")));
	EXPECT_FALSE(has_flag("stf0p", "UP")) << peer_end;
}

TEST_F(Netlink, CreateVethWithoutAlias)
{
	nl::create_veth("stf0", "stf0p", 1500, 1500, "");
	EXPECT_THAT(sh("ip -d link show dev stf0"), Not(HasSubstr("alias")));
	EXPECT_EQ(1500u, nl::link_mtu(nl::link_index("stf0")));
}

// The reason for addrgenmode none: once up, the pair has no IPv6 address at all. A plain veth
// pair brought up alongside shows the check would see a link-local if there were one.
TEST_F(Netlink, CreateVethThenUpHasNoLinkLocal)
{
	nl::create_veth("stf0", "stf0p", 1480, 1480, "x");
	run("ip link add name ctl0 type veth peer name ctl0p");
	for (const char *dev : {"stf0", "stf0p", "ctl0", "ctl0p"})
		nl::set_link_up(nl::link_index(dev));

	std::string control;
	for (int i = 0; i < 40 && control.find("fe80::") == std::string::npos; ++i) {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		control = sh("ip -6 addr show dev ctl0");
	}
	ASSERT_THAT(control, HasSubstr("inet6 fe80::")) << "the control veth never got a link-local";

	EXPECT_EQ("", sh("ip -6 addr show dev stf0"));
	EXPECT_EQ("", sh("ip -6 addr show dev stf0p"));
	for (const char *flag : {"NOARP", "UP", "LOWER_UP"})
		EXPECT_TRUE(has_flag("stf0", flag)) << flag << " in " << flags("stf0");
	EXPECT_FALSE(has_flag("stf0p", "NOARP")) << flags("stf0p");
}

TEST_F(Netlink, CreateVethOverAnExistingNameIsAlreadyAttached)
{
	nl::create_veth("stf0", "stf0p", 1480, 1480, "first");
	try {
		nl::create_veth("stf0", "stf0q", 1480, 1480, "second");
		FAIL() << "second create_veth returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::already_attached, e.code());
		EXPECT_EQ(EEXIST, e.sys_errno());
		EXPECT_THAT(e.what(), HasSubstr("netlink: create veth stf0/stf0q"));
		EXPECT_THAT(e.what(), HasSubstr("(EEXIST)"));
	}
	// The peer's name counts too.
	EXPECT_THROW(
		try { nl::create_veth("stf1", "stf0p", 1480, 1480, ""); } catch (const stf::Error &e) {
			EXPECT_EQ(stf::Exit::already_attached, e.code());
			throw;
		},
		stf::Error);
	// Nothing half-made, nothing changed.
	EXPECT_EQ(0u, nl::link_index("stf0q"));
	EXPECT_EQ(0u, nl::link_index("stf1"));
	EXPECT_THAT(sh("ip -d link show dev stf0"), HasSubstr("alias first\n"));
}

TEST_F(Netlink, CreateVethWithAnInvalidNameFails)
{
	try {
		nl::create_veth("stf0", "x/y", 1480, 1480, "");
		FAIL() << "create_veth with an invalid peer name returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::failure, e.code());
		EXPECT_NE(0, e.sys_errno());
		EXPECT_THAT(e.what(), HasSubstr("netlink: create veth stf0/x/y"));
	}
	EXPECT_EQ(0u, nl::link_index("stf0"));
}

TEST_F(Netlink, SetLinkUp)
{
	run("ip link add name tst0 type veth peer name tst0p");
	nl::set_link_up(nl::link_index("tst0"));
	EXPECT_TRUE(has_flag("tst0", "UP")) << flags("tst0");
	EXPECT_FALSE(has_flag("tst0p", "UP")) << flags("tst0p");
	nl::set_link_up(nl::link_index("tst0")); // already up: fine
	EXPECT_TRUE(has_flag("tst0", "UP"));

	try {
		nl::set_link_up(missing_ifindex);
		FAIL() << "set_link_up of a missing link returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::failure, e.code());
		EXPECT_EQ(ENODEV, e.sys_errno());
		EXPECT_THAT(e.what(), HasSubstr("netlink: set link #987654 up"));
	}
}

// A refusal the kernel explains in an extended ACK: its text reaches the error message,
// between the context and the errno, and nothing changed.
TEST_F(Netlink, SetLinkMtuOutOfRangeCarriesTheKernelsReason)
{
	run("ip link add name tst0 mtu 1400 type veth peer name tst0p");
	const uint32_t index = nl::link_index("tst0");
	const std::string context = "netlink: set link #" + std::to_string(index) + " mtu ";
	try {
		nl::set_link_mtu(index, 10); // a veth's minimum is 68
		FAIL() << "set_link_mtu below the minimum returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::failure, e.code());
		EXPECT_EQ(EINVAL, e.sys_errno());
		EXPECT_THAT(e.what(), testing::StartsWith(context + "10 (kernel: mtu less than device "
								  "minimum): Invalid argument (EINVAL)"));
	}
	try {
		nl::set_link_mtu(index, 70000); // and its maximum 65535
		FAIL() << "set_link_mtu above the maximum returned";
	} catch (const stf::Error &e) {
		EXPECT_THAT(e.what(), HasSubstr("70000 (kernel: mtu greater than device maximum)"));
	}
	EXPECT_EQ(1400u, nl::link_mtu(index));
	nl::set_link_mtu(index, 1300);
	EXPECT_THAT(sh("ip -o link show dev tst0"), HasSubstr(" mtu 1300 "));
}

TEST_F(Netlink, DeleteLinkTakesThePeerAlong)
{
	nl::create_veth("stf0", "stf0p", 1480, 1480, "");
	nl::delete_link(nl::link_index("stf0"));
	EXPECT_EQ(0u, nl::link_index("stf0"));
	EXPECT_EQ(0u, nl::link_index("stf0p"));

	// From the other end too.
	nl::create_veth("stf0", "stf0p", 1480, 1480, "");
	nl::delete_link(nl::link_index("stf0p"));
	EXPECT_EQ(0u, nl::link_index("stf0"));
	EXPECT_EQ(0u, nl::link_index("stf0p"));
	std::string links = sh("ip -o link show");
	EXPECT_EQ(1, std::count(links.begin(), links.end(), '\n')) << links;
}

TEST_F(Netlink, DeleteLinkOfAMissingLinkIsNotAnError)
{
	EXPECT_NO_THROW(nl::delete_link(missing_ifindex));
}

class Netlink6to4Route : public Netlink {
protected:
	void SetUp() override
	{
		nl::create_veth("stf0", "stf0p", 1480, 1480, "");
		index = nl::link_index("stf0");
		ASSERT_NE(0u, index);
		// IPv6 refuses routes through a down device, and marks them linkdown without carrier.
		nl::set_link_up(index);
		nl::set_link_up(nl::link_index("stf0p"));
	}
	uint32_t index = 0;
};

TEST_F(Netlink6to4Route, AddRoute6)
{
	nl::add_route6(prefix_2002, 16, index, 1480, 512);
	std::string routes = sh("ip -6 route show table main 2002::/16");
	EXPECT_THAT(routes, HasSubstr("2002::/16 dev stf0 proto static metric 512 mtu 1480 "));
	EXPECT_EQ(1, std::count(routes.begin(), routes.end(), '\n')) << routes;
}

TEST_F(Netlink6to4Route, AddRoute6LongerPrefix)
{
	const uint8_t prefix[16] = {0x20, 0x02, 0xc0, 0x00, 0x02, 0x01};
	nl::add_route6(prefix, 48, index, 1400, 100);
	EXPECT_THAT(sh("ip -6 route show 2002:c000:201::/48"),
		    HasSubstr("2002:c000:201::/48 dev stf0 proto static metric 100 mtu 1400 "));
}

// Not ours to change, but worth knowing: IPv6 has no metric 0; the kernel makes it 1024.
TEST_F(Netlink6to4Route, AddRoute6MetricZeroMeansTheKernelDefault)
{
	nl::add_route6(prefix_2002, 16, index, 1480, 0);
	EXPECT_THAT(sh("ip -6 route show 2002::/16"), HasSubstr(" metric 1024 "));
}

TEST_F(Netlink6to4Route, AddRoute6TwiceSaysTheRouteExists)
{
	nl::add_route6(prefix_2002, 16, index, 1480, 1024);
	try {
		nl::add_route6(prefix_2002, 16, index, 1480, 1024);
		FAIL() << "second add_route6 returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::failure, e.code());
		EXPECT_EQ(EEXIST, e.sys_errno());
		EXPECT_THAT(e.what(), HasSubstr("route 2002::/16 already exists"));
	}
}

TEST_F(Netlink6to4Route, AddRoute6ThroughADownLinkCarriesTheKernelsReason)
{
	run("ip link add name tst0 type veth peer name tst0p"); // never brought up
	uint32_t down = nl::link_index("tst0");
	try {
		nl::add_route6(prefix_2002, 16, down, 1480, 1024);
		FAIL() << "add_route6 through a down link returned";
	} catch (const stf::Error &e) {
		EXPECT_EQ(stf::Exit::failure, e.code());
		EXPECT_EQ(ENETDOWN, e.sys_errno());
		EXPECT_THAT(e.what(), HasSubstr("netlink: add route 2002::/16 dev #" + std::to_string(down)));
		// The extended ACK text (kernels since 4.x say this).
		EXPECT_THAT(e.what(), HasSubstr("kernel: Nexthop device is not up"));
	}
}

TEST_F(Netlink6to4Route, RouteGoesWithTheLink)
{
	nl::add_route6(prefix_2002, 16, index, 1480, 1024);
	nl::delete_link(index);
	EXPECT_EQ("", sh("ip -6 route show 2002::/16"));
}

class NetlinkIpv4 : public Netlink {
protected:
	void SetUp() override
	{
		nl::create_veth("stf0", "stf0p", 1480, 1480, "");
		a = nl::link_index("stf0");
		b = nl::link_index("stf0p");
		ASSERT_NE(0u, a);
		ASSERT_NE(0u, b);
	}
	uint32_t a = 0, b = 0;
};

TEST_F(NetlinkIpv4, AllAddressesAndPerInterface)
{
	run("ip addr add 192.0.2.1/24 dev stf0");
	run("ip addr add 198.51.100.7/30 dev stf0");
	run("ip addr add 203.0.113.5/32 dev stf0p");
	run("ip addr add 10.1.1.1 peer 10.1.1.2/32 dev stf0p"); // point-to-point: ours is IFA_LOCAL

	const Addr lo{1, ipv4("127.0.0.1"), 8};
	const Addr a1{a, ipv4("192.0.2.1"), 24}, a2{a, ipv4("198.51.100.7"), 30};
	const Addr b1{b, ipv4("203.0.113.5"), 32}, b2{b, ipv4("10.1.1.1"), 32};
	EXPECT_THAT(tuples(nl::ipv4_addresses()), testing::UnorderedElementsAre(lo, a1, a2, b1, b2));
	EXPECT_THAT(tuples(nl::ipv4_addresses(0)), testing::UnorderedElementsAre(lo, a1, a2, b1, b2));
	EXPECT_THAT(tuples(nl::ipv4_addresses(a)), testing::UnorderedElementsAre(a1, a2));
	EXPECT_THAT(tuples(nl::ipv4_addresses(b)), testing::UnorderedElementsAre(b1, b2));
	EXPECT_THAT(tuples(nl::ipv4_addresses(1)), testing::ElementsAre(lo));
	EXPECT_TRUE(nl::ipv4_addresses(missing_ifindex).empty());
}

TEST_F(NetlinkIpv4, NoAddressesOnAFreshLink)
{
	EXPECT_TRUE(nl::ipv4_addresses(a).empty());
	EXPECT_EQ(1u, nl::ipv4_addresses().size()); // lo's 127.0.0.1
}

// Enough addresses that the dump spans several messages: the reader must loop to NLMSG_DONE.
TEST_F(NetlinkIpv4, LargeDump)
{
	std::string batch;
	for (int i = 0; i < 1000; ++i)
		batch += "addr add 10.2." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) +
			 "/32 dev stf0\n";
	run("printf '" + batch + "' | ip -batch -");
	auto list = nl::ipv4_addresses(a);
	ASSERT_EQ(1000u, list.size());
	EXPECT_EQ(1001u, nl::ipv4_addresses().size());
	std::sort(list.begin(), list.end(),
		  [](const nl::Ipv4Address &x, const nl::Ipv4Address &y) { return x.addr < y.addr; });
	EXPECT_EQ(ipv4("10.2.0.1"), list.front().addr);
	EXPECT_EQ(ipv4("10.2.3.250"), list.back().addr);
}

} // namespace
