// The decap table's vocabulary, shared by the files that build it (decap_cases_*.cpp) and
// the runner (decap_test.cpp): the editable 6to4 frame, the case record and its builders.
#pragma once

#include <linux/bpf.h>

#include <functional>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"
#include "packet.h"

namespace decapt {

using namespace pkt;
using stft::Prefix;

// Addresses (documentation ranges; RFC 1918 and friends only as packet contents).
// constexpr, not ip4(): the tables are built during static initialisation, from several files.
constexpr uint32_t kLocal = 0xc0000201;  // 192.0.2.1, our V4ADDR: 2002:c000:201::/48
constexpr uint32_t kLocal2 = 0xc6336414; // 198.51.100.20, a second V4ADDR: 2002:c633:6414::/48
constexpr uint32_t kPeer = 0xcb007109;   // 203.0.113.9, a 6to4 site: 2002:cb00:7109::/48
constexpr uint32_t kRelay = 0xc6336401;  // 198.51.100.1, a relay forwarding native IPv6 to us
constexpr uint32_t kBcast = 0xc00002ff;  // 192.0.2.255, broadcast of our connected subnet

// A 6to4 frame as it arrives on the attached interface, every layer editable.
struct Tun {
	Eth l2{mac("02:00:00:00:00:01"), mac("02:00:00:00:00:fe"), kEthIpv4};
	Ipv4 outer;
	Ipv6 inner;
	std::optional<Bytes> l4; // default: an ICMPv6 echo request matching `inner`
	Bytes trailer;           // bytes after the IPv4 packet (link padding, junk)

	Tun()
	{
		outer.src = kPeer;
		outer.dst = kLocal;
		outer.ttl = 57;
		outer.id = 0x4d2;
		inner.tclass = 0;
		inner.flow = 0x5a5a5;
		inner.hop_limit = 63;
		inner.src = addr_6to4(kPeer, 1, 0x10);
		inner.dst = addr_6to4(kLocal, 7, 0x20);
	}
	// Outer source and the 6to4 inner source that must embed it.
	Tun &from(uint32_t v4)
	{
		outer.src = v4;
		inner.src = addr_6to4(v4, 1, 0x10);
		return *this;
	}
	Bytes l4_bytes() const { return l4 ? *l4 : icmpv6_echo(inner, 0x77, 1, pattern(24)); }
	Bytes inner_bytes() const { return ipv6(inner, l4_bytes()); }
	Bytes frame() const { return cat(eth(l2, ipv4(outer, inner_bytes())), trailer); }
	// What a correct decapsulation redirects into the tunnel pair: addressed to the tunnel
	// device's MAC, from the sender's, type 0x86DD, the inner packet with its ECN field set
	// to `ecn` (or untouched), and any trailer as is.
	Bytes decapped(int ecn = -1) const
	{
		Ipv6 in6 = inner;
		if (ecn >= 0)
			in6.tclass = uint8_t((in6.tclass & ~0x3) | ecn);
		Eth e = l2;
		e.dst = stft::g_net.tunnel_mac;
		e.type = kEthIpv6;
		return cat(eth(e, ipv6(in6, l4_bytes())), trailer);
	}
};

enum class Out { Unchanged, Exact };

struct DecapCase {
	std::string name; // gtest parameter name
	std::string description;
	Bytes input;
	std::function<void(stf_config &)> tweak; // applied to the base config, may be empty
	std::vector<Prefix> allow, deny;         // stf_allow_v1 / stf_deny_v1 contents
	std::vector<Prefix> relays, except;      // stf_relays_v1 / stf_except_v1 contents
	uint32_t verdict = XDP_PASS;
	Out out = Out::Unchanged;
	Bytes expected;                  // for Out::Exact
	std::optional<uint32_t> counter; // the one counter that must move, or none

	DecapCase &cfg(std::function<void(stf_config &)> f)
	{
		tweak = std::move(f);
		return *this;
	}
	DecapCase &filters(std::vector<Prefix> a, std::vector<Prefix> d)
	{
		allow = std::move(a);
		deny = std::move(d);
		return *this;
	}
	DecapCase &lists(std::vector<Prefix> r, std::vector<Prefix> e)
	{
		relays = std::move(r);
		except = std::move(e);
		return *this;
	}
};

inline DecapCase decap(std::string name, std::string desc, const Tun &t, int ecn = -1)
{
	DecapCase c{std::move(name), std::move(desc), t.frame()};
	c.verdict = XDP_REDIRECT;
	c.out = Out::Exact;
	c.expected = t.decapped(ecn);
	c.counter = STF_C_decap;
	return c;
}

inline DecapCase drop(std::string name, std::string desc, const Bytes &frame, uint32_t reason)
{
	DecapCase c{std::move(name), std::move(desc), frame};
	c.verdict = XDP_DROP;
	c.counter = reason;
	return c;
}

inline DecapCase pass(std::string name, std::string desc, const Bytes &frame,
	       std::optional<uint32_t> counter = std::nullopt)
{
	DecapCase c{std::move(name), std::move(desc), frame};
	c.verdict = XDP_PASS;
	c.counter = counter;
	return c;
}

// Small editors, so each table row says only what differs from the default frame.
template <typename F> Tun with(F f)
{
	Tun t;
	f(t);
	return t;
}

inline Tun from(uint32_t v4)
{
	Tun t;
	t.from(v4);
	return t;
}

inline void relay_mode(stf_config &c)
{
	c.mode = STF_MODE_RELAY;
}

inline void ingress_off(stf_config &c)
{
	c.flags &= ~STF_F_INGRESS_FILTER;
}

// gtest prints a failing parameter with this instead of a raw byte dump (found by ADL).
inline void PrintTo(const DecapCase &c, std::ostream *os)
{
	*os << c.name << " (" << c.description << ")";
}

// The rows, by concern: headers, address classes, consistency and mode; then the policy
// tables, the loop guard, the FIB checks and ECN.
void add_header_cases(std::vector<DecapCase> &t);
void add_policy_cases(std::vector<DecapCase> &t);

} // namespace decapt
