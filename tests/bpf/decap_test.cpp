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

namespace {

using namespace pkt;
using stft::Prefix;

// Addresses (documentation ranges; RFC 1918 and friends only as packet contents).
const uint32_t kLocal = ip4("192.0.2.1");      // our V4ADDR: 2002:c000:201::/48
const uint32_t kLocal2 = ip4("198.51.100.20"); // a second V4ADDR: 2002:c633:6414::/48
const uint32_t kPeer = ip4("203.0.113.9");     // a 6to4 site: 2002:cb00:7109::/48
const uint32_t kRelay = ip4("198.51.100.1");   // a relay forwarding native IPv6 to us
const uint32_t kBcast = ip4("192.0.2.255");    // broadcast of our connected subnet

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

DecapCase decap(std::string name, std::string desc, const Tun &t, int ecn = -1)
{
	DecapCase c{std::move(name), std::move(desc), t.frame()};
	c.verdict = XDP_REDIRECT;
	c.out = Out::Exact;
	c.expected = t.decapped(ecn);
	c.counter = STF_C_decap;
	return c;
}

DecapCase drop(std::string name, std::string desc, const Bytes &frame, uint32_t reason)
{
	DecapCase c{std::move(name), std::move(desc), frame};
	c.verdict = XDP_DROP;
	c.counter = reason;
	return c;
}

DecapCase pass(std::string name, std::string desc, const Bytes &frame,
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

Tun from(uint32_t v4)
{
	Tun t;
	t.from(v4);
	return t;
}

void relay_mode(stf_config &c)
{
	c.mode = STF_MODE_RELAY;
}

void ingress_off(stf_config &c)
{
	c.flags &= ~STF_F_INGRESS_FILTER;
}

std::vector<DecapCase> build_table()
{
	std::vector<DecapCase> t;
	auto add = [&t](DecapCase c) { t.push_back(std::move(c)); };

	// ---- decapsulated ---------------------------------------------------------------------
	add(decap("router_6to4_to_our_prefix", "router mode, 2002:peer:: -> 2002:ours::", Tun{}));
	add(decap("router_dscp_and_flow_label_kept",
		  "inner traffic class (DSCP 46) and flow label pass untouched",
		  with([](Tun &x) {
			  x.inner.tclass = 0xb8;
			  x.inner.flow = 0xfedcb;
		  })));
	add(decap("router_outer_dscp_not_copied_inward",
		  "outer DSCP is not copied into the inner header (only ECN is, RFC 6040)",
		  with([](Tun &x) { x.outer.tos = 0xb8; })));
	add(decap("router_second_local_addr", "outer dst and inner dst on our second V4ADDR",
		  with([](Tun &x) {
			  x.outer.dst = kLocal2;
			  x.inner.dst = addr_6to4(kLocal2, 0, 1);
		  })));
	add(decap("router_native_src_from_any_relay",
		  "native inner source from a relay (any relay is accepted) to our 6to4 prefix",
		  with([](Tun &x) {
			  x.outer.src = kRelay;
			  x.inner.src = ip6("2001:db8:77::5");
		  })));
	add(decap("router_outer_df_set", "DF set is not a fragment",
		  with([](Tun &x) { x.outer.frag_off = 0x4000; })));
	add(decap("router_outer_ttl_one", "outer TTL 1 is fine: the tunnel endpoint is us",
		  with([](Tun &x) { x.outer.ttl = 1; })));
	add(decap("router_frame_trailer_kept",
		  "bytes after the outer total length stay (the IPv6 stack trims by payload length)",
		  with([](Tun &x) { x.trailer = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x00}; })));
	add(decap("router_inner_shorter_than_carried",
		  "inner payload length below what the outer header carried is accepted",
		  with([](Tun &x) { x.inner.payload_len = uint16_t(x.l4_bytes().size() - 8); })));
	add(decap("router_zero_payload_inner", "inner packet with an empty payload",
		  with([](Tun &x) {
			  x.l4 = Bytes{};
			  x.inner.next_header = 59; // no next header
		  })));
	add(decap("relay_6to4_to_native", "relay mode: 2002:peer:: -> native 2001:db8::/32",
		  with([](Tun &x) { x.inner.dst = ip6("2001:db8:1::1"); }))
		    .cfg(relay_mode));
	add(decap("relay_6to4_to_our_prefix", "relay mode still decapsulates for its own prefix",
		  Tun{})
		    .cfg(relay_mode));
	add(decap("relay_multicast_dst_left_to_stack",
		  "relay mode: a multicast inner destination is left to the IPv6 stack",
		  with([](Tun &x) { x.inner.dst = ip6("ff0e::1"); }))
		    .cfg(relay_mode));
	add(decap("private_src_permitted", "10.1.2.3 accepted with STF_F_PERMIT_PRIVATE",
		  from(ip4("10.1.2.3")))
		    .cfg([](stf_config &c) { c.flags |= STF_F_PERMIT_PRIVATE; }));
	add(decap("private_172_15_is_public", "172.15.255.1 is just below 172.16/12",
		  from(ip4("172.15.255.1"))));
	add(decap("private_172_32_is_public", "172.32.0.1 is just above 172.16/12",
		  from(ip4("172.32.0.1"))));
	add(drop("subnet_broadcast_known_to_the_fib",
		 "192.0.2.255 missing from the configured list is still a broadcast to the FIB",
		 from(kBcast).frame(), STF_C_outer_src_local)
		    .cfg([](stf_config &c) { c.n_bcast = 0; }));
	add(decap("allow_filter_match", "outer source inside the allow filter",
		  Tun{})
		    .cfg([](stf_config &c) { c.has_allow = 1; })
		    .filters({{"203.0.113.0", 24}}, {}));
	add(decap("allow_filter_exact_host", "allow filter with a /32 for the peer", Tun{})
		    .cfg([](stf_config &c) { c.has_allow = 1; })
		    .filters({{"198.51.100.0", 24}, {"203.0.113.9", 32}}, {}));
	add(decap("deny_filter_no_match", "outer source outside the deny filter", Tun{})
		    .cfg([](stf_config &c) { c.has_deny = 1; })
		    .filters({}, {{"198.51.100.0", 24}}));
	add(decap("filters_ignored_without_flags",
		  "entries in the tries do nothing while has_allow/has_deny are 0", Tun{})
		    .filters({{"198.51.100.0", 24}}, {{"203.0.113.0", 24}}));

	// ---- RFC 6040 decapsulation table (section 4.2): outer x inner ECN --------------------
	{
		static const char *names[4] = {"notect", "ect1", "ect0", "ce"};
		// result[outer][inner], -1 = drop. Codepoints: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE.
		static const int result[4][4] = {
			/* outer Not-ECT */ {0, 1, 2, 3},
			/* outer ECT(1)  */ {0, 1, 1, 3},
			/* outer ECT(0)  */ {0, 1, 2, 3},
			/* outer CE      */ {-1, 3, 3, 3},
		};
		for (int o = 0; o < 4; o++) {
			for (int i = 0; i < 4; i++) {
				Tun x;
				x.outer.tos = uint8_t(0x28 << 2 | o); // DSCP AF11 outside
				x.inner.tclass = uint8_t(0x0a << 2 | i); // DSCP AF11 inside
				std::string name = std::string("ecn_outer_") + names[o] + "_inner_" +
						   names[i];
				std::string desc = std::string("RFC 6040: outer ") + names[o] +
						   ", inner " + names[i];
				if (result[o][i] < 0)
					add(drop(name, desc + " -> drop", x.frame(),
						 STF_C_ecn_ce_not_ect));
				else
					add(decap(name, desc + " -> " + names[result[o][i]], x,
						  result[o][i]));
			}
		}
	}

	// ---- not ours: XDP_PASS, untouched, uncounted -----------------------------------------
	add(pass("not_ours_arp", "ARP frame",
		 eth({mac("ff:ff:ff:ff:ff:ff"), mac("02:00:00:00:00:fe"), kEthArp}, pattern(28))));
	add(pass("not_ours_ipv6_frame", "native IPv6 frame",
		 eth({mac("02:00:00:00:00:01"), mac("02:00:00:00:00:fe"), kEthIpv6},
		     Tun{}.inner_bytes())));
	add(pass("not_ours_vlan_tagged", "802.1Q tagged frame is not parsed",
		 with([](Tun &x) { x.l2.type = 0x8100; }).frame()));
	add(pass("not_ours_proto_ipip", "IPv4 protocol 4 (IPIP) to our address",
		 with([](Tun &x) { x.outer.protocol = 4; }).frame()));
	add(pass("not_ours_proto_udp", "IPv4 protocol 17 to our address",
		 with([](Tun &x) { x.outer.protocol = 17; }).frame()));
	add(pass("not_ours_dst_not_local", "protocol 41 to an address that is not ours",
		 with([](Tun &x) { x.outer.dst = ip4("198.51.100.77"); }).frame()));
	add(pass("not_ours_dst_local_but_n_local_0", "our address, but no local configured",
		 Tun{}.frame())
		    .cfg([](stf_config &c) { c.n_local = 0; }));
	{
		const Bytes full = Tun{}.frame();
		add(pass("not_ours_short_ipv4", "IPv4 frame shorter than 20 header bytes",
			 Bytes(full.begin(), full.begin() + kEthLen + 19)));
	}

	// ---- handed to the kernel, counted ----------------------------------------------------
	add(pass("fragment_first_mf", "MF set: first fragment",
		 with([](Tun &x) { x.outer.frag_off = 0x2000; }).frame(), STF_C_pass_fragment));
	add(pass("fragment_middle", "MF and offset",
		 with([](Tun &x) { x.outer.frag_off = 0x2000 | 185; }).frame(),
		 STF_C_pass_fragment));
	add(pass("fragment_last", "offset, no MF", with([](Tun &x) {
			 x.outer.frag_off = 185;
			 x.l4 = pattern(64);
		 }).frame(),
		 STF_C_pass_fragment));
	add(pass("fragment_bad_checksum_left_to_kernel",
		 "fragments go to the kernel before the checksum is checked: ip_rcv checks it",
		 with([](Tun &x) {
			 x.outer.frag_off = 0x2000;
			 x.outer.bad_checksum = true;
		 }).frame(),
		 STF_C_pass_fragment));
	add(pass("options_ihl6", "IHL 6: four bytes of options (NOP NOP NOP EOL)",
		 with([](Tun &x) { x.outer.options = {1, 1, 1, 0}; }).frame(), STF_C_pass_options));
	add(pass("options_ihl15", "IHL 15: forty bytes of options",
		 with([](Tun &x) { x.outer.options = Bytes(40, 1); }).frame(), STF_C_pass_options));
	add(pass("options_and_fragment", "options are checked first",
		 with([](Tun &x) {
			 x.outer.options = {1, 1, 1, 0};
			 x.outer.frag_off = 0x2000;
		 }).frame(),
		 STF_C_pass_options));

	// ---- outer header ---------------------------------------------------------------------
	{
		// tot_len 40: a valid 20-byte header carrying only half an IPv6 header.
		Tun x;
		Bytes inner = x.inner_bytes();
		Bytes half(inner.begin(), inner.begin() + 20);
		add(drop("outer_truncated_half_inner_header", "outer carries 20 of the 40 inner bytes",
			 eth(x.l2, ipv4(x.outer, half)), STF_C_outer_truncated));
		add(drop("outer_truncated_tot_len_59",
			 "outer total length one byte short of an IPv6 header",
			 with([](Tun &y) { y.outer.tot_len = 59; }).frame(), STF_C_outer_truncated));
		add(drop("outer_truncated_header_only", "outer IPv4 header and nothing else",
			 eth(x.l2, ipv4(x.outer, {})), STF_C_outer_truncated));
	}
	add(drop("outer_bad_version_6", "IPv4 ethertype, version 6 in the header",
		 with([](Tun &x) { x.outer.version = 6; }).frame(), STF_C_outer_bad_version));
	add(drop("outer_bad_version_0", "version 0",
		 with([](Tun &x) { x.outer.version = 0; }).frame(), STF_C_outer_bad_version));
	add(drop("outer_bad_ihl_4", "IHL 4", with([](Tun &x) { x.outer.ihl = 4; }).frame(),
		 STF_C_outer_bad_ihl));
	add(drop("outer_bad_ihl_0", "IHL 0", with([](Tun &x) { x.outer.ihl = 0; }).frame(),
		 STF_C_outer_bad_ihl));
	add(drop("outer_bad_checksum", "header checksum off by one bit",
		 with([](Tun &x) { x.outer.bad_checksum = true; }).frame(), STF_C_outer_bad_checksum));
	add(drop("outer_bad_checksum_zero", "checksum field 0",
		 with([](Tun &x) { x.outer.checksum = 0; }).frame(), STF_C_outer_bad_checksum));
	{
		Tun x;
		const uint16_t real = uint16_t(kIpv4Len + x.inner_bytes().size());
		add(drop("outer_bad_length_beyond_frame", "total length one byte beyond the frame",
			 with([real](Tun &y) { y.outer.tot_len = uint16_t(real + 1); }).frame(),
			 STF_C_outer_bad_length));
		add(drop("outer_bad_length_below_header", "total length 19",
			 with([](Tun &y) { y.outer.tot_len = 19; }).frame(), STF_C_outer_bad_length));
		add(drop("outer_bad_length_max", "total length 65535",
			 with([](Tun &y) { y.outer.tot_len = 0xffff; }).frame(), STF_C_outer_bad_length));
	}
	add(drop("outer_ttl_zero", "outer TTL 0", with([](Tun &x) { x.outer.ttl = 0; }).frame(),
		 STF_C_outer_ttl_zero));

	// ---- outer source classes (RFC 3964 5.3.1) --------------------------------------------
	struct SrcCase {
		const char *name;
		const char *addr;
		uint32_t reason;
	};
	static const SrcCase src_cases[] = {
		{"outer_src_zero", "0.0.0.0", STF_C_outer_src_unspecified},
		{"outer_src_this_network", "0.1.2.3", STF_C_outer_src_unspecified},
		{"outer_src_loopback", "127.0.0.1", STF_C_outer_src_loopback},
		{"outer_src_loopback_high", "127.255.255.254", STF_C_outer_src_loopback},
		{"outer_src_multicast", "224.0.0.1", STF_C_outer_src_multicast},
		{"outer_src_multicast_high", "239.255.255.250", STF_C_outer_src_multicast},
		{"outer_src_reserved", "240.0.0.1", STF_C_outer_src_reserved},
		{"outer_src_limited_broadcast", "255.255.255.255", STF_C_outer_src_reserved},
		{"outer_src_linklocal", "169.254.10.20", STF_C_outer_src_linklocal},
		{"outer_src_private_10", "10.1.2.3", STF_C_outer_src_private},
		{"outer_src_private_172_16", "172.16.5.4", STF_C_outer_src_private},
		{"outer_src_private_172_31", "172.31.255.1", STF_C_outer_src_private},
		{"outer_src_private_192_168", "192.168.1.1", STF_C_outer_src_private},
		{"outer_src_subnet_broadcast", "192.0.2.255", STF_C_outer_src_subnet_broadcast},
		{"outer_src_second_subnet_broadcast", "198.51.100.255",
		 STF_C_outer_src_subnet_broadcast},
	};
	for (const auto &s : src_cases)
		add(drop(s.name, std::string("outer source ") + s.addr, from(ip4(s.addr)).frame(),
			 s.reason));
	add(drop("outer_src_loopback_even_if_private_permitted",
		 "STF_F_PERMIT_PRIVATE does not open the other classes", from(ip4("127.0.0.1")).frame(),
		 STF_C_outer_src_loopback)
		    .cfg([](stf_config &c) { c.flags |= STF_F_PERMIT_PRIVATE; }));

	// ---- allow / deny filters -------------------------------------------------------------
	add(drop("outer_src_denied", "outer source inside the deny filter", Tun{}.frame(),
		 STF_C_outer_src_denied)
		    .cfg([](stf_config &c) { c.has_deny = 1; })
		    .filters({}, {{"203.0.113.0", 24}}));
	add(drop("outer_src_denied_wins_over_allow", "deny is checked before allow",
		 Tun{}.frame(), STF_C_outer_src_denied)
		    .cfg([](stf_config &c) {
			    c.has_deny = 1;
			    c.has_allow = 1;
		    })
		    .filters({{"203.0.113.0", 24}}, {{"203.0.113.9", 32}}));
	add(drop("outer_src_not_allowed", "outer source outside the allow filter", Tun{}.frame(),
		 STF_C_outer_src_not_allowed)
		    .cfg([](stf_config &c) { c.has_allow = 1; })
		    .filters({{"198.51.100.0", 24}}, {}));
	add(drop("outer_src_not_allowed_empty_trie", "has_allow set but the trie is empty",
		 Tun{}.frame(), STF_C_outer_src_not_allowed)
		    .cfg([](stf_config &c) { c.has_allow = 1; }));

	// ---- inner header ---------------------------------------------------------------------
	add(drop("inner_bad_version_4", "inner version 4",
		 with([](Tun &x) { x.inner.version = 4; }).frame(), STF_C_inner_bad_version));
	add(drop("inner_bad_version_0", "inner version 0",
		 with([](Tun &x) { x.inner.version = 0; }).frame(), STF_C_inner_bad_version));
	add(drop("inner_bad_length", "inner payload length one byte beyond the outer packet",
		 with([](Tun &x) { x.inner.payload_len = uint16_t(x.l4_bytes().size() + 1); }).frame(),
		 STF_C_inner_bad_length));
	add(drop("inner_bad_length_trailer_not_counted",
		 "bytes after the outer total length do not count as inner payload",
		 with([](Tun &x) {
			 x.inner.payload_len = uint16_t(x.l4_bytes().size() + 4);
			 x.trailer = Bytes(4, 0);
		 }).frame(),
		 STF_C_inner_bad_length));

	// Inner source classes: native (not 2002::/16) sources, from a relay.
	struct In6Case {
		const char *name;
		const char *addr;
		uint32_t reason;
	};
	static const In6Case src6[] = {
		{"inner_src_unspecified", "::", STF_C_inner_src_reserved},
		{"inner_src_loopback", "::1", STF_C_inner_src_reserved},
		{"inner_src_v4compat", "::203.0.113.9", STF_C_inner_src_reserved},
		{"inner_src_reserved_top", "0:ffff::1", STF_C_inner_src_reserved},
		{"inner_src_v4mapped", "::ffff:203.0.113.9", STF_C_inner_src_v4mapped},
		{"inner_src_linklocal", "fe80::1", STF_C_inner_src_linklocal},
		{"inner_src_linklocal_top", "febf:ffff::1", STF_C_inner_src_linklocal},
		{"inner_src_sitelocal", "fec0::1", STF_C_inner_src_sitelocal},
		{"inner_src_sitelocal_top", "feff::1", STF_C_inner_src_sitelocal},
		{"inner_src_multicast", "ff02::1", STF_C_inner_src_multicast},
		{"inner_src_multicast_global", "ff0e::101", STF_C_inner_src_multicast},
	};
	for (const auto &s : src6) {
		std::string addr = s.addr;
		add(drop(s.name, "inner source " + addr, with([&addr](Tun &x) {
				 x.inner.src = ip6(addr.c_str());
			 }).frame(),
			 s.reason));
	}
	static const In6Case dst6[] = {
		{"inner_dst_unspecified", "::", STF_C_inner_dst_reserved},
		{"inner_dst_loopback", "::1", STF_C_inner_dst_reserved},
		{"inner_dst_v4compat", "::192.0.2.1", STF_C_inner_dst_reserved},
		{"inner_dst_v4mapped", "::ffff:192.0.2.1", STF_C_inner_dst_v4mapped},
		{"inner_dst_linklocal", "fe80::1", STF_C_inner_dst_linklocal},
		{"inner_dst_sitelocal", "fec0::1", STF_C_inner_dst_sitelocal},
	};
	for (const auto &s : dst6) {
		std::string addr = s.addr;
		add(drop(s.name, "inner destination " + addr, with([&addr](Tun &x) {
				 x.inner.dst = ip6(addr.c_str());
			 }).frame(),
			 s.reason));
		// The class check comes before the mode check: the same reason in relay mode.
		add(drop(std::string("relay_") + s.name, "relay mode, inner destination " + addr,
			 with([&addr](Tun &x) { x.inner.dst = ip6(addr.c_str()); }).frame(), s.reason)
			    .cfg(relay_mode));
	}

	// ---- consistency (RFC 3964 5.2) and mode ----------------------------------------------
	add(drop("inner_src_spoofed", "2002:c633:6401:: from 203.0.113.9",
		 with([](Tun &x) { x.inner.src = addr_6to4(kRelay, 1, 1); }).frame(),
		 STF_C_inner_src_spoofed));
	add(drop("inner_src_spoofed_private", "inner source embeds 10.1.2.3, outer is a peer",
		 with([](Tun &x) { x.inner.src = addr_6to4(ip4("10.1.2.3"), 0, 1); }).frame(),
		 STF_C_inner_src_spoofed));
	add(drop("inner_dst_mismatch", "inner destination embeds another address than ours",
		 with([](Tun &x) { x.inner.dst = addr_6to4(ip4("203.0.113.200"), 0, 1); }).frame(),
		 STF_C_inner_dst_mismatch));
	add(drop("inner_dst_mismatch_other_local",
		 "inner destination embeds our second V4ADDR, outer went to the first",
		 with([](Tun &x) { x.inner.dst = addr_6to4(kLocal2, 0, 1); }).frame(),
		 STF_C_inner_dst_mismatch));
	add(drop("relay_inner_dst_mismatch", "relay mode checks 6to4 destinations too",
		 with([](Tun &x) { x.inner.dst = addr_6to4(ip4("203.0.113.200"), 0, 1); }).frame(),
		 STF_C_inner_dst_mismatch)
		    .cfg(relay_mode));
	add(drop("inner_dst_not_6to4", "router mode, native inner destination",
		 with([](Tun &x) { x.inner.dst = ip6("2001:db8:1::1"); }).frame(),
		 STF_C_inner_dst_not_6to4));
	add(drop("inner_dst_not_6to4_multicast", "router mode, multicast inner destination",
		 with([](Tun &x) { x.inner.dst = ip6("ff0e::1"); }).frame(),
		 STF_C_inner_dst_not_6to4));
	add(drop("inner_native_to_native", "relay mode, native source to a native destination",
		 with([](Tun &x) {
			 x.outer.src = kRelay;
			 x.inner.src = ip6("2001:db8:dead::1");
			 x.inner.dst = ip6("2001:db8:1::1");
		 }).frame(),
		 STF_C_inner_native_to_native)
		    .cfg(relay_mode));
	add(drop("router_native_to_native", "router mode: the mode check comes first",
		 with([](Tun &x) {
			 x.outer.src = kRelay;
			 x.inner.src = ip6("2001:db8:dead::1");
			 x.inner.dst = ip6("2001:db8:1::1");
		 }).frame(),
		 STF_C_inner_dst_not_6to4));

	// ---- strict relay list and exception list -----------------------------------------------
	const auto native_from = [](uint32_t relay) {
		return with([relay](Tun &x) {
			x.outer.src = relay;
			x.inner.src = ip6("2001:db8:77::5");
		});
	};
	auto relays_on = [](stf_config &c) { c.has_relays = 1; };
	auto except_on = [](stf_config &c) { c.has_except = 1; };
	add(drop("outer_src_not_relay", "native source from 198.51.100.1, not in the relay list",
		 native_from(kRelay).frame(), STF_C_outer_src_not_relay)
		    .cfg(relays_on)
		    .lists({{"203.0.113.0", 24}}, {}));
	add(decap("relay_list_match", "native source from a listed relay", native_from(kRelay))
		    .cfg(relays_on)
		    .lists({{"198.51.100.1", 32}}, {}));
	add(decap("relay_list_6to4_unaffected", "the relay list concerns native sources only",
		  Tun{})
		    .cfg(relays_on)
		    .lists({{"198.51.100.1", 32}}, {}));
	add(decap("relay_list_exception_wins", "an exception may send native-sourced traffic",
		  native_from(kRelay))
		    .cfg([](stf_config &c) {
			    c.has_relays = 1;
			    c.has_except = 1;
		    })
		    .lists({{"203.0.113.0", 24}}, {{"198.51.100.0", 24}}));
	add(decap("exception_mismatched_6to4_source",
		  "a listed translator forwards 6to4 traffic from another V4ADDR (glb-director#64)",
		  with([](Tun &x) { x.inner.src = addr_6to4(ip4("203.0.113.200"), 1, 1); }))
		    .cfg(except_on)
		    .lists({}, {{"203.0.113.0", 28}}));
	add(drop("exception_other_source_still_spoofed", "the exception list names 203.0.113.0/28",
		 with([](Tun &x) {
			 x.outer.src = ip4("203.0.113.99");
			 x.inner.src = addr_6to4(ip4("203.0.113.200"), 1, 1);
		 }).frame(),
		 STF_C_inner_src_spoofed)
		    .cfg(except_on)
		    .lists({}, {{"203.0.113.0", 28}}));
	add(drop("exception_flag_needed", "entries do nothing while has_except is 0",
		 with([](Tun &x) { x.inner.src = addr_6to4(ip4("203.0.113.200"), 1, 1); }).frame(),
		 STF_C_inner_src_spoofed)
		    .lists({}, {{"203.0.113.0", 28}}));
	add(decap("relay_exception_native_to_native", "relay mode: an exception may go native to native",
		  with([](Tun &x) {
			  x.outer.src = kRelay;
			  x.inner.src = ip6("2001:db8:dead::1");
			  x.inner.dst = ip6("2001:db8:1::1");
		  }))
		    .cfg([](stf_config &c) {
			    c.mode = STF_MODE_RELAY;
			    c.has_except = 1;
		    })
		    .lists({}, {{"198.51.100.1", 32}}));
	add(drop("exception_does_not_excuse_dst_mismatch",
		 "an exception concerns the source; the destination must still embed ours",
		 with([](Tun &x) { x.inner.dst = addr_6to4(ip4("203.0.113.200"), 0, 1); }).frame(),
		 STF_C_inner_dst_mismatch)
		    .cfg(except_on)
		    .lists({}, {{"203.0.113.0", 24}}));

	// ---- the loop guard (RFC 3964 3.2) ------------------------------------------------------
	// Only an excepted source can loop (decap.bpf.c): native to native through a relay.
	const auto excepted_native_to = [](const char *dst) {
		return with([dst](Tun &x) {
			x.outer.src = kRelay;
			x.inner.src = ip6("2001:db8:dead::1");
			x.inner.dst = ip6(dst);
		});
	};
	auto relay_except = [](stf_config &c) {
		c.mode = STF_MODE_RELAY;
		c.has_except = 1;
	};
	add(drop("inner_dst_loop", "relay mode, excepted source: 2001:db8:99::1 routes back into the tunnel",
		 excepted_native_to("2001:db8:99::1").frame(), STF_C_inner_dst_loop)
		    .cfg(relay_except)
		    .lists({}, {{"198.51.100.1", 32}}));
	add(decap("loop_guard_off", "relay mode, loop guard off: the same packet is decapsulated",
		  excepted_native_to("2001:db8:99::1"))
		    .cfg([](stf_config &c) {
			    c.mode = STF_MODE_RELAY;
			    c.has_except = 1;
			    c.flags &= ~STF_F_LOOP_GUARD;
		    })
		    .lists({}, {{"198.51.100.1", 32}}));
	add(decap("loop_guard_other_route", "relay mode, excepted: 2001:db8:1::1 routes out of nort0",
		  excepted_native_to("2001:db8:1::1"))
		    .cfg(relay_except)
		    .lists({}, {{"198.51.100.1", 32}}));
	add(decap("loop_guard_no_route", "relay mode, excepted: no route at all is not a loop",
		  excepted_native_to("2001:db8:55::1"))
		    .cfg(relay_except)
		    .lists({}, {{"198.51.100.1", 32}}));
	add(decap("loop_guard_not_excepted", "a 6to4 source to the looping prefix: not looked up "
		  "(the encapsulator would refuse its source)",
		  with([](Tun &x) { x.inner.dst = ip6("2001:db8:99::1"); }))
		    .cfg(relay_mode));

	// ---- the outer source in the FIB (step 6) ---------------------------------------------
	// The attacker's packet: our own V4ADDR as the outer source, a consistent inner header.
	add(drop("outer_src_local_v4addr", "192.0.2.1 -> 192.0.2.1: our own V4ADDR as the source",
		 from(kLocal).frame(), STF_C_outer_src_local));
	add(drop("outer_src_local_v4addr_not_on_host",
		 "198.51.100.20, a configured V4ADDR the host does not have: caught before the FIB",
		 from(kLocal2).frame(), STF_C_outer_src_local));
	add(drop("outer_src_local_other_iface",
		 "198.51.100.65, an address of the host on another interface (not a V4ADDR)",
		 from(ip4("198.51.100.65")).frame(), STF_C_outer_src_local));
	add(drop("outer_src_local_ingress_off", "a local source is dropped with the filter off too",
		 from(ip4("198.51.100.65")).frame(), STF_C_outer_src_local)
		    .cfg(ingress_off));
	add(drop("outer_src_wrong_iface", "198.51.100.200 routes out of nofwd0, not the uplink",
		 from(ip4("198.51.100.200")).frame(), STF_C_outer_src_wrong_iface));
	add(drop("outer_src_no_route_unreachable", "198.51.100.33: an unreachable route",
		 from(ip4("198.51.100.33")).frame(), STF_C_outer_src_no_route));
	add(drop("outer_src_no_route_blackhole", "198.51.100.49: a blackhole route",
		 from(ip4("198.51.100.49")).frame(), STF_C_outer_src_no_route));
	add(decap("ingress_off_wrong_iface_accepted",
		  "ingress filter off: a source routed out of another interface is accepted",
		  from(ip4("198.51.100.200")))
		    .cfg(ingress_off));
	add(decap("ingress_off_unreachable_accepted",
		  "ingress filter off: a source with no route back is accepted",
		  from(ip4("198.51.100.33")))
		    .cfg(ingress_off));
	add(drop("ecn_ce_not_ect", "outer CE, inner Not-ECT (RFC 6040)", with([](Tun &x) {
			 x.outer.tos = 0x03;
			 x.inner.tclass = 0x00;
		 }).frame(),
		 STF_C_ecn_ce_not_ect));

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

// gtest prints a failing parameter with this instead of a raw byte dump.
void PrintTo(const DecapCase &c, std::ostream *os)
{
	*os << c.name << " (" << c.description << ")";
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
