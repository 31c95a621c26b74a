// Decap table rows: the relay and exception lists, the loop guard, the outer source in the FIB
// (own addresses, ingress filter), and the ECN drop.
#include "decap_cases.h"

namespace decapt {

void add_policy_cases(std::vector<DecapCase> &t)
{
	auto add = [&t](DecapCase c) { t.push_back(std::move(c)); };

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
}

} // namespace decapt
