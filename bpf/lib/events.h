/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Sampled drop events for `stf-xdp monitor` (include/stf/contract.h). Only the drop path
 * comes here (stf_count), and while nobody watches it costs one inlined array read: no
 * clock, no per-CPU state, no ring buffer. While a monitor watches, a per-CPU budget of
 * `rate` events a second bounds what a flood can push through the ring buffer and wake the
 * monitor for; the rest is only counted (suppressed), so hostile traffic buys no more work
 * than the monitor asked for.
 */
#ifndef STF_BPF_EVENTS_H
#define STF_BPF_EVENTS_H

#include "lib/maps.h"

#define STF_NS_PER_SEC 1000000000ull

/*
 * A reserved, half-filled event for a drop of `reason`, or 0 when none is to be reported:
 * nobody watches, the lease ran out (a killed monitor), the CPU spent its budget for this
 * second, or the ring buffer is full. The caller fills the addresses and submits it (the
 * verifier refuses a program that could leave it reserved).
 */
static __always_inline struct stf_event *stf_event_reserve(__u32 reason, __u64 bytes)
{
	__u32 key = 0;
	const struct stf_monitor *mon = bpf_map_lookup_elem(&stf_monitor_v1, &key);

	/* The gate: a zero lease means no monitor since attach or a clean exit. */
	if (!mon || !mon->lease_ns)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	/* A monitor killed without clearing its lease stops costing once the lease is past. */
	if (now >= mon->lease_ns)
		return 0;
	struct stf_event_rate *r = bpf_map_lookup_elem(&stf_evrate_v1, &key);
	if (!r)
		return 0;
	/* Per CPU, so no atomics: a fixed one-second window, at most `rate` events in it. */
	if (now - r->window_ns >= STF_NS_PER_SEC) {
		r->window_ns = now;
		r->sent = 0;
	}
	if (r->sent >= mon->rate) {
		r->suppressed++;
		return 0;
	}
	struct stf_event *ev = bpf_ringbuf_reserve(&stf_events_v1, sizeof(*ev), 0);
	if (!ev) {
		r->lost++;
		return 0;
	}
	r->sent++;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->time_ns = now;
	ev->reason = (__u16)reason;
	ev->len = (__u32)bytes;
	return ev;
}

#endif
