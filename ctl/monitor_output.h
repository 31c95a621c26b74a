// What `stf-xdp monitor` prints: one line per drop event (stf_event, include/stf/contract.h)
// and a line whenever the count of drops not shown changes. Pure formatting, unit-tested.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "stf/contract.h"

namespace stf {

// An event as the monitor prints it: the record plus what the reader adds.
struct MonitorEvent {
	stf_event ev;
	std::string ifname;
	int64_t realtime_ns; // the event's time on the wall clock (ev.time_ns is monotonic)
};

// Drops a monitor did not show since it started, summed over CPUs.
struct MonitorHidden {
	std::string ifname;
	uint64_t suppressed = 0; // over the rate limit
	uint64_t lost = 0;       // the ring buffer was full
};

// Human: "2026-11-30T05:00:01.123456Z eth0 decap inner_src_spoofed 198.51.100.1 -> 192.0.2.1
// 2002:cb00:7101::1 -> 2002:c000:201:1::10 146 bytes", "-" for what was not parsed.
// JSON (one object a line): {"event": "drop", "time": ..., "ifname", "program", "reason",
// "outer_src", "outer_dst", "inner_src", "inner_dst" (null if not parsed), "bytes"}.
void print_monitor_event(std::ostream &os, const MonitorEvent &e, bool json);
// Human: "eth0: 490 drops not shown (rate limit), 0 lost (ring buffer full)".
// JSON: {"event": "hidden", "ifname", "suppressed", "lost"}: totals since the monitor started.
void print_monitor_hidden(std::ostream &os, const MonitorHidden &h, bool json);

} // namespace stf
