// The decapsulator's fast path (bpf/lib/forward.h) through BPF_PROG_TEST_RUN, run as received
// on the attached interface (veth0). The namespace's lan0 (harness.h) is the LAN: a forwarded
// packet must come out as the kernel would forward it (hop limit - 1, the FIB's MACs, trimmed
// to the inner packet) with decap and fast_forward both counted; everything the fast path
// cannot decide must come out exactly as the slow path's tunnel frame, counted as decap only.
#include <linux/bpf.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "decap_cases.h"
#include "harness.h"
#include "packet.h"

namespace {

using namespace pkt;
using namespace decapt;

struct FastCase {
	std::string name;
	std::string description;
	Tun tun;
	bool fast = false;                                 // forwarded from XDP, or the slow path
	std::function<void(stf_config &)> tweak;           // may be empty
	bool from_wire = true;                             // ingress veth0, or lo (the slow path's run)
};

void PrintTo(const FastCase &c, std::ostream *os) { *os << c.name << " (" << c.description << ")"; }

Tun to(const char *dst, uint8_t hop_limit = 63)
{
	Tun t;
	t.inner.dst = ip6(dst);
	t.inner.hop_limit = hop_limit;
	return t;
}

// An inner packet of exactly `len` bytes (40 + an ICMPv6 echo of len - 40).
Tun sized(size_t len)
{
	Tun t = to("2002:c000:201:7::20");
	t.l4 = icmpv6_echo(t.inner, 0x77, 1, pattern(len - kIpv6Len - 8));
	return t;
}

// What the kernel would put on lan0 for t: the next hop's link header, one hop spent, no
// trailer.
Bytes forwarded(const Tun &t)
{
	Ipv6 in6 = t.inner;
	in6.hop_limit--;
	Eth e{stft::g_net.lan_host_mac, stft::g_net.lan_mac, kEthIpv6};
	return eth(e, ipv6(in6, t.l4_bytes()));
}

void fast_off(stf_config &c) { c.flags &= ~STF_F_FAST_PATH; }

std::vector<FastCase> table()
{
	std::vector<FastCase> t;
	t.push_back({"forward", "2002:c000:201:7::20 is on lan0, neighbour known", to("2002:c000:201:7::20"), true});
	Tun trailer = to("2002:c000:201:7::20");
	trailer.trailer = pattern(6, 0xa0);
	t.push_back({"forward_trims_trailer", "link padding is not forwarded (the kernel trims it)", trailer, true});
	t.push_back({"forward_hop_limit_2", "hop limit 2 leaves with 1", to("2002:c000:201:7::20", 2), true});
	t.push_back({"forward_mtu_exact", "1400 bytes on a 1400-byte MTU fit", sized(1400), true});
	t.push_back({"switch_off", "the same packet, fast path off", to("2002:c000:201:7::20"), false, fast_off});
	t.push_back({"slow_path_rerun", "the slow path service's run (from lo) stays a tunnel frame",
		     to("2002:c000:201:7::20"), false, nullptr, false});
	t.push_back({"hop_limit_1", "expires here: the kernel sends Time Exceeded", to("2002:c000:201:7::20", 1), false});
	t.push_back({"too_big", "1401 bytes on a 1400-byte MTU: the kernel sends Packet Too Big", sized(1401), false});
	t.push_back({"no_neighbour", "2002:c000:201:8::20, routed, not resolved", to("2002:c000:201:8::20"), false});
	t.push_back({"local", "2002:c000:201:9::1 is local: delivered by the kernel", to("2002:c000:201:9::1"), false});
	t.push_back({"unreachable", "an unreachable route: the kernel answers", to("2002:c000:201:a::1"), false});
	t.push_back({"back_into_tunnel", "routed into the tunnel device: the encapsulator decides",
		     to("2002:c000:201:99::20"), false});
	Tun hbh = to("2002:c000:201:7::20");
	hbh.inner.next_header = 0;
	hbh.l4 = Bytes{58, 0, 5, 2, 0, 0, 1, 0}; // router alert, then (nothing of) ICMPv6
	t.push_back({"hop_by_hop", "hop-by-hop options are the kernel's to read", hbh, false});
	return t;
}

const bool kDeclared = [] {
	stft::declare_expected(STF_C_decap);
	return true;
}();

class FastPath : public ::testing::TestWithParam<FastCase> {};

TEST_P(FastPath, Run)
{
	const FastCase &c = GetParam();
	SCOPED_TRACE(c.description);
	stf_config cfg = stft::tunnel_base_config();
	cfg.n_local = 1;
	cfg.local[0] = stft::be32(kLocal);
	cfg.flags |= STF_F_FAST_PATH;
	if (c.tweak)
		c.tweak(cfg);
	ASSERT_TRUE(stft::write_config(cfg));
	ASSERT_TRUE(stft::write_filters({}, {}));

	const Bytes in = c.tun.frame();
	const auto before = stft::read_counters();
	const stft::RunResult r = c.from_wire ? stft::run_xdp_from(in, stft::g_net.uplink)
					      : stft::run_xdp(in);
	const auto after = stft::read_counters();

	ASSERT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN failed: " << std::strerror(-r.err);
	EXPECT_EQ(r.retval, uint32_t(XDP_REDIRECT));
	const Bytes want = c.fast ? forwarded(c.tun) : c.tun.decapped();
	EXPECT_TRUE(r.out == want) << "output bytes: " << diff(want, r.out);
	for (uint32_t i = 0; i < STF_COUNTER_COUNT_; i++) {
		const bool moves = i == STF_C_decap || (c.fast && i == STF_C_fast_forward);
		EXPECT_EQ(after[i].packets - before[i].packets, moves ? 1u : 0u) << stft::counter_name(i);
		EXPECT_EQ(after[i].bytes - before[i].bytes, moves ? in.size() : 0u) << stft::counter_name(i);
	}
	if (!::testing::Test::HasFailure())
		stft::record_hit(STF_C_decap);
}

INSTANTIATE_TEST_SUITE_P(Fast, FastPath, ::testing::ValuesIn(table()),
			 [](const ::testing::TestParamInfo<FastCase> &info) { return info.param.name; });

} // namespace
