// `attach --config` (ctl/config_file.h): a full valid file, and every kind of mistake named by
// file and key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "config_file.h"
#include "error.h"

#include "test_addr.h"

namespace stf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using test::ip;

std::string config_error(const std::string &text)
{
	try {
		parse_config_json(text, "config.json");
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	ADD_FAILURE() << "accepted: " << text;
	return "";
}

TEST(ConfigFile, DefaultRelayInEverySpelling)
{
	for (const char *key : {"default_relay", "default-relay", "relay"}) {
		AttachRequest r = parse_config_json(std::string("{\"") + key + "\": \"203.0.113.1\"}",
						    "config.json");
		EXPECT_EQ(r.relay, 0xcb007101u) << key;
	}
	// Two spellings of one setting are one key twice, never a silent choice.
	EXPECT_THAT(config_error(R"({"relay": "203.0.113.1", "default_relay": "203.0.113.2"})"),
		    HasSubstr("the same setting as another key of this file (default_relay)"));
}

TEST(ConfigFile, FullValidFile)
{
	AttachRequest r = parse_config_json(R"({
		"local": ["192.0.2.1", "198.51.100.1"],
		"mode": "relay",
		"relay": "203.0.113.1",
		"ttl": 33,
		"xdp_mode": "generic",
		"xdp_dispatcher": true,
		"permit_private": true,
		"ingress_filter": false,
		"filters": {"allow": ["198.51.100.0/24"], "deny": ["198.51.100.128/25", "192.0.2.7"]}
	})",
					    "config.json");
	ASSERT_TRUE(r.locals);
	EXPECT_THAT(*r.locals, ElementsAre(ip(192, 0, 2, 1), ip(198, 51, 100, 1)));
	EXPECT_EQ(r.mode, Mode::relay);
	EXPECT_EQ(r.relay, ip(203, 0, 113, 1));
	EXPECT_EQ(r.ttl, 33u);
	EXPECT_EQ(r.xdp_mode, XdpMode::generic);
	EXPECT_EQ(r.xdp_dispatcher, true);
	EXPECT_EQ(r.permit_private, true);
	EXPECT_EQ(r.ingress_filter, false);
	EXPECT_THAT(r.allow, ElementsAre(Ipv4Prefix{ip(198, 51, 100, 0), 24}));
	EXPECT_THAT(r.deny, ElementsAre(Ipv4Prefix{ip(198, 51, 100, 128), 25},
					Ipv4Prefix{ip(192, 0, 2, 7), 32}));
}

TEST(ConfigFile, EmptyObjectLeavesEverythingUnset)
{
	AttachRequest r = parse_config_json("{}", "config.json");
	EXPECT_FALSE(r.locals);
	EXPECT_FALSE(r.mode);
	EXPECT_FALSE(r.relay);
	EXPECT_FALSE(r.ttl);
	EXPECT_FALSE(r.xdp_mode);
	EXPECT_FALSE(r.xdp_dispatcher);
	EXPECT_FALSE(r.permit_private);
	EXPECT_FALSE(r.ingress_filter);
	EXPECT_TRUE(r.allow.empty() && r.deny.empty());
}

TEST(ConfigFile, LocalMayBeAString)
{
	AttachRequest r = parse_config_json(R"({"local": "192.0.2.1"})", "config.json");
	ASSERT_TRUE(r.locals);
	EXPECT_THAT(*r.locals, ElementsAre(ip(192, 0, 2, 1)));
}

TEST(ConfigFile, PrivateAddressesAreLeftToTheMerge)
{
	// --permit-private on the command line may still allow it.
	AttachRequest r = parse_config_json(R"({"local": "10.0.0.1"})", "config.json");
	EXPECT_THAT(*r.locals, ElementsAre(ip(10, 0, 0, 1)));
}

TEST(ConfigFile, TtlMessageNamesFileAndKey)
{
	const char *expected = "config.json: key 'ttl': expected an integer from 1 to 255";
	for (const char *bad : {R"({"ttl": 0})", R"({"ttl": 256})", R"({"ttl": -1})", R"({"ttl": 64.0})",
				R"({"ttl": 64.5})", R"({"ttl": "64"})", R"({"ttl": "sixty-four"})",
				R"({"ttl": true})", R"({"ttl": null})", R"({"ttl": [64]})"})
		EXPECT_EQ(config_error(bad), expected) << bad;
}

TEST(ConfigFile, BadValuesNameTheKey)
{
	struct Case {
		const char *text;
		const char *message;
	} cases[] = {
		{R"({"local": "300.1.2.3"})", "config.json: key 'local': '300.1.2.3' is not an IPv4 address"},
		{R"({"local": ["192.0.2.1", 7]})", "config.json: key 'local': expected an IPv4 address"},
		{R"({"local": []})", "config.json: key 'local': expected an IPv4 address or a non-empty"},
		{R"({"local": 3221225985})", "config.json: key 'local': expected an IPv4 address"},
		{R"({"local": "127.0.0.1"})", "config.json: key 'local': local address 127.0.0.1 is loopback"},
		{R"({"local": "010.0.0.1"})", "config.json: key 'local': '010.0.0.1' is not an IPv4 address"},
		{R"({"mode": "bridge"})", "config.json: key 'mode': expected one of \"router\""},
		{R"({"mode": 1})", "config.json: key 'mode': expected one of"},
		{R"({"relay": "224.0.0.1"})", "config.json: key 'relay': default relay 224.0.0.1 is multicast"},
		{R"({"relay": ["203.0.113.1"]})", "config.json: key 'relay': expected an IPv4 address"},
		{R"({"xdp_mode": "turbo"})", "config.json: key 'xdp_mode': expected one of \"native\""},
		{R"({"permit_private": "yes"})", "config.json: key 'permit_private': expected true or false"},
		{R"({"permit_private": 1})", "config.json: key 'permit_private': expected true or false"},
		{R"({"ingress_filter": "off"})", "config.json: key 'ingress_filter': expected true or false"},
		{R"({"loop_guard": 0})", "config.json: key 'loop_guard': expected true or false"},
		{R"({"filters": []})", "config.json: key 'filters': expected an object"},
		{R"({"filters": {"deny": "198.51.100.0/24"}})", "config.json: key 'filters.deny': expected an array"},
		{R"({"filters": {"deny": [24]}})", "config.json: key 'filters.deny': expected an array"},
		{R"({"filters": {"deny": ["198.51.100.0/33"]}})",
		 "config.json: key 'filters.deny': '198.51.100.0/33': the prefix length must be"},
		{R"({"filters": {"allow": ["198.51.100.1/24"]}})",
		 "config.json: key 'filters.allow': 198.51.100.1/24 has host bits set; use 198.51.100.0/24"},
	};
	for (const auto &c : cases)
		EXPECT_THAT(config_error(c.text), StartsWith(c.message)) << c.text;
}

TEST(ConfigFile, UnknownKeysAreErrors)
{
	EXPECT_THAT(config_error(R"({"lcoal": ["192.0.2.1"]})"),
		    StartsWith("config.json: key 'lcoal': unknown key"));
	EXPECT_THAT(config_error(R"({"filters": {"alow": []}})"),
		    StartsWith("config.json: key 'filters.alow': unknown key"));
	EXPECT_THAT(config_error(R"({"TTL": 64})"), StartsWith("config.json: key 'TTL': unknown key"));
}

TEST(ConfigFile, RepeatedKeysAreErrors)
{
	EXPECT_EQ(config_error(R"({"ttl": 64, "ttl": 65})"), "config.json: key 'ttl' appears twice");
	EXPECT_EQ(config_error(R"({"filters": {"deny": [], "deny": []}})"),
		  "config.json: key 'deny' appears twice");
	// The same key in two different objects is fine.
	EXPECT_NO_THROW(parse_config_json(R"({"filters": {"allow": [], "deny": []}, "mode": "relay"})",
					  "config.json"));
}

TEST(ConfigFile, BrokenJsonGivesThePosition)
{
	std::string e = config_error(R"({"local": ["192.0.2.1"], "mode": )");
	EXPECT_THAT(e, StartsWith("config.json: invalid JSON: parse error at line 1, column"));
	EXPECT_THAT(e, Not(HasSubstr("[json.exception")));
	EXPECT_THAT(config_error("{\n  \"ttl\": 64,\n}\n"), HasSubstr("line 3"));
	EXPECT_THAT(config_error(""), HasSubstr("invalid JSON"));
	EXPECT_THAT(config_error("{} {}"), HasSubstr("invalid JSON"));
}

TEST(ConfigFile, TopLevelMustBeAnObject)
{
	EXPECT_THAT(config_error(R"(["192.0.2.1"])"), StartsWith("config.json: expected a JSON object"));
	EXPECT_THAT(config_error("64"), StartsWith("config.json: expected a JSON object"));
}

class ConfigFileOnDisk : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/stf-config-test-XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
	}
	void TearDown() override
	{
		for (const auto &f : files_)
			std::remove(f.c_str());
		rmdir(dir_.c_str());
	}
	std::string write(const std::string &name, const std::string &text)
	{
		std::string path = dir_ + "/" + name;
		std::ofstream(path) << text;
		files_.push_back(path);
		return path;
	}
	std::string dir_;
	std::vector<std::string> files_;
};

TEST_F(ConfigFileOnDisk, LoadsAFile)
{
	std::string path = write("good.json", R"({"mode": "router", "relay": "203.0.113.1", "ttl": 33})");
	AttachRequest r = load_config_file(path);
	EXPECT_EQ(r.ttl, 33u);
	EXPECT_EQ(r.relay, ip(203, 0, 113, 1));
}

TEST_F(ConfigFileOnDisk, ErrorsNameThePath)
{
	std::string path = write("typo.json", R"({"lcoal": ["192.0.2.1"]})");
	try {
		load_config_file(path);
		FAIL() << "accepted";
	} catch (const Error &e) {
		EXPECT_THAT(e.what(), StartsWith(path + ": key 'lcoal'"));
	}
}

TEST_F(ConfigFileOnDisk, MissingFileIsAUsageErrorWithErrno)
{
	std::string path = dir_ + "/does-not-exist.json";
	try {
		load_config_file(path);
		FAIL() << "accepted";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_EQ(e.sys_errno(), ENOENT);
		EXPECT_THAT(e.what(), StartsWith(path + ": cannot open"));
		EXPECT_THAT(e.what(), HasSubstr("ENOENT"));
	}
}

TEST_F(ConfigFileOnDisk, DirectoryIsAUsageError)
{
	try {
		load_config_file(dir_);
		FAIL() << "accepted";
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_THAT(e.what(), StartsWith(dir_ + ": cannot"));
	}
}

} // namespace
namespace {

TEST(ConfigFile, TheCommandLineSpellingIsAcceptedToo)
{
	AttachRequest r = parse_config_json(
		R"({"xdp-mode": "generic", "permit-private": true, "ingress-filter": false,
		    "loop-guard": false, "fast-path": true})",
		"config.json");
	EXPECT_EQ(r.fast_path, true);
	EXPECT_EQ(parse_config_json(R"({"fast_path": false})", "config.json").fast_path, false);
	EXPECT_EQ(parse_config_json(R"({"lan": ["lan0", "lan1"]})", "config.json").lan,
		  (std::vector<std::string>{"lan0", "lan1"}));
	EXPECT_EQ(parse_config_json(R"({"lan": "lan0"})", "config.json").lan,
		  (std::vector<std::string>{"lan0"}));
	EXPECT_THROW(parse_config_json(R"({"lan": [1]})", "config.json"), Error);
	EXPECT_EQ(r.xdp_mode, XdpMode::generic);
	EXPECT_EQ(r.permit_private, true);
	EXPECT_EQ(r.ingress_filter, false);
	EXPECT_EQ(r.loop_guard, false);
	try {
		parse_config_json(R"({"loop_guard": true, "loop-guard": false})", "config.json");
		FAIL() << "both spellings accepted";
	} catch (const Error &e) {
		EXPECT_THAT(e.what(), ::testing::HasSubstr("the same setting as another key"));
	}
}

} // namespace
} // namespace stf
