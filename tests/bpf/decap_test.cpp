// stf_decap (XDP) through BPF_PROG_TEST_RUN: one table of {input frame, config, verdict,
// expected output, expected counter}, in the style of katran's XdpDecapTestFixtures.h.
//
// Every case checks, byte for byte, what the program hands on: the untouched frame for
// XDP_PASS-unchanged and XDP_DROP, and for a decapsulation the inner IPv6 packet behind the
// moved Ethernet header with type 0x86DD (and the RFC 6040 ECN field applied). Every case
// also checks the whole counter map: exactly its counter moved, by one packet of the frame's
// length, or nothing moved at all for traffic that is not ours.
#include <linux/bpf.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "packet.h"

#include "decap_cases.h"

namespace {

using namespace pkt;
using namespace decapt;

std::vector<DecapCase> build_table()
{
	std::vector<DecapCase> t;
	add_header_cases(t);
	add_policy_cases(t);
	// decap_adjust_failed cannot be triggered: see stft::untriggerable() (harness.cpp).
	return t;
}

const std::vector<DecapCase> &table()
{
	static const std::vector<DecapCase> t = build_table();
	return t;
}

// Declared at static initialisation, so the coverage test sees them under any filter.
const bool kDeclared = [] {
	for (const auto &c : table())
		if (c.counter)
			stft::declare_expected(*c.counter);
	return true;
}();

stf_config base_config()
{
	stf_config c = stft::tunnel_base_config();
	c.n_local = 2;
	c.local[0] = stft::be32(kLocal);
	c.local[1] = stft::be32(kLocal2);
	c.n_bcast = 2;
	c.bcast[0] = stft::be32(kBcast);
	c.bcast[1] = stft::be32(ip4("198.51.100.255"));
	return c;
}


class DecapTable : public ::testing::TestWithParam<DecapCase> {};

TEST_P(DecapTable, Run)
{
	const DecapCase &c = GetParam();
	SCOPED_TRACE(c.description);
	ASSERT_NE(stft::skel(), nullptr);

	stf_config cfg = base_config();
	if (c.tweak)
		c.tweak(cfg);
	ASSERT_TRUE(stft::write_config(cfg));
	ASSERT_TRUE(stft::write_filters(c.allow, c.deny, c.relays, c.except));

	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_xdp(c.input);
	const auto after = stft::read_counters();

	ASSERT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN failed: " << std::strerror(-r.err);
	EXPECT_EQ(r.retval, c.verdict) << "XDP verdict (1 = DROP, 2 = PASS, 4 = REDIRECT)";
	const Bytes &want = c.out == Out::Exact ? c.expected : c.input;
	EXPECT_TRUE(r.out == want) << "output bytes: " << diff(want, r.out);

	stft::expect_counter_delta(before, after, c.counter, c.input.size());
	// Only a case that passed every check counts towards coverage.
	if (!::testing::Test::HasFailure() && c.counter)
		stft::record_hit(*c.counter);
}

INSTANTIATE_TEST_SUITE_P(Decap, DecapTable, ::testing::ValuesIn(table()),
			 [](const ::testing::TestParamInfo<DecapCase> &info) { return info.param.name; });

// With IPv4 forwarding off on the tunnel device (someone turned it off after attach), the FIB
// helper refuses every lookup: the source cannot be checked, so nothing is decapsulated.
TEST(DecapFib, ForwardingOffOnTheTunnelFailsClosed)
{
	stf_config cfg = base_config();
	ASSERT_TRUE(stft::write_config(cfg));
	ASSERT_TRUE(stft::write_filters({}, {}));
	const Bytes in = Tun{}.frame();
	ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/stft0/forwarding", "0"));
	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_xdp(in);
	const auto after = stft::read_counters();
	ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/stft0/forwarding", "1"));
	ASSERT_EQ(r.err, 0);
	EXPECT_EQ(r.retval, uint32_t(XDP_DROP));
	EXPECT_TRUE(r.out == in) << diff(in, r.out);
	stft::expect_counter_delta(before, after, STF_C_decap_fib_failed, in.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(STF_C_decap_fib_failed);
}
const bool kFibDeclared = [] {
	stft::declare_expected(STF_C_decap_fib_failed);
	return true;
}();

// The table itself: names unique (gtest needs it), every reason in the contract's range.
TEST(DecapTableSanity, WellFormed)
{
	std::set<std::string> names;
	for (const auto &c : table()) {
		EXPECT_TRUE(names.insert(c.name).second) << "duplicate case name " << c.name;
		if (c.counter) {
			EXPECT_LT(*c.counter, uint32_t(STF_COUNTER_COUNT_)) << c.name;
		}
		EXPECT_GE(c.input.size(), kEthLen) << c.name << ": XDP test runs need >= 14 bytes";
	}
	EXPECT_GT(table().size(), 100u);
}

} // namespace
