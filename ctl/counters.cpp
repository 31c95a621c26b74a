#include "counters.h"

#include <array>

namespace stf {

namespace {

// The X-macro's kind tokens (STAT, PASS, DROP) spelled as CounterKind values.
constexpr CounterKind kind_STAT = CounterKind::stat;
constexpr CounterKind kind_PASS = CounterKind::pass;
constexpr CounterKind kind_DROP = CounterKind::drop;

constexpr std::array<CounterInfo, STF_COUNTER_COUNT_> kCounters = {{
#define STF_X_INFO(id, kind, name, desc) {id, kind_##kind, #name, desc},
	STF_COUNTER_LIST(STF_X_INFO)
#undef STF_X_INFO
}};

// counter_table() promises index == id; the enum's values come from the same list, so this
// fails to compile if an id is skipped, repeated or out of order.
constexpr bool ids_are_dense()
{
	for (size_t i = 0; i < kCounters.size(); i++)
		if (kCounters[i].id != i)
			return false;
	return true;
}
static_assert(ids_are_dense(), "STF_COUNTER_LIST ids must be 0, 1, 2, ... in order");

} // namespace

const std::vector<CounterInfo> &counter_table()
{
	static const std::vector<CounterInfo> table(kCounters.begin(), kCounters.end());
	return table;
}

} // namespace stf
