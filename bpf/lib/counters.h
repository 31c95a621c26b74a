/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef STF_BPF_COUNTERS_H
#define STF_BPF_COUNTERS_H

#include "lib/events.h"
#include "lib/maps.h"

/*
 * Counts one packet under id: one per-CPU slot per counter, no atomics, and packets and bytes
 * in one lookup. Every verdict of both programs is counted here, so this is also where a drop
 * is offered to `stf-xdp monitor`: for a DROP reason (a constant bit test, so decapsulated,
 * encapsulated and passed packets never reach the monitor's maps) it returns the event
 * reserved for it, or 0; the caller fills in the addresses and submits it.
 */
static __always_inline struct stf_event *stf_count(__u32 id, __u64 bytes)
{
	struct stf_counter *c = bpf_map_lookup_elem(&stf_counters_v1, &id);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
#ifdef STF_BENCH_NO_MONITOR /* bench/decap_nomon.bpf.c: the code before the monitor */
	return 0;
#endif
	/* Drops have ids < 64 (contract.h asserts it); later ids are never drops, and the test
	 * keeps the shift defined. */
	if (id >= 64 || !((STF_DROP_MASK >> id) & 1))
		return 0;
	return stf_event_reserve(id, bytes);
}

#endif
