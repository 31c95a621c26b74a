// Command-line parsing (ctl/cli.h): every command, -j placement, and usage errors (exit 2)
// that stop a bad argument before anything runs (help, version and run_cli's exit codes:
// cli_help_test.cpp). Only parse paths are exercised, so no test here touches the kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cli.h"
#include "error.h"

#include "cli_test_util.h"
#include "test_addr.h"

namespace stf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using test::ip;
using namespace cli_test;

// ---- each command ----------------------------------------------------------------------------

TEST(ParseCommandLine, AttachWithEveryOption)
{
	Invocation inv = parse({"attach", "eth0", "--local", "192.0.2.1", "--local", "198.51.100.1",
				"--mode", "relay", "--relay", "203.0.113.1", "--ttl", "33", "--xdp-mode",
				"generic", "--permit-private", "--ingress-filter", "off"});
	EXPECT_EQ(inv.command, Command::attach);
	EXPECT_EQ(inv.ifname, "eth0");
	ASSERT_TRUE(inv.request.locals);
	EXPECT_THAT(*inv.request.locals, ElementsAre(ip(192, 0, 2, 1), ip(198, 51, 100, 1)));
	EXPECT_EQ(inv.request.mode, Mode::relay);
	EXPECT_EQ(inv.request.relay, ip(203, 0, 113, 1));
	EXPECT_EQ(inv.request.ttl, 33u);
	EXPECT_EQ(inv.request.xdp_mode, XdpMode::generic);
	EXPECT_EQ(inv.request.permit_private, true);
	EXPECT_EQ(inv.request.ingress_filter, false);
	EXPECT_FALSE(inv.config_path);
	EXPECT_FALSE(inv.json);
}

TEST(ParseCommandLine, DefaultRelayAndItsFirstSpelling)
{
	// --default-relay says what the address is for; --relay, the first spelling, still works.
	EXPECT_EQ(parse({"attach", "eth0", "--default-relay", "203.0.113.1"}).request.relay,
		  ip(203, 0, 113, 1));
	EXPECT_EQ(parse({"attach", "eth0", "--relay", "203.0.113.2"}).request.relay,
		  ip(203, 0, 113, 2));
}

TEST(ParseCommandLine, AttachLeavesUnsetOptionsUnset)
{
	// Unset, not defaulted: the config file must be able to supply them.
	Invocation inv = parse({"attach", "eth0"});
	EXPECT_FALSE(inv.request.locals);
	EXPECT_FALSE(inv.request.mode);
	EXPECT_FALSE(inv.request.relay);
	EXPECT_FALSE(inv.request.ttl);
	EXPECT_FALSE(inv.request.xdp_mode);
	EXPECT_FALSE(inv.request.permit_private);
	EXPECT_FALSE(inv.request.ingress_filter);
}

TEST(ParseCommandLine, AnEmptyInterfaceNameIsNotAllInterfaces)
{
	EXPECT_THAT(usage({"status", ""}), HasSubstr("'' is not a valid interface name"));
	EXPECT_THAT(usage({"stats", ""}), HasSubstr("'' is not a valid interface name"));
	EXPECT_THAT(usage({"prefix", "add", "", "203.0.113.9"}),
		    HasSubstr("'' is not a valid interface name"));
	EXPECT_TRUE(parse({"status"}).ifname.empty()); // no IFACE at all: every interface
}

TEST(ParseCommandLine, IngressFilterIsOnOrOff)
{
	EXPECT_EQ(parse({"attach", "eth0", "--ingress-filter", "on"}).request.ingress_filter, true);
	EXPECT_EQ(parse({"attach", "eth0", "--ingress-filter", "off"}).request.ingress_filter, false);
	EXPECT_EQ(parse({"attach", "eth0", "--loop-guard", "off"}).request.loop_guard, false);
	EXPECT_THAT(usage({"attach", "eth0", "--loop-guard", "1"}), HasSubstr("--loop-guard"));
	EXPECT_EQ(parse({"attach", "eth0", "--fast-path", "on"}).request.fast_path, true);
	EXPECT_EQ(parse({"attach", "eth0", "--fast-path", "off"}).request.fast_path, false);
	EXPECT_EQ(parse({"attach", "eth0"}).request.fast_path, std::nullopt);
	EXPECT_THAT(usage({"attach", "eth0", "--fast-path", "yes"}), HasSubstr("--fast-path"));
	EXPECT_EQ(parse({"attach", "eth0", "--lan", "eth1,eth2"}).request.lan,
		  (std::vector<std::string>{"eth1", "eth2"}));
	EXPECT_EQ(parse({"attach", "eth0", "--lan", "eth1", "--lan", "eth2"}).request.lan,
		  (std::vector<std::string>{"eth1", "eth2"}));
	EXPECT_EQ(parse({"attach", "eth0"}).request.lan, std::nullopt);
	std::string err = usage({"attach", "eth0", "--ingress-filter", "yes"});
	EXPECT_THAT(err, HasSubstr("--ingress-filter"));
	EXPECT_THAT(err, HasSubstr("on, off"));
}

TEST(ParseCommandLine, OptionsBeforeTheInterface)
{
	// One address per --local: the interface name after it is not swallowed.
	Invocation inv = parse({"attach", "--local", "192.0.2.1", "eth0"});
	EXPECT_EQ(inv.ifname, "eth0");
	EXPECT_THAT(*inv.request.locals, ElementsAre(ip(192, 0, 2, 1)));
	EXPECT_EQ(parse({"attach", "--ttl=9", "eth0"}).request.ttl, 9u);
}

TEST(ParseCommandLine, OneAddressPerLocal)
{
	// "--local A B" is a mistake (B is a stray word), not two addresses: repeat --local.
	EXPECT_THAT(usage({"attach", "eth0", "--local", "192.0.2.1", "198.51.100.1"}),
		    HasSubstr("198.51.100.1"));
}

TEST(ParseCommandLine, AttachConfigIsReadWhenAttachRuns)
{
	Invocation inv = parse({"attach", "eth0", "--config", "/nonexistent/x.json", "--ttl", "44"});
	EXPECT_EQ(inv.config_path, "/nonexistent/x.json");
	EXPECT_EQ(inv.request.ttl, 44u);
	// The file may permit private addresses, so that check waits for the merge.
	EXPECT_NO_THROW(parse({"attach", "eth0", "--config", "x.json", "--local", "10.0.0.1"}));
}

TEST(ParseCommandLine, DetachStatusStats)
{
	Invocation d = parse({"detach", "eth0"});
	EXPECT_EQ(d.command, Command::detach);
	EXPECT_EQ(d.ifname, "eth0");
	EXPECT_EQ(parse({"status"}).command, Command::status);
	EXPECT_EQ(parse({"status"}).ifname, "");
	EXPECT_EQ(parse({"status", "eth1"}).ifname, "eth1");
	EXPECT_EQ(parse({"stats"}).command, Command::stats);
	EXPECT_EQ(parse({"stats", "eth0"}).ifname, "eth0");
}

TEST(ParseCommandLine, Monitor)
{
	Invocation m = parse({"monitor"});
	EXPECT_EQ(m.command, Command::monitor);
	EXPECT_EQ(m.ifname, "");
	EXPECT_EQ(m.rate, kDefaultMonitorRate);
	Invocation r = parse({"-j", "monitor", "eth0", "--rate", "10"});
	EXPECT_TRUE(r.json);
	EXPECT_EQ(r.ifname, "eth0");
	EXPECT_EQ(r.rate, 10u);
	EXPECT_EQ(parse({"monitor", "--rate", "10000"}).rate, 10000u);
	for (const char *bad : {"0", "10001", "", "010", "1e3", "-5", "ten"})
		EXPECT_THAT(usage({"monitor", "--rate", bad}),
			    HasSubstr("--rate: '" + std::string(bad) + "' is not an integer from 1 to 10000"))
			<< bad;
}

TEST(ParseCommandLine, Prefix)
{
	Invocation add = parse({"prefix", "add", "eth0", "203.0.113.77"});
	EXPECT_EQ(add.command, Command::prefix_add);
	EXPECT_EQ(add.ifname, "eth0");
	EXPECT_EQ(add.address, ip(203, 0, 113, 77));
	Invocation del = parse({"prefix", "del", "eth0", "203.0.113.77"});
	EXPECT_EQ(del.command, Command::prefix_del);
	EXPECT_EQ(del.address, ip(203, 0, 113, 77));
	EXPECT_EQ(parse({"prefix", "list"}).command, Command::prefix_list);
	EXPECT_EQ(parse({"prefix", "list", "eth0"}).ifname, "eth0");
}

TEST(ParseCommandLine, Filter)
{
	Invocation add = parse({"filter", "add", "eth0", "deny", "203.0.113.0/24"});
	EXPECT_EQ(add.command, Command::filter_add);
	EXPECT_EQ(add.ifname, "eth0");
	EXPECT_EQ(add.filter_kind, FilterKind::deny);
	EXPECT_EQ(add.filter_prefix, (Ipv4Prefix{ip(203, 0, 113, 0), 24}));
	Invocation del = parse({"filter", "del", "eth0", "allow", "198.51.100.7"});
	EXPECT_EQ(del.command, Command::filter_del);
	EXPECT_EQ(del.filter_kind, FilterKind::allow);
	EXPECT_EQ(del.filter_prefix, (Ipv4Prefix{ip(198, 51, 100, 7), 32}));
	EXPECT_EQ(parse({"filter", "list"}).command, Command::filter_list);
}

TEST(ParseCommandLine, InterfaceNamedLikeACommand)
{
	EXPECT_EQ(parse({"status", "stats"}).ifname, "stats");
	EXPECT_EQ(parse({"prefix", "list", "add"}).ifname, "add");
}

// ---- -j placement ----------------------------------------------------------------------------

TEST(ParseCommandLine, JsonBeforeOrAfterTheCommand)
{
	EXPECT_TRUE(parse({"-j", "status"}).json);
	EXPECT_TRUE(parse({"--json", "status"}).json);
	EXPECT_TRUE(parse({"status", "-j"}).json);
	EXPECT_TRUE(parse({"status", "eth0", "-j"}).json);
	EXPECT_TRUE(parse({"stats", "-j", "eth0"}).json);
	EXPECT_EQ(parse({"stats", "-j", "eth0"}).ifname, "eth0");
	EXPECT_TRUE(parse({"prefix", "list", "-j"}).json);
	EXPECT_TRUE(parse({"prefix", "-j", "list"}).json);
	EXPECT_TRUE(parse({"filter", "add", "eth0", "deny", "203.0.113.0/24", "-j"}).json);
	EXPECT_FALSE(parse({"status"}).json);
}

// ---- usage errors ----------------------------------------------------------------------------

TEST(ParseCommandLine, UnknownOrMissingCommand)
{
	EXPECT_EQ(usage({"bogus"}), "unknown command 'bogus'; see 'stf-xdp --help'");
	EXPECT_EQ(usage({"-j", "frobnicate"}), "unknown command 'frobnicate'; see 'stf-xdp --help'");
	EXPECT_THAT(usage({}), StartsWith("no command given"));
	EXPECT_THAT(usage({"-j"}), StartsWith("no command given"));
	EXPECT_EQ(usage({"prefix", "bogus"}), "unknown command 'prefix bogus'; see 'stf-xdp prefix --help'");
	EXPECT_THAT(usage({"filter"}), StartsWith("filter: missing subcommand (add, del, list)"));
}

TEST(ParseCommandLine, StructuralErrorsPointAtTheCommandsHelp)
{
	struct Case {
		std::initializer_list<const char *> args;
		const char *problem;
		const char *help;
	} cases[] = {
		{{"attach"}, "IFACE is required", "see 'stf-xdp attach --help'"},
		{{"attach", "eth0", "--bogus"}, "--bogus", "see 'stf-xdp attach --help'"},
		{{"attach", "eth0", "--ttl"}, "--ttl", "see 'stf-xdp attach --help'"},
		{{"attach", "eth0", "--ttl", "3", "--ttl", "4"}, "--ttl", "see 'stf-xdp attach --help'"},
		{{"attach", "eth0", "eth1"}, "eth1", "see 'stf-xdp attach --help'"},
		{{"detach"}, "IFACE is required", "see 'stf-xdp detach --help'"},
		{{"status", "eth0", "eth1"}, "eth1", "see 'stf-xdp status --help'"},
		{{"stats", "-x"}, "-x", "see 'stf-xdp stats --help'"},
		{{"prefix", "add", "eth0"}, "ADDRESS is required", "see 'stf-xdp prefix add --help'"},
		{{"filter", "add", "eth0", "deny"}, "PREFIX is required", "see 'stf-xdp filter add --help'"},
	};
	for (const auto &c : cases) {
		std::string e = usage(c.args);
		EXPECT_THAT(e, HasSubstr(c.problem));
		EXPECT_THAT(e, HasSubstr(c.help));
		EXPECT_THAT(e, Not(HasSubstr("\n")));
	}
}

TEST(ParseCommandLine, BadValuesAreRejectedBeforeAnythingRuns)
{
	struct Case {
		std::initializer_list<const char *> args;
		const char *message;
	} cases[] = {
		{{"attach", "eth0", "--local", "300.1.2.3"}, "--local: '300.1.2.3' is not an IPv4 address"},
		{{"attach", "eth0", "--local", "192.0.2"}, "--local: '192.0.2' is not an IPv4 address"},
		{{"attach", "eth0", "--local", "127.0.0.1"}, "--local 127.0.0.1 is loopback"},
		{{"attach", "eth0", "--local", "224.0.0.1"}, "--local 224.0.0.1 is multicast"},
		{{"attach", "eth0", "--local", "10.0.0.1"}, "local address 10.0.0.1 is private"},
		{{"attach", "eth0", "--relay", "255.255.255.255"}, "--default-relay 255.255.255.255 is reserved"},
		{{"attach", "eth0", "--ttl", "0"}, "--ttl: '0' is not an integer from 1 to 255"},
		{{"attach", "eth0", "--ttl", "256"}, "--ttl: '256' is not an integer from 1 to 255"},
		{{"attach", "eth0", "--ttl", "-1"}, "--ttl"},
		{{"attach", "eth0", "--ttl", "6x"}, "--ttl: '6x' is not an integer"},
		{{"attach", "eth0", "--mode", "bridge"}, "--mode: 'bridge' is not one of router, relay, return-relay"},
		{{"attach", "eth0", "--xdp-mode", "turbo"}, "--xdp-mode: 'turbo' is not one of native, generic"},
		{{"attach", "eth0", "--mode", "return-relay", "--relay", "203.0.113.1"},
		 "a relay has no use in return-relay mode"},
		{{"attach", "eth0", "--local", "192.0.2.1", "--local", "192.0.2.1"}, "given twice"},
		{{"attach", "eth0", "--config", ""}, "--config: the file name is empty"},
		{{"attach", "averyveryverylongname0"}, "longer than 15 characters"},
		{{"attach", "eth/0"}, "not a valid interface name"},
		{{"status", "eth 0"}, "not a valid interface name"},
		{{"prefix", "add", "eth0", "203.0.113.300"}, "address: '203.0.113.300' is not an IPv4 address"},
		{{"prefix", "add", "eth0", "127.0.0.1"}, "127.0.0.1 is loopback"},
		{{"prefix", "del", "eth0", "x"}, "address: 'x' is not an IPv4 address"},
		{{"filter", "add", "eth0", "maybe", "203.0.113.0/24"}, "filter kind: 'maybe' is not one of allow, deny"},
		{{"filter", "add", "eth0", "deny", "203.0.113.0/33"}, "the prefix length must be a number from 0 to 32"},
		{{"filter", "del", "eth0", "deny", "203.0.113.1/24"}, "has host bits set; use 203.0.113.0/24"},
	};
	for (const auto &c : cases)
		EXPECT_THAT(usage(c.args), HasSubstr(c.message));
}

} // namespace
} // namespace stf

namespace stf {
namespace {

TEST(Cli, NetnsIsTakenBeforeTheCommandAndIsNotACommandWord)
{
	Invocation inv = parse({"-n", "site", "status", "eth0"});
	EXPECT_EQ(inv.command, Command::status);
	EXPECT_EQ(inv.netns, "site");
	EXPECT_EQ(inv.ifname, "eth0");
	EXPECT_EQ(parse({"--netns", "site", "-j", "stats"}).netns, "site");
	EXPECT_EQ(parse({"status"}).netns, "");
	EXPECT_THAT(usage({"-n", "", "status"}), HasSubstr("-n: the network namespace name is empty"));
	EXPECT_THAT(usage({"-n", "site"}), StartsWith("no command given"));
}

TEST(Cli, CheckTakesOneFile)
{
	Invocation inv = parse({"check", "/etc/stf-xdp/eth0.json"});
	EXPECT_EQ(inv.command, Command::check);
	ASSERT_TRUE(inv.config_path);
	EXPECT_EQ(*inv.config_path, "/etc/stf-xdp/eth0.json");
	EXPECT_EQ(inv.ifname, "");
	EXPECT_THAT(usage({"check"}), HasSubstr("FILE is required"));
	EXPECT_THAT(usage({"check", ""}), HasSubstr("FILE: the file name is empty"));
	EXPECT_THAT(usage({"check", "a.json", "b.json"}), HasSubstr("b.json"));
}

TEST(Cli, EveryTableCommandHasHelpWithAnExample)
{
	// The table is the one place a command is defined: its --help must work and show one.
	for (auto words : std::vector<std::vector<const char *>>{
		     {"attach"}, {"detach"}, {"status"}, {"stats"}, {"prefix", "add"},
		     {"prefix", "del"}, {"prefix", "list"}, {"filter", "add"}, {"filter", "del"},
		     {"filter", "list"}, {"check"}, {"apply"}, {"run"}, {"slowpath"}, {"monitor"}}) {
		std::vector<const char *> v{"stf-xdp"};
		v.insert(v.end(), words.begin(), words.end());
		v.push_back("--help");
		Invocation inv = parse_command_line(static_cast<int>(v.size()), v.data());
		EXPECT_EQ(inv.command, Command::help) << words[0];
		EXPECT_THAT(inv.text, HasSubstr("Example")) << words[0];
	}
}

} // namespace
} // namespace stf
