// Decap table rows: what is decapsulated, ECN, not ours, passed on, outer header, outer source
// classes, filters, inner header, consistency and mode.
#include "decap_cases.h"

namespace decapt {

void add_header_cases(std::vector<DecapCase> &t)
{
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
}

} // namespace decapt
