// Help, version, and what run_cli does with them and with errors: exit codes, stdout or
// stderr, JSON errors. Parse paths only: nothing here touches the kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_test_util.h"

namespace stf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace cli_test;

// ---- help and version ------------------------------------------------------------------------

TEST(ParseCommandLine, TopLevelHelpListsCommandsAndExitCodes)
{
	Invocation inv = parse({"--help"});
	EXPECT_EQ(inv.command, Command::help);
	for (const char *word : {"attach", "detach", "status", "stats", "prefix", "filter", "-j,--json",
				 "--version", "Exit codes", "0  success", "2  usage",
				 "3  no such interface", "4  stf-xdp is not attached",
				 "5  already attached"})
		EXPECT_THAT(inv.text, HasSubstr(word));
	EXPECT_EQ(parse({"-h"}).text, inv.text);
}

TEST(ParseCommandLine, EachCommandHasItsOwnHelpWithAnExample)
{
	struct Case {
		std::initializer_list<const char *> args;
		const char *usage_line;
		const char *example;
	} cases[] = {
		{{"attach", "--help"}, "stf-xdp attach [OPTIONS] IFACE", "stf-xdp attach eth0"},
		{{"detach", "-h"}, "stf-xdp detach [OPTIONS] IFACE", "stf-xdp detach eth0"},
		{{"status", "--help"}, "stf-xdp status [OPTIONS] [IFACE]", "stf-xdp status"},
		{{"stats", "--help"}, "stf-xdp stats [OPTIONS] [IFACE]", "stf-xdp stats eth0"},
		{{"prefix", "--help"}, "stf-xdp prefix [OPTIONS] COMMAND", "stf-xdp prefix add IFACE"},
		{{"prefix", "add", "--help"}, "stf-xdp prefix add [OPTIONS] IFACE ADDRESS",
		 "stf-xdp prefix add eth0 203.0.113.77"},
		{{"prefix", "del", "--help"}, "IFACE ADDRESS", "stf-xdp prefix del eth0"},
		{{"prefix", "list", "--help"}, "[IFACE]", "stf-xdp prefix list eth0"},
		{{"filter", "add", "--help"}, "IFACE KIND PREFIX", "stf-xdp filter add eth0 deny"},
		{{"filter", "del", "--help"}, "IFACE KIND PREFIX", "stf-xdp filter del eth0 deny"},
		{{"filter", "list", "--help"}, "[IFACE]", "stf-xdp filter list eth0"},
	};
	for (const auto &c : cases) {
		Invocation inv = parse(c.args);
		EXPECT_EQ(inv.command, Command::help);
		EXPECT_THAT(inv.text, HasSubstr(c.usage_line));
		EXPECT_THAT(inv.text, HasSubstr(c.example));
	}
}

TEST(ParseCommandLine, AttachHelpDescribesEveryOption)
{
	std::string text = parse({"attach", "--help"}).text;
	for (const char *opt : {"--local", "--mode", "--relay", "--ttl", "--xdp-mode", "--permit-private", "--ingress-filter",
				"--config", "router", "relay", "return-relay", "native", "generic"})
		EXPECT_THAT(text, HasSubstr(opt));
}

TEST(ParseCommandLine, HelpWinsOverMissingArguments)
{
	EXPECT_EQ(parse({"attach", "--help"}).command, Command::help);
	EXPECT_EQ(parse({"filter", "add", "-h"}).command, Command::help);
}

TEST(ParseCommandLine, Version)
{
	Invocation inv = parse({"-V"});
	EXPECT_EQ(inv.command, Command::version);
	EXPECT_THAT(inv.text, StartsWith("stf-xdp "));
	EXPECT_EQ(parse({"--version"}).text, inv.text);
}

// ---- run_cli: exit codes and where messages go -----------------------------------------------

TEST(RunCli, HelpPrintsToStdoutAndExitsZero)
{
	CliResult r = run({"--help"});
	EXPECT_EQ(r.rc, 0);
	EXPECT_THAT(r.out, HasSubstr("Usage: stf-xdp"));
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(run({"attach", "--help"}).rc, 0);
	EXPECT_THAT(run({"-V"}).out, StartsWith("stf-xdp "));
}

TEST(RunCli, UsageErrorIsOneLineOnStderrWithExitTwo)
{
	CliResult r = run({"bogus"});
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(r.err, "stf-xdp: unknown command 'bogus'; see 'stf-xdp --help'\n");

	r = run({"attach", "eth0", "--local", "300.1.2.3"});
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err, "stf-xdp: --local: '300.1.2.3' is not an IPv4 address\n");
}

TEST(RunCli, JsonErrorsAreJsonOnStdout)
{
	for (auto args : {std::initializer_list<const char *>{"-j", "bogus"},
			  std::initializer_list<const char *>{"attach", "eth0", "--ttl", "0", "-j"},
			  std::initializer_list<const char *>{"status", "-j", "--bogus"}}) {
		CliResult r = run(args);
		EXPECT_EQ(r.rc, 2);
		EXPECT_EQ(r.err, "");
		nlohmann::json doc = nlohmann::json::parse(r.out);
		ASSERT_TRUE(doc.contains("error")) << r.out;
		EXPECT_TRUE(doc["error"].is_string());
		EXPECT_EQ(doc.size(), 1u);
	}
}

} // namespace
} // namespace stf
