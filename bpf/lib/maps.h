/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The maps both programs share. Declared __weak so that each program file can include this
 * header and `bpftool gen object` links them into one object with one copy of each map.
 */
#ifndef STF_BPF_MAPS_H
#define STF_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "stf/contract.h"

/* Two configuration slots and the selector of the live one (include/stf/contract.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct stf_config);
} stf_config_v2 SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} stf_cfgsel_v1 SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STF_COUNTER_COUNT_);
	__type(key, __u32);
	__type(value, struct stf_counter);
} stf_counters_v1 SEC(".maps") __weak;

/* The LAN interfaces of the encapsulating fast path (bpf/lan.bpf.c), written at attach. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STF_MAX_LAN);
	__type(key, __u32);
	__type(value, struct stf_lan);
} stf_lan_v1 SEC(".maps") __weak;

/* `stf-xdp monitor` (include/stf/contract.h): its lease and rate, the per-CPU rate limit and
 * what it held back, and the ring buffer the sampled drop events go through. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stf_monitor);
} stf_monitor_v1 SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stf_event_rate);
} stf_evrate_v1 SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, STF_EVENTS_RING_BYTES);
} stf_events_v1 SEC(".maps") __weak;

/* Peer restriction (stf's "prefixlen 16 + IPv4 prefix"), generalised to allow/deny tries.
 * Room for a full blocklist (bench/README.md times 100,000 prefixes); NO_PREALLOC, so memory
 * is taken per prefix added, not for the room. The limit is not part of the layout: a running
 * dataplane with another one is still bound by name, type and sizes (ctl/bpf_kernel.cpp). */
struct stf_lpm4_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 131072);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct stf_lpm4_key);
	__type(value, __u8);
};
struct stf_lpm4_trie stf_allow_v1 SEC(".maps") __weak;
struct stf_lpm4_trie stf_deny_v1 SEC(".maps") __weak;
/* The strict relay list and the exception list (include/stf/contract.h, has_relays/except). */
struct stf_lpm4_trie stf_relays_v1 SEC(".maps") __weak;
struct stf_lpm4_trie stf_except_v1 SEC(".maps") __weak;

static __always_inline int stf_lpm4_match(void *trie, __be32 addr)
{
	struct stf_lpm4_key key = { .prefixlen = 32, .addr = addr };

	return bpf_map_lookup_elem(trie, &key) != 0;
}

/* Array lookups are inlined by the verifier: two of them cost a few instructions. */
static __always_inline const struct stf_config *stf_config_get(void)
{
	__u32 key = 0;
	const __u32 *sel = bpf_map_lookup_elem(&stf_cfgsel_v1, &key);

	if (!sel)
		return 0;
	key = *sel & 1;
	return bpf_map_lookup_elem(&stf_config_v2, &key);
}

#endif
