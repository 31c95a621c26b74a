// The monitor's side of the counter helper (bpf/lib/events.h) through BPF_PROG_TEST_RUN: which
// verdicts reach the ring buffer (DROP reasons only, only under a live lease, within the
// rate), what an event holds (reason, program, interface, outer and inner addresses,
// length), and that with the gate off the rate-limit state is not even touched.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>
#include <time.h>

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "packet.h"
#include "stf.skel.h"

namespace {

using namespace pkt;

const uint32_t kLocal = ip4("192.0.2.1");
const uint32_t kPeer = ip4("203.0.113.9");

uint64_t monotonic_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
}

// A 6to4 frame from kPeer to kLocal; `spoof` makes its inner source another site's.
Bytes tunnel_frame(bool spoof, uint8_t outer_version = 4)
{
	Ipv6 in;
	in.src = addr_6to4(spoof ? ip4("198.51.100.7") : kPeer, 1, 0x10);
	in.dst = addr_6to4(kLocal, 7, 0x20);
	Ipv4 out;
	out.version = outer_version;
	out.src = kPeer;
	out.dst = kLocal;
	Eth l2{mac("02:00:00:00:00:01"), mac("02:00:00:00:00:fe"), kEthIpv4};
	return eth(l2, ipv4(out, ipv6(in, icmpv6_echo(in, 1, 1, pattern(24)))));
}

class Monitor : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_NE(stft::skel(), nullptr);
		stf_config cfg = stft::tunnel_base_config();
		cfg.n_local = 1;
		cfg.local[0] = stft::be32(kLocal);
		ASSERT_TRUE(stft::write_config(cfg));
		ASSERT_TRUE(stft::write_filters({}, {}));
		ifindex_ = cfg.ifindex;
		ring_ = ring_buffer__new(bpf_map__fd(stft::skel()->maps.stf_events_v1), on_event,
					 &events_, nullptr);
		ASSERT_NE(ring_, nullptr);
		drain(); // what earlier tests in this process left
		set_lease(0, 0);
		// A fresh window and zero counts on every CPU.
		std::vector<stf_event_rate> zero(static_cast<size_t>(libbpf_num_possible_cpus()));
		__u32 key = 0;
		ASSERT_EQ(bpf_map_update_elem(rate_fd(), &key, zero.data(), BPF_ANY), 0);
	}
	void TearDown() override
	{
		set_lease(0, 0);
		ring_buffer__free(ring_);
	}

	static int on_event(void *ctx, void *data, size_t size)
	{
		EXPECT_EQ(size, sizeof(stf_event));
		auto *v = static_cast<std::vector<stf_event> *>(ctx);
		v->push_back(*static_cast<const stf_event *>(data));
		return 0;
	}
	std::vector<stf_event> drain()
	{
		events_.clear();
		EXPECT_GE(ring_buffer__consume(ring_), 0);
		return events_;
	}
	void set_lease(uint64_t lease_ns, uint32_t rate)
	{
		stf_monitor m{lease_ns, rate, 1};
		__u32 key = 0;
		ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(stft::skel()->maps.stf_monitor_v1), &key,
					      &m, BPF_ANY),
			  0);
	}
	static int rate_fd() { return bpf_map__fd(stft::skel()->maps.stf_evrate_v1); }
	// Summed over CPUs: suppressed, lost, and whether any CPU opened a window.
	stf_event_rate rate_state()
	{
		std::vector<stf_event_rate> v(static_cast<size_t>(libbpf_num_possible_cpus()));
		__u32 key = 0;
		EXPECT_EQ(bpf_map_lookup_elem(rate_fd(), &key, v.data()), 0);
		stf_event_rate sum{};
		for (const auto &r : v) {
			sum.window_ns |= r.window_ns;
			sum.sent += r.sent;
			sum.suppressed += r.suppressed;
			sum.lost += r.lost;
		}
		return sum;
	}
	void live(uint32_t rate = 100) { set_lease(monotonic_ns() + 60ull * 1000000000, rate); }

	uint32_t ifindex_ = 0;
	ring_buffer *ring_ = nullptr;
	std::vector<stf_event> events_;
};

TEST_F(Monitor, GateOffReportsNothingAndTouchesNoRateState)
{
	ASSERT_EQ(stft::run_xdp(tunnel_frame(true)).retval, XDP_DROP);
	EXPECT_TRUE(drain().empty());
	stf_event_rate r = rate_state();
	EXPECT_EQ(r.window_ns, 0u) << "the drop path went past the gate";
	EXPECT_EQ(r.suppressed + r.lost + r.sent, 0u);
}

TEST_F(Monitor, ExpiredLeaseReportsNothing)
{
	set_lease(monotonic_ns() - 1, 100); // a killed monitor's lease, run out
	ASSERT_EQ(stft::run_xdp(tunnel_frame(true)).retval, XDP_DROP);
	EXPECT_TRUE(drain().empty());
	EXPECT_EQ(rate_state().window_ns, 0u);
}

TEST_F(Monitor, DecapDropEventHoldsReasonAndAddresses)
{
	live();
	const Bytes f = tunnel_frame(true);
	const uint64_t t0 = monotonic_ns();
	ASSERT_EQ(stft::run_xdp(f).retval, XDP_DROP);
	std::vector<stf_event> ev = drain();
	ASSERT_EQ(ev.size(), 1u);
	const stf_event &e = ev[0];
	EXPECT_EQ(e.reason, STF_C_inner_src_spoofed);
	EXPECT_EQ(e.prog, STF_EV_DECAP);
	EXPECT_EQ(e.flags, STF_EV_OUTER | STF_EV_INNER);
	EXPECT_EQ(e.ifindex, ifindex_);
	EXPECT_EQ(e.len, f.size());
	EXPECT_GE(e.time_ns, t0);
	EXPECT_EQ(e.outer_src, htonl(kPeer));
	EXPECT_EQ(e.outer_dst, htonl(kLocal));
	const In6 src = addr_6to4(ip4("198.51.100.7"), 1, 0x10), dst = addr_6to4(kLocal, 7, 0x20);
	EXPECT_EQ(std::memcmp(e.inner_src, src.data(), 16), 0);
	EXPECT_EQ(std::memcmp(e.inner_dst, dst.data(), 16), 0);
}

TEST_F(Monitor, OnlyDropsAreReported)
{
	live();
	ASSERT_EQ(stft::run_xdp(tunnel_frame(false)).retval, XDP_REDIRECT); // decap
	Bytes frag = tunnel_frame(false);
	frag[kEthLen + 6] = 0x20; // MF: pass_fragment
	frag[kEthLen + 10] = frag[kEthLen + 11] = 0;
	uint16_t sum = csum_fold(csum_add(frag.data() + kEthLen, kIpv4Len));
	put16(frag, kEthLen + 10, sum);
	ASSERT_EQ(stft::run_xdp(frag).retval, XDP_PASS);
	EXPECT_TRUE(drain().empty()) << "a decapsulated or passed packet reached the monitor";
	EXPECT_EQ(rate_state().window_ns, 0u);
}

TEST_F(Monitor, OuterOnlyWhenTheInnerHeaderIsNotThere)
{
	live();
	Bytes f = tunnel_frame(false, 5); // outer_bad_version, and no IPv4 header behind it
	f.resize(kEthLen + kIpv4Len);
	ASSERT_EQ(stft::run_xdp(f).retval, XDP_DROP);
	std::vector<stf_event> ev = drain();
	ASSERT_EQ(ev.size(), 1u);
	EXPECT_EQ(ev[0].reason, STF_C_outer_bad_version);
	EXPECT_EQ(ev[0].flags, STF_EV_OUTER);
}

TEST_F(Monitor, RateLimitCountsTheRestAsSuppressed)
{
	live(2);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(stft::run_xdp(tunnel_frame(true)).retval, XDP_DROP);
	EXPECT_EQ(drain().size(), 2u);
	stf_event_rate r = rate_state();
	EXPECT_EQ(r.suppressed, 3u);
	EXPECT_EQ(r.lost, 0u);
}

TEST_F(Monitor, EncapDropsBeforeAndAfterThePush)
{
	live();
	__sk_buff ctx{};
	ctx.ifindex = stft::g_net.tunnel;
	Eth l2{mac("02:00:00:00:00:aa"), mac("02:00:00:00:00:bb"), kEthIpv6};
	Ipv6 ip;
	ip.src = addr_6to4(kLocal, 3, 0x30);
	ip.dst = ip6("ff02::1"); // encap_inner_multicast: dropped before any outer header
	ASSERT_EQ(stft::run_tc(eth(l2, ipv6(ip, icmpv6_echo(ip, 1, 1, pattern(8)))), ctx).retval,
		  uint32_t(TC_ACT_SHOT));
	// 198.51.100.33 has an unreachable route: encap_no_route, after the outer header is on.
	const uint32_t unreachable = ip4("198.51.100.33");
	ip.dst = addr_6to4(unreachable, 0, 1);
	ASSERT_EQ(stft::run_tc(eth(l2, ipv6(ip, icmpv6_echo(ip, 1, 1, pattern(8)))), ctx).retval,
		  uint32_t(TC_ACT_SHOT));
	std::vector<stf_event> ev = drain();
	ASSERT_EQ(ev.size(), 2u);
	EXPECT_EQ(ev[0].reason, STF_C_encap_inner_multicast);
	EXPECT_EQ(ev[0].prog, STF_EV_ENCAP);
	EXPECT_EQ(ev[0].flags, STF_EV_INNER);
	EXPECT_EQ(ev[1].reason, STF_C_encap_no_route);
	EXPECT_EQ(ev[1].flags, STF_EV_OUTER | STF_EV_INNER);
	EXPECT_EQ(ev[1].outer_src, htonl(kLocal));
	EXPECT_EQ(ev[1].outer_dst, htonl(unreachable));
	EXPECT_EQ(std::memcmp(ev[1].inner_dst, ip.dst.data(), 16), 0);
}

} // namespace
