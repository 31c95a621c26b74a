/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef STF_BPF_COUNTERS_H
#define STF_BPF_COUNTERS_H

#include "lib/maps.h"

/* One per-CPU slot per counter: no atomics, and packets and bytes in one lookup. */
static __always_inline void stf_count(__u32 id, __u64 bytes)
{
	struct stf_counter *c = bpf_map_lookup_elem(&stf_counters_v1, &id);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

#endif
