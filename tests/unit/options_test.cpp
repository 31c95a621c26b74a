// Name tables and merge_options (ctl/options.h): layering of file and command line, validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "error.h"
#include "options.h"

#include "test_addr.h"

namespace stf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::ip;

std::string merge_error(const AttachRequest &file, const AttachRequest &cli)
{
	try {
		merge_options("eth0", file, cli);
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	ADD_FAILURE() << "merge_options accepted it";
	return "";
}

AttachRequest with_locals(std::vector<uint32_t> locals)
{
	AttachRequest r;
	r.locals = std::move(locals);
	return r;
}

TEST(Names, RoundTrip)
{
	for (Mode m : {Mode::router, Mode::relay, Mode::return_relay})
		EXPECT_EQ(parse_mode(mode_name(m)), m);
	for (XdpMode m : {XdpMode::native, XdpMode::generic})
		EXPECT_EQ(parse_xdp_mode(xdp_mode_name(m)), m);
	for (FilterKind k : {FilterKind::allow, FilterKind::deny})
		EXPECT_EQ(parse_filter_kind(filter_kind_name(k)), k);
	EXPECT_STREQ(mode_name(Mode::return_relay), "return-relay");
}

TEST(Names, RejectUnknownAndNearMisses)
{
	for (const char *bad : {"", "bridge", "Router", "router ", "return_relay"})
		EXPECT_EQ(parse_mode(bad), std::nullopt) << bad;
	EXPECT_EQ(parse_xdp_mode("turbo"), std::nullopt);
	EXPECT_EQ(parse_xdp_mode("skb"), std::nullopt);
	EXPECT_EQ(parse_filter_kind("maybe"), std::nullopt);
}

TEST(MergeOptions, DefaultsWhenNothingIsGiven)
{
	AttachOptions o = merge_options("eth0", {}, {});
	EXPECT_EQ(o.ifname, "eth0");
	EXPECT_TRUE(o.locals.empty()); // attach fills it from the interface
	EXPECT_EQ(o.mode, Mode::router);
	EXPECT_EQ(o.relay, std::nullopt);
	EXPECT_EQ(o.ttl, STF_DEFAULT_TTL);
	EXPECT_EQ(o.xdp_mode, XdpMode::native);
	EXPECT_FALSE(o.xdp_dispatcher); // the XDP hook is ours alone unless asked
	EXPECT_FALSE(o.permit_private);
	EXPECT_TRUE(o.ingress_filter); // RFC 3964 5.3.3, on unless turned off
	EXPECT_TRUE(o.loop_guard);     // RFC 3964 3.2, likewise
	EXPECT_FALSE(o.fast_path);     // bypasses netfilter's forward hooks: asked for
}

TEST(MergeOptions, IngressFilterFromFileOrCommandLine)
{
	AttachRequest file, cli;
	file.ingress_filter = false;
	EXPECT_FALSE(merge_options("eth0", file, {}).ingress_filter);
	cli.ingress_filter = true;
	EXPECT_TRUE(merge_options("eth0", file, cli).ingress_filter);
}

TEST(MergeOptions, XdpDispatcherFromFileOrCommandLineButNotInReturnRelay)
{
	AttachRequest file, cli;
	file.xdp_dispatcher = true;
	EXPECT_TRUE(merge_options("eth0", file, {}).xdp_dispatcher);
	cli.xdp_dispatcher = false;
	EXPECT_FALSE(merge_options("eth0", file, cli).xdp_dispatcher);
	// Return-relay has no XDP program to share the hook with.
	file.mode = Mode::return_relay;
	file.locals = {ip(192, 0, 2, 1)};
	EXPECT_THROW(merge_options("eth0", file, {}), Error);
}

TEST(MergeOptions, LanInterfaces)
{
	AttachRequest file, cli;
	file.lan = std::vector<std::string>{"lan0", "lan1"};
	EXPECT_EQ(merge_options("eth0", file, {}).lan, (std::vector<std::string>{"lan0", "lan1"}));
	cli.lan = std::vector<std::string>{"lan2"};
	EXPECT_EQ(merge_options("eth0", file, cli).lan, (std::vector<std::string>{"lan2"}));
	auto message = [](std::vector<std::string> lan) {
		AttachRequest r;
		r.lan = lan;
		try {
			merge_options("eth0", r, {});
		} catch (const Error &e) {
			return std::string(e.what());
		}
		return std::string("(accepted)");
	};
	EXPECT_EQ(message({"eth0"}), "lan: eth0 is the interface attached to; a LAN interface is "
				     "another one (where the site's IPv6 hosts are)");
	EXPECT_EQ(message({"lan0", "lan0"}), "lan: lan0 is given twice");
	EXPECT_EQ(message({""}), "lan: '' is not an interface name");
	EXPECT_EQ(message({"a-very-long-name0"}), "lan: 'a-very-long-name0' is not an interface name");
}

TEST(MergeOptions, CommandLineWinsFieldByField)
{
	AttachRequest file;
	file.locals = {ip(192, 0, 2, 1)};
	file.mode = Mode::relay;
	file.relay = ip(203, 0, 113, 1);
	file.ttl = 33;
	file.xdp_mode = XdpMode::generic;
	AttachRequest cli;
	cli.ttl = 44;
	cli.locals = {ip(198, 51, 100, 1), ip(198, 51, 100, 2)};
	AttachOptions o = merge_options("eth0", file, cli);
	EXPECT_EQ(o.ttl, 44);
	EXPECT_THAT(o.locals, ElementsAre(ip(198, 51, 100, 1), ip(198, 51, 100, 2)));
	EXPECT_EQ(o.mode, Mode::relay);
	EXPECT_EQ(o.relay, ip(203, 0, 113, 1));
	EXPECT_EQ(o.xdp_mode, XdpMode::generic);
}

TEST(MergeOptions, FiltersAreConcatenated)
{
	AttachRequest file, cli;
	file.allow = {{ip(198, 51, 100, 0), 24}};
	file.deny = {{ip(198, 51, 100, 128), 25}};
	cli.deny = {{ip(203, 0, 113, 0), 24}};
	AttachOptions o = merge_options("eth0", file, cli);
	EXPECT_THAT(o.allow, ElementsAre(Ipv4Prefix{ip(198, 51, 100, 0), 24}));
	EXPECT_THAT(o.deny, ElementsAre(Ipv4Prefix{ip(198, 51, 100, 128), 25},
					Ipv4Prefix{ip(203, 0, 113, 0), 24}));
}

TEST(MergeOptions, TtlRange)
{
	for (unsigned ttl : {1u, 64u, 255u}) {
		AttachRequest cli;
		cli.ttl = ttl;
		EXPECT_EQ(merge_options("eth0", {}, cli).ttl, ttl);
	}
	for (unsigned ttl : {0u, 256u, 100000u}) {
		AttachRequest cli;
		cli.ttl = ttl;
		EXPECT_THAT(merge_error({}, cli), HasSubstr("out of range (1 to 255)"));
	}
}

TEST(MergeOptions, AtMostMaxLocals)
{
	std::vector<uint32_t> locals;
	for (unsigned i = 1; i <= STF_MAX_LOCAL; i++)
		locals.push_back(ip(198, 51, 100, i));
	EXPECT_EQ(merge_options("eth0", {}, with_locals(locals)).locals.size(), size_t{STF_MAX_LOCAL});
	locals.push_back(ip(198, 51, 100, 99));
	EXPECT_THAT(merge_error({}, with_locals(locals)), HasSubstr("at most 8 local addresses"));
}

TEST(MergeOptions, NoDuplicateLocals)
{
	EXPECT_EQ(merge_error({}, with_locals({ip(192, 0, 2, 1), ip(192, 0, 2, 1)})),
		  "local address 192.0.2.1 is given twice");
}

TEST(MergeOptions, LocalsMustBeUnicast)
{
	EXPECT_THAT(merge_error({}, with_locals({ip(127, 0, 0, 1)})),
		    HasSubstr("local address 127.0.0.1 is loopback"));
	EXPECT_THAT(merge_error({}, with_locals({ip(192, 0, 2, 1), ip(224, 0, 0, 5)})),
		    HasSubstr("224.0.0.5 is multicast"));
}

TEST(MergeOptions, PrivateOnlyWithPermitFromEitherSource)
{
	AttachRequest cli = with_locals({ip(10, 0, 0, 1)});
	EXPECT_THAT(merge_error({}, cli), HasSubstr("private"));

	AttachRequest file;
	file.permit_private = true;
	EXPECT_NO_THROW(merge_options("eth0", file, cli));
	cli.permit_private = true;
	EXPECT_TRUE(merge_options("eth0", {}, cli).permit_private);
}

TEST(MergeOptions, RelayMustBeUnicast)
{
	AttachRequest cli;
	cli.relay = ip(255, 255, 255, 255);
	EXPECT_THAT(merge_error({}, cli), HasSubstr("relay 255.255.255.255 is reserved"));
	cli.relay = ip(192, 168, 0, 1);
	EXPECT_THAT(merge_error({}, cli), HasSubstr("relay 192.168.0.1 is private"));
	cli.permit_private = true;
	EXPECT_NO_THROW(merge_options("eth0", {}, cli));
}

TEST(MergeOptions, RelayRejectedInReturnRelayMode)
{
	AttachRequest file, cli;
	file.relay = ip(203, 0, 113, 1);
	cli.mode = Mode::return_relay;
	EXPECT_THAT(merge_error(file, cli), HasSubstr("a relay has no use in return-relay mode"));
	cli.mode = Mode::relay;
	EXPECT_NO_THROW(merge_options("eth0", file, cli));
}

TEST(MergeOptions, RelayIsNotOneOfOurs)
{
	AttachRequest cli = with_locals({ip(192, 0, 2, 1)});
	cli.relay = ip(192, 0, 2, 1);
	EXPECT_THAT(merge_error({}, cli), HasSubstr("is one of the local addresses"));
}

TEST(MergeOptions, NoDuplicateFilters)
{
	AttachRequest file, cli;
	file.deny = {{ip(203, 0, 113, 0), 24}};
	cli.deny = {{ip(203, 0, 113, 0), 24}};
	EXPECT_EQ(merge_error(file, cli), "filter deny 203.0.113.0/24 is given twice");
	// The same prefix in allow and deny contradicts itself (deny would silently win).
	cli.deny.clear();
	cli.allow = {{ip(203, 0, 113, 0), 24}};
	EXPECT_EQ(merge_error(file, cli), "filter 203.0.113.0/24 would be in both allow and deny "
					  "(deny wins); a source cannot be both");
	// Overlapping is not the same: deny a /25 inside an allowed /24.
	cli.allow = {{ip(203, 0, 113, 0), 25}};
	EXPECT_NO_THROW(merge_options("eth0", file, cli));
	// Relay and exception lists may share a prefix: neither contradicts the other.
	AttachRequest f2, c2;
	f2.relays = {{ip(203, 0, 113, 0), 24}};
	c2.exceptions = {{ip(203, 0, 113, 0), 24}};
	EXPECT_NO_THROW(merge_options("eth0", f2, c2));
}

} // namespace
} // namespace stf
