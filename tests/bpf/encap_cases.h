// The encap table's vocabulary, shared by the table (encap_cases.cpp) and the tests that run
// it (encap_test.cpp) or reuse its packets and expectations (encap_live_test.cpp): the
// editable IPv6 packet, the case record, its builders, and the frame a correct encapsulation
// produces.
#pragma once

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness.h"
#include "packet.h"

namespace encapt {

using namespace pkt;

// Addresses (documentation ranges): constexpr, not ip4(), since the table may be built during
// another file's static initialisation.
constexpr uint32_t kLocal = 0xc0000201;  // 192.0.2.1: veth0's address, local[0]
constexpr uint32_t kLocal2 = 0xc6336414; // 198.51.100.20: local[1]
constexpr uint32_t kPeer = 0xcb007109;   // 203.0.113.9: a 6to4 site behind the default route
constexpr uint32_t kRelay = 0xc6336463;  // 198.51.100.99: the configured relay
constexpr uint32_t kBcast = 0xc00002ff;  // 192.0.2.255: veth0's subnet broadcast
// A configured broadcast the kernel does not know as one (reached via the default route),
// so the program's own check is what stops it.
constexpr uint32_t kBcast2 = 0xcb0071ff; // 203.0.113.255
constexpr uint8_t kTtl = 37; // not the default, so the test sees it comes from the config

constexpr Mac kTunDst = {0x02, 0, 0, 0, 0, 0xaa}; // whatever the tunnel device wrote
constexpr Mac kTunSrc = {0x02, 0, 0, 0, 0, 0xbb};
constexpr Mac kGatewayMac = {0x02, 0, 0, 0, 0, 0xfe}; // the default gateway's (main.cpp)
constexpr Mac kUplinkMac = {0x02, 0, 0, 0, 0, 0x01};  // veth0's

// An IPv6 packet as routed into the tunnel device.
struct Six {
	Eth l2{kTunDst, kTunSrc, kEthIpv6};
	Ipv6 ip;
	std::optional<Bytes> l4;

	Six()
	{
		ip.src = addr_6to4(kLocal, 3, 0x30);
		ip.dst = addr_6to4(kPeer, 4, 0x40);
		ip.flow = 0x12345;
		ip.hop_limit = 61;
	}
	Bytes l4_bytes() const { return l4 ? *l4 : icmpv6_echo(ip, 0x99, 7, pattern(32)); }
	Bytes packet() const { return ipv6(ip, l4_bytes()); }
	Bytes frame() const { return eth(l2, packet()); }
};

template <typename F> Six with(F f)
{
	Six s;
	f(s);
	return s;
}

inline Six to(const In6 &dst)
{
	Six s;
	s.ip.dst = dst;
	return s;
}

enum class Out {
	Unchanged, // dropped before the program touched the packet
	Encap,     // encapsulated: compared byte for byte (IP ID from the output)
	Ignored,   // dropped after encapsulation: the bytes are never sent, so not compared
};

struct EncapCase {
	std::string name;
	std::string description;
	Bytes input;
	std::function<void(stf_config &)> tweak;
	std::function<void(__sk_buff &)> ctx_tweak;
	uint32_t action = TC_ACT_SHOT;
	Out out = Out::Unchanged;
	// Out::Encap: the expected outer header; the MACs default to the gateway and veth0,
	// nullopt = left as they came in (bpf_redirect_neigh fills them in later).
	uint32_t src = 0, dst = 0;
	uint8_t tos = 0, ttl = kTtl;
	std::optional<Mac> dmac, smac;
	Bytes inner; // the IPv6 packet that must follow the outer header
	uint32_t counter = STF_C_encap;

	EncapCase &cfg(std::function<void(stf_config &)> f)
	{
		tweak = std::move(f);
		return *this;
	}
	EncapCase &ctx(std::function<void(__sk_buff &)> f)
	{
		ctx_tweak = std::move(f);
		return *this;
	}
	EncapCase &macs(std::optional<Mac> d, std::optional<Mac> s)
	{
		dmac = d;
		smac = s;
		return *this;
	}
	EncapCase &out_ttl(uint8_t t)
	{
		ttl = t;
		return *this;
	}
};

// A packet the program encapsulates from outer_src to outer_dst (MACs: gateway, veth0), or
// one it drops with reason (its bytes compared as `out` says).
EncapCase encap(std::string name, std::string desc, const Six &s, uint32_t outer_src,
		uint32_t outer_dst);
EncapCase drop(std::string name, std::string desc, const Bytes &frame, uint32_t reason,
	       Out out = Out::Unchanged);

const std::vector<EncapCase> &table();

stf_config base_config();
__sk_buff base_ctx();
// The frame a correct encapsulation produces, with `id` as the outer IP ID.
Bytes expected_encap(const EncapCase &c, uint16_t id);

// gtest prints a failing parameter with this instead of a raw byte dump.
inline void PrintTo(const EncapCase &c, std::ostream *os)
{
	*os << c.name << " (" << c.description << ")";
}

} // namespace encapt
