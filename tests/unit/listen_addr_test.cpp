// The metrics listener's address (ctl/listen_addr.h) and its config key: accepted forms in
// canonical text, and every malformed one a usage Error saying what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "config_file.h"
#include "error.h"
#include "listen_addr.h"

namespace stf {
namespace {

using ::testing::HasSubstr;

std::string listen_error(const std::string &text)
{
	try {
		parse_listen_address(text);
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	ADD_FAILURE() << "accepted: " << text;
	return "";
}

TEST(ListenAddress, Ipv4)
{
	ListenAddress a = parse_listen_address("127.0.0.1:9100");
	ASSERT_EQ(a.family(), AF_INET);
	ASSERT_EQ(a.len, sizeof(sockaddr_in));
	const auto *s4 = reinterpret_cast<const sockaddr_in *>(&a.sa);
	EXPECT_EQ(ntohs(s4->sin_port), 9100);
	EXPECT_EQ(ntohl(s4->sin_addr.s_addr), 0x7f000001u);
	EXPECT_EQ(a.text, "127.0.0.1:9100");
	EXPECT_EQ(parse_listen_address("0.0.0.0:1").text, "0.0.0.0:1");
}

TEST(ListenAddress, Ipv6InBracketsInCanonicalForm)
{
	ListenAddress a = parse_listen_address("[2001:DB8:0::1]:65535");
	ASSERT_EQ(a.family(), AF_INET6);
	ASSERT_EQ(a.len, sizeof(sockaddr_in6));
	EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6 *>(&a.sa)->sin6_port), 65535);
	EXPECT_EQ(a.text, "[2001:db8::1]:65535");
	EXPECT_EQ(parse_listen_address("[::]:9100").text, "[::]:9100");
	// Equal addresses compare equal whatever their spelling: a reload keeps the listener.
	EXPECT_EQ(parse_listen_address("[::1]:9100"), parse_listen_address("[0::1]:9100"));
	EXPECT_NE(parse_listen_address("[::1]:9100"), parse_listen_address("[::1]:9101"));
}

TEST(ListenAddress, MistakesAreNamed)
{
	EXPECT_THAT(listen_error("127.0.0.1"), HasSubstr("no port"));
	EXPECT_THAT(listen_error("localhost:9100"), HasSubstr("names are not resolved"));
	EXPECT_THAT(listen_error("::1:9100"), HasSubstr("[ADDR]:PORT"));
	EXPECT_THAT(listen_error("[::1]9100"), HasSubstr("[ADDR]:PORT"));
	EXPECT_THAT(listen_error("[::1]:"), HasSubstr("from 1 to 65535"));
	EXPECT_THAT(listen_error("[192.0.2.1]:9100"), HasSubstr("not an IPv6 address"));
	EXPECT_THAT(listen_error("[fe80::1%eth0]:9100"), HasSubstr("not an IPv6 address"));
	for (const char *port : {"0", "65536", "+9100", " 9100", "9100x", "0x10", "123456"})
		EXPECT_THAT(listen_error(std::string("127.0.0.1:") + port), HasSubstr("from 1 to 65535"))
			<< port;
	EXPECT_THAT(listen_error("127.0.0.01:9100"), HasSubstr("not an IPv4 address"));
}

TEST(ListenAddress, ConfigKey)
{
	ServiceSettings s;
	parse_config_json(R"({"metrics": "[::1]:9100"})", "config.json", &s);
	ASSERT_TRUE(s.metrics);
	EXPECT_EQ(s.metrics->text, "[::1]:9100");
	parse_config_json(R"({"local": "192.0.2.1"})", "config.json", &s);
	EXPECT_FALSE(s.metrics) << "absent means off";
	// attach, apply and check read the same file and ignore the key, but still check it.
	EXPECT_NO_THROW(parse_config_json(R"({"metrics": "127.0.0.1:9100"})", "config.json"));
	try {
		parse_config_json(R"({"metrics": 9100})", "config.json");
		ADD_FAILURE() << "a number was accepted";
	} catch (const Error &e) {
		EXPECT_THAT(e.what(), HasSubstr("config.json: key 'metrics': expected \"ADDR:PORT\""));
	}
	try {
		parse_config_json(R"({"metrics": "127.0.0.1:99999"})", "config.json");
		ADD_FAILURE() << "port 99999 was accepted";
	} catch (const Error &e) {
		EXPECT_THAT(e.what(), HasSubstr("config.json: key 'metrics': '127.0.0.1:99999' is not ADDR:PORT"));
	}
}

} // namespace
} // namespace stf
