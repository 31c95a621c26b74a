// stf_encap (tc) through BPF_PROG_TEST_RUN with a struct __sk_buff context, against the
// private namespace of main.cpp: veth0 192.0.2.1/24, default via 192.0.2.254 whose MAC
// (02:00:00:00:00:fe) is a permanent neighbour, so the FIB lookup resolves it.
//
// A successful case is compared byte for byte with an outer header built independently by
// packet.cpp: Ethernet dst = the next hop's MAC, src = veth0's MAC, type 0x0800; IPv4 version
// 4, IHL 5, TOS = inner traffic class, total length, DF clear, TTL = cfg.ttl, protocol 41, the
// expected addresses and a checksum computed here. The IP ID is random: it is read from the
// output and fed into the expected header, so the checksum comparison proves it was summed.
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "stf.skel.h"
#include "encap_cases.h"
#include "packet.h"

namespace {

using namespace encapt;

const bool kDeclared = [] {
	for (const auto &c : table())
		stft::declare_expected(c.counter);
	return true;
}();

class EncapTable : public ::testing::TestWithParam<EncapCase> {};

TEST_P(EncapTable, Run)
{
	const EncapCase &c = GetParam();
	SCOPED_TRACE(c.description);
	ASSERT_NE(stft::skel(), nullptr);

	stf_config cfg = base_config();
	if (c.tweak)
		c.tweak(cfg);
	ASSERT_TRUE(stft::write_config(cfg));
	__sk_buff ctx = base_ctx();
	if (c.ctx_tweak)
		c.ctx_tweak(ctx);

	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_tc(c.input, ctx);
	const auto after = stft::read_counters();

	ASSERT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN failed: " << std::strerror(-r.err);
	EXPECT_EQ(r.retval, c.action) << "tc action (2 = SHOT, 7 = REDIRECT)";
	switch (c.out) {
	case Out::Unchanged:
		EXPECT_TRUE(r.out == c.input) << "output bytes: " << diff(c.input, r.out);
		break;
	case Out::Encap: {
		ASSERT_GE(r.out.size(), kEthLen + kIpv4Len) << hexdump(r.out);
		const Bytes want = expected_encap(c, get16(r.out, kEthLen + 4));
		EXPECT_TRUE(r.out == want) << "output bytes: " << diff(want, r.out);
		// The same in words, for a reader of a failure: a valid header sums to 0xffff.
		EXPECT_EQ(csum_fold(csum_add(r.out.data() + kEthLen, kIpv4Len)), 0)
			<< "outer IPv4 checksum does not verify";
		break;
	}
	case Out::Ignored:
		break;
	}

	stft::expect_counter_delta(before, after, c.counter, c.input.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(c.counter);
}

INSTANTIATE_TEST_SUITE_P(Encap, EncapTable, ::testing::ValuesIn(table()),
			 [](const ::testing::TestParamInfo<EncapCase> &info) { return info.param.name; });

TEST(EncapTableSanity, WellFormed)
{
	std::set<std::string> names;
	for (const auto &c : table()) {
		EXPECT_TRUE(names.insert(c.name).second) << "duplicate case name " << c.name;
		EXPECT_LT(c.counter, uint32_t(STF_COUNTER_COUNT_)) << c.name;
		EXPECT_GE(c.input.size(), kEthLen) << c.name << ": tc test runs need >= 14 bytes";
	}
	EXPECT_GT(table().size(), 40u);
}

// The outer IP ID is random per packet (DF is clear, so it must be real, RFC 6864): four
// runs of the same packet must not all carry the same ID (false alarm odds: 2^-48).
TEST(EncapIpId, RandomPerPacket)
{
	stf_config cfg = base_config();
	ASSERT_TRUE(stft::write_config(cfg));
	std::set<uint16_t> ids;
	const Bytes in = Six{}.frame();
	for (int i = 0; i < 4; i++) {
		const stft::RunResult r = stft::run_tc(in, base_ctx());
		ASSERT_EQ(r.err, 0);
		ASSERT_EQ(r.retval, uint32_t(TC_ACT_REDIRECT));
		ASSERT_GE(r.out.size(), kEthLen + kIpv4Len);
		ids.insert(get16(r.out, kEthLen + 4));
		// Whatever the ID, the checksum covers it.
		EXPECT_EQ(csum_fold(csum_add(r.out.data() + kEthLen, kIpv4Len)), 0);
	}
	EXPECT_GT(ids.size(), 1u) << "the outer IP ID did not change over 4 packets";
}

// The FIB is asked from the tunnel device (forwarding on there), so IPv4 forwarding off on
// the attached interface (a server's usual state, the return-relay case) changes nothing:
// the next hop is resolved and the MACs written either way.
TEST(EncapForwarding, ForwardingOffOnTheInterfaceDoesNotMatter)
{
	stf_config cfg = base_config();
	cfg.ifindex = stft::g_net.nofwd;
	ASSERT_TRUE(stft::write_config(cfg));
	Six s = to(addr_6to4(ip4("198.51.100.200"), 0, 1));
	const Bytes in = s.frame();
	const EncapCase c = encap("", "", s, kLocal, ip4("198.51.100.200"))
				    .macs(mac("02:00:00:00:00:3e"), mac("02:00:00:00:00:31"));
	for (const char *fwd : {"0", "1"}) {
		SCOPED_TRACE(std::string("nofwd0 forwarding ") + fwd);
		ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/nofwd0/forwarding", fwd));
		const auto before = stft::read_counters();
		const stft::RunResult r = stft::run_tc(in, base_ctx());
		const auto after = stft::read_counters();
		ASSERT_EQ(r.err, 0);
		EXPECT_EQ(r.retval, uint32_t(TC_ACT_REDIRECT));
		stft::expect_counter_delta(before, after, STF_C_encap, in.size());
		ASSERT_GE(r.out.size(), kEthLen + kIpv4Len);
		const Bytes want = expected_encap(c, get16(r.out, kEthLen + 4));
		EXPECT_TRUE(r.out == want) << diff(want, r.out);
	}
	EXPECT_TRUE(stft::write_sysctl("net/ipv4/conf/nofwd0/forwarding", "0"));
}

// With IPv4 forwarding off on the tunnel device itself, no lookup is possible: whether the
// destination is one of our addresses cannot be known, so nothing is sent.
TEST(EncapFib, ForwardingOffOnTheTunnelFailsClosed)
{
	ASSERT_TRUE(stft::write_config(base_config()));
	const Bytes in = Six{}.frame();
	ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/stft0/forwarding", "0"));
	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_tc(in, base_ctx());
	const auto after = stft::read_counters();
	ASSERT_TRUE(stft::write_sysctl("net/ipv4/conf/stft0/forwarding", "1"));
	ASSERT_EQ(r.err, 0);
	EXPECT_EQ(r.retval, uint32_t(TC_ACT_SHOT));
	stft::expect_counter_delta(before, after, STF_C_encap_fib_failed, in.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(STF_C_encap_fib_failed);
}
const bool kFibDeclared = [] {
	stft::declare_expected(STF_C_encap_fib_failed);
	return true;
}();

} // namespace
