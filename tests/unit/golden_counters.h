// The counters as released: id, kind and name are a public API (the JSON keys of `stats -j`,
// scripts reading them; include/stf/contract.h: append only, never renumber). Written out here
// by hand rather than generated from STF_COUNTER_LIST, so that renumbering, renaming, removing
// or re-kinding a counter there fails the tests that compare with this list. A new counter is
// appended to both, deliberately.
#pragma once

#include <cstdint>

#include "counters.h"

namespace stf::test {

struct GoldenCounter {
	uint32_t id;
	CounterKind kind;
	const char *name;
};

inline constexpr GoldenCounter kGoldenCounters[] = {
	{0, CounterKind::stat, "decap"},
	{1, CounterKind::stat, "encap"},
	{2, CounterKind::pass, "pass_fragment"},
	{3, CounterKind::pass, "pass_options"},
	{4, CounterKind::drop, "outer_truncated"},
	{5, CounterKind::drop, "outer_bad_version"},
	{6, CounterKind::drop, "outer_bad_ihl"},
	{7, CounterKind::drop, "outer_bad_checksum"},
	{8, CounterKind::drop, "outer_bad_length"},
	{9, CounterKind::drop, "outer_ttl_zero"},
	{10, CounterKind::drop, "outer_src_unspecified"},
	{11, CounterKind::drop, "outer_src_loopback"},
	{12, CounterKind::drop, "outer_src_multicast"},
	{13, CounterKind::drop, "outer_src_reserved"},
	{14, CounterKind::drop, "outer_src_linklocal"},
	{15, CounterKind::drop, "outer_src_private"},
	{16, CounterKind::drop, "outer_src_subnet_broadcast"},
	{17, CounterKind::drop, "outer_src_denied"},
	{18, CounterKind::drop, "outer_src_not_allowed"},
	{19, CounterKind::drop, "inner_bad_version"},
	{20, CounterKind::drop, "inner_bad_length"},
	{21, CounterKind::drop, "inner_src_reserved"},
	{22, CounterKind::drop, "inner_src_v4mapped"},
	{23, CounterKind::drop, "inner_src_linklocal"},
	{24, CounterKind::drop, "inner_src_sitelocal"},
	{25, CounterKind::drop, "inner_src_multicast"},
	{26, CounterKind::drop, "inner_dst_reserved"},
	{27, CounterKind::drop, "inner_dst_v4mapped"},
	{28, CounterKind::drop, "inner_dst_linklocal"},
	{29, CounterKind::drop, "inner_dst_sitelocal"},
	{30, CounterKind::drop, "inner_src_spoofed"},
	{31, CounterKind::drop, "inner_dst_mismatch"},
	{32, CounterKind::drop, "inner_dst_not_6to4"},
	{33, CounterKind::drop, "ecn_ce_not_ect"},
	{34, CounterKind::drop, "decap_adjust_failed"},
	{35, CounterKind::drop, "encap_not_ipv6"},
	{36, CounterKind::drop, "encap_truncated"},
	{37, CounterKind::drop, "encap_inner_multicast"},
	{38, CounterKind::drop, "encap_no_relay"},
	{39, CounterKind::drop, "encap_no_local"},
	{40, CounterKind::drop, "encap_src_not_local"},
	{41, CounterKind::drop, "encap_dst_unspecified"},
	{42, CounterKind::drop, "encap_dst_loopback"},
	{43, CounterKind::drop, "encap_dst_multicast"},
	{44, CounterKind::drop, "encap_dst_reserved"},
	{45, CounterKind::drop, "encap_dst_linklocal"},
	{46, CounterKind::drop, "encap_dst_private"},
	{47, CounterKind::drop, "encap_dst_subnet_broadcast"},
	{48, CounterKind::drop, "encap_dst_local"},
	{49, CounterKind::drop, "encap_adjust_failed"},
	{50, CounterKind::drop, "encap_no_route"},
	{51, CounterKind::drop, "encap_too_big"},
	{52, CounterKind::drop, "outer_src_local"},
	{53, CounterKind::drop, "outer_src_no_route"},
	{54, CounterKind::drop, "outer_src_wrong_iface"},
	{55, CounterKind::drop, "inner_native_to_native"},
	{56, CounterKind::drop, "decap_fib_failed"},
	{57, CounterKind::drop, "encap_fib_failed"},
	{58, CounterKind::drop, "encap_redirect_failed"},
	{59, CounterKind::drop, "outer_src_not_relay"},
	{60, CounterKind::drop, "inner_dst_loop"},
	{61, CounterKind::stat, "slow_path"},
	{62, CounterKind::drop, "slow_too_big"},
	{63, CounterKind::drop, "slow_failed"},
	{64, CounterKind::stat, "fast_forward"},
	{65, CounterKind::stat, "fast_encap"},
};

} // namespace stf::test
