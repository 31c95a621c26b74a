// The user-side view of the counter list in include/stf/contract.h: names, kinds and
// descriptions generated from the same X-macro, so they cannot drift from the dataplane.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "stf/contract.h"

namespace stf {

enum class CounterKind { stat, pass, drop };

struct CounterInfo {
	uint32_t id;
	CounterKind kind;
	const char *name;
	const char *description;
};

// All counters in id order (index == id).
const std::vector<CounterInfo> &counter_table();

// Per-counter totals summed over CPUs, index == counter id, size STF_COUNTER_COUNT_.
using CounterValues = std::vector<stf_counter>;

} // namespace stf
