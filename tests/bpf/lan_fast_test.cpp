// The encapsulating fast path (bpf/lan.bpf.c, stf_lan) through BPF_PROG_TEST_RUN, as received
// on the namespace's lan0 (harness.h), which the fixture names a LAN interface in
// stf_lan_v1 and routes 2002::/16 (and 2001:db8:7700::/48, for a relay) from into the
// tunnel device stft0 at MTU 1300. What it takes must come out as stf_encap would send it
// (outer header built by packet.cpp, hop limit - 1, trimmed), counted as encap and
// fast_encap; everything else must come out XDP_PASS, byte for byte as it came, with no
// counter moved: the kernel forwards it into the tunnel and stf_encap decides and counts.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"
#include "packet.h"
#include "stf.skel.h"

namespace {

using namespace pkt;

constexpr uint32_t kLocal = 0xc0000201; // 192.0.2.1, our V4ADDR
constexpr uint32_t kPeer = 0xcb007109;  // 203.0.113.9: via 192.0.2.254, resolved
constexpr uint32_t kRelay = 0xcb007101; // 203.0.113.1: via 192.0.2.254, resolved

// An IPv6 frame from the LAN host to our lan0.
struct Lan {
	Eth l2{stft::g_net.lan_mac, stft::g_net.lan_host_mac, kEthIpv6};
	Ipv6 ip;
	Bytes data = pattern(24);
	Bytes trailer;
	std::optional<Bytes> l4; // default: an echo request carrying data

	Lan()
	{
		ip.tclass = 0xb9; // DSCP 46, ECN ECT(1): copied outward
		ip.flow = 0x12345;
		ip.hop_limit = 64;
		ip.src = addr_6to4(kLocal, 1, 0x10);
		ip.dst = addr_6to4(kPeer, 0, 0x20);
	}
	Bytes l4_bytes() const { return l4 ? *l4 : icmpv6_echo(ip, 0x77, 1, data); }
	Bytes frame() const { return cat(eth(l2, ipv6(ip, l4_bytes())), trailer); }
	size_t counted() const { return kEthLen + kIpv6Len + l4_bytes().size(); }
	// What stf_encap sends for it: outer header as encap_test.cpp's, one hop spent, trimmed.
	Bytes encapped(uint32_t dst, uint16_t id) const
	{
		Ipv6 in = ip;
		in.hop_limit--;
		Ipv4 h;
		h.tos = ip.tclass;
		h.id = id;
		h.frag_off = 0;
		h.ttl = STF_DEFAULT_TTL;
		h.protocol = kProtoIpv6;
		h.src = kLocal;
		h.dst = dst;
		return eth(Eth{stft::g_net.gateway_mac, stft::g_net.uplink_mac, kEthIpv4},
			   ipv4(h, ipv6(in, l4_bytes())));
	}
};

struct LanCase {
	std::string name;
	std::string description;
	Lan in;
	uint32_t fast_to = 0;                    // the outer destination, or 0: XDP_PASS untouched
	std::function<void(stf_config &)> tweak; // may be empty
	uint32_t ingress = 0;                    // 0: lan0
};

void PrintTo(const LanCase &c, std::ostream *os) { *os << c.name << " (" << c.description << ")"; }

Lan with(const std::function<void(Lan &)> &f)
{
	Lan l;
	f(l);
	return l;
}
Lan to(const char *dst) { return with([dst](Lan &l) { l.ip.dst = ip6(dst); }); }
Lan sized(size_t len) // an IPv6 packet of exactly len bytes
{
	return with([len](Lan &l) { l.data = pattern(len - kIpv6Len - 8); });
}
void relay(stf_config &c) { c.relay = stft::be32(kRelay); }

std::vector<LanCase> table()
{
	std::vector<LanCase> t;
	t.push_back({"encap", "2002:cb00:7109::20 via the tunnel, next hop resolved", Lan(), kPeer});
	t.push_back({"encap_trims_padding", "link padding is not sent (the kernel trims it)",
		     with([](Lan &l) { l.trailer = pattern(6, 0xa0); }), kPeer});
	t.push_back({"encap_hop_limit_2", "hop limit 2 leaves with 1",
		     with([](Lan &l) { l.ip.hop_limit = 2; }), kPeer});
	t.push_back({"encap_mtu_exact", "1300 bytes on the 1300-byte tunnel route fit", sized(1300), kPeer});
	t.push_back({"encap_relay", "native 2001:db8:7700::1 to the relay",
		     to("2001:db8:7700::1"), kRelay, relay});
	// The kernel decides: each comes out as it went in, nothing counted.
	t.push_back({"switch_off", "fast path off: the program stays and does nothing", Lan(), 0,
		     [](stf_config &c) { c.flags &= ~STF_F_FAST_PATH; }});
	t.push_back({"not_a_lan", "received on an interface not named with --lan", Lan(), 0, nullptr,
		     1 /* lo */});
	t.push_back({"other_mac", "not addressed to lan0: ip6_forward would drop it",
		     with([](Lan &l) { l.l2.dst = mac("02:00:00:00:00:99"); })});
	t.push_back({"hop_limit_1", "expires here: the kernel sends Time Exceeded",
		     with([](Lan &l) { l.ip.hop_limit = 1; })});
	t.push_back({"too_big", "1301 bytes on the 1300-byte route: the kernel sends Packet Too Big",
		     sized(1301)});
	t.push_back({"spoofed_src", "6to4 source of another site: stf_encap counts encap_src_not_local",
		     with([](Lan &l) { l.ip.src = addr_6to4(kPeer, 1, 0x10); })});
	t.push_back({"dst_own", "2002:c000:201:5::1 embeds our V4ADDR: stf_encap's encap_dst_local",
		     to("2002:c000:201:5::1")});
	t.push_back({"dst_private", "2002:a00:1::1 embeds 10.0.0.1: stf_encap's encap_dst_private",
		     to("2002:a00:1::1")});
	t.push_back({"dst_broadcast", "2002:c000:2ff::1 embeds our subnet's broadcast",
		     to("2002:c000:2ff::1")});
	t.push_back({"not_into_tunnel", "2002:c000:201:7::20 is routed out of lan0 itself",
		     to("2002:c000:201:7::20")});
	t.push_back({"unresolved_next_hop", "203.0.113.200's next hop 192.0.2.200 is not resolved",
		     to("2002:cb00:71c8::1")});
	t.push_back({"native_no_relay", "native destination, no relay: not the tunnel's",
		     to("2001:db8:7700::1")});
	t.push_back({"neighbour_solicitation", "ff02::1:ff00:20 (with a relay: past the first test)",
		     to("ff02::1:ff00:20"), 0, relay});
	t.push_back({"linklocal_src", "fe80::10 is never forwarded",
		     with([](Lan &l) { l.ip.src = ip6("fe80::10"); })});
	t.push_back({"hop_by_hop", "hop-by-hop options are the kernel's to read", with([](Lan &l) {
			     l.ip.next_header = 0;
			     l.l4 = Bytes{58, 0, 5, 2, 0, 0, 1, 0};
		     })});
	t.push_back({"short_frame", "payload length beyond the frame: ipv6_rcv drops it",
		     with([](Lan &l) { l.ip.payload_len = 200; })});
	return t;
}

class LanFast : public ::testing::TestWithParam<LanCase> {
protected:
	// Routes and the LAN entry for this test only, so no other table sees them.
	void SetUp() override
	{
		ASSERT_TRUE(stft::write_sysctl("net/ipv6/conf/lan0/forwarding", "1"));
		// As attach makes it: the tunnel device's MTU and its routes' are the same, and the
		// helper checks the device's (a route's own MTU only when locked).
		ASSERT_EQ(std::system("ip link set stft0 mtu 1300 && "
				      "ip -6 route replace 2002::/16 dev stft0 mtu 1300 && "
				      "ip -6 route replace 2001:db8:7700::/48 dev stft0 mtu 1300 && "
				      "ip route replace 203.0.113.128/25 via 192.0.2.200 dev veth0"),
			  0);
		stf_lan v{};
		std::memcpy(v.mac, stft::g_net.lan_mac.data(), sizeof(v.mac));
		ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(stft::skel()->maps.stf_lan_v1),
					      &stft::g_net.lan, &v, BPF_ANY),
			  0);
	}
	void TearDown() override
	{
		EXPECT_EQ(std::system("ip link set stft0 mtu 1500 && "
				      "ip -6 route del 2002::/16 dev stft0 && "
				      "ip -6 route del 2001:db8:7700::/48 dev stft0 && "
				      "ip route del 203.0.113.128/25"),
			  0);
		bpf_map_delete_elem(bpf_map__fd(stft::skel()->maps.stf_lan_v1), &stft::g_net.lan);
	}
};

TEST_P(LanFast, Run)
{
	const LanCase &c = GetParam();
	SCOPED_TRACE(c.description);
	stf_config cfg = stft::tunnel_base_config();
	cfg.n_local = 1;
	cfg.local[0] = stft::be32(kLocal);
	cfg.n_bcast = 1;
	cfg.bcast[0] = stft::be32(0xc00002ff); // 192.0.2.255
	cfg.flags |= STF_F_FAST_PATH;
	if (c.tweak)
		c.tweak(cfg);
	ASSERT_TRUE(stft::write_config(cfg));
	ASSERT_TRUE(stft::write_filters({}, {}));

	const Bytes in = c.in.frame();
	const auto before = stft::read_counters();
	const stft::RunResult r = stft::run_lan_from(in, c.ingress ? c.ingress : stft::g_net.lan);
	const auto after = stft::read_counters();

	ASSERT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN failed: " << std::strerror(-r.err);
	if (c.fast_to) {
		EXPECT_EQ(r.retval, uint32_t(XDP_REDIRECT));
		// The ID is random: taken from the output, the checksum then proves it was summed.
		const uint16_t id = r.out.size() > kEthLen + 6 ? get16(r.out, kEthLen + 4) : 0;
		const Bytes want = c.in.encapped(c.fast_to, id);
		EXPECT_TRUE(r.out == want) << "output bytes: " << diff(want, r.out);
	} else {
		EXPECT_EQ(r.retval, uint32_t(XDP_PASS));
		EXPECT_TRUE(r.out == in) << "output bytes: " << diff(in, r.out);
	}
	for (uint32_t i = 0; i < STF_COUNTER_COUNT_; i++) {
		const bool moves = c.fast_to && (i == STF_C_encap || i == STF_C_fast_encap);
		EXPECT_EQ(after[i].packets - before[i].packets, moves ? 1u : 0u) << stft::counter_name(i);
		EXPECT_EQ(after[i].bytes - before[i].bytes, moves ? c.in.counted() : 0u)
			<< stft::counter_name(i);
	}
}

INSTANTIATE_TEST_SUITE_P(Lan, LanFast, ::testing::ValuesIn(table()),
			 [](const ::testing::TestParamInfo<LanCase> &info) { return info.param.name; });

} // namespace
