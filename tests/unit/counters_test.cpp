// counter_table() is generated from STF_COUNTER_LIST, so comparing the two proves nothing.
// Ids, kinds and names are a public API; they are compared with the released list written out
// by hand in golden_counters.h, which a renumbering, rename, removal or change of kind in the
// contract fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string>

#include "counters.h"
#include "golden_counters.h"

namespace stf {
namespace {

using test::kGoldenCounters;

const char *kind_name(CounterKind k)
{
	switch (k) {
	case CounterKind::stat: return "STAT";
	case CounterKind::pass: return "PASS";
	case CounterKind::drop: return "DROP";
	}
	return "?";
}

std::string entry(uint32_t id, CounterKind kind, const char *name)
{
	return std::to_string(id) + " " + kind_name(kind) + " " + name;
}

// Entry by entry, in order, so a failure names the counter that moved.
TEST(Counters, TableIsExactlyTheReleasedList)
{
	const auto &table = counter_table();
	const size_t golden = std::size(kGoldenCounters);
	EXPECT_EQ(golden, table.size()) << "a counter was added or removed; ids are append-only "
					   "and a new one is appended to golden_counters.h too";
	for (size_t i = 0; i < std::max(golden, table.size()); i++) {
		const std::string want =
			i < golden ? entry(kGoldenCounters[i].id, kGoldenCounters[i].kind,
					   kGoldenCounters[i].name)
				   : "(none)";
		const std::string got = i < table.size()
						? entry(table[i].id, table[i].kind, table[i].name)
						: "(none)";
		EXPECT_EQ(want, got) << "counter table entry " << i;
	}
}

// The golden list itself: ids dense from 0 (counter_table() promises index == id), names
// unique, so the comparison above is with a list that could be a counter table at all.
TEST(Counters, ReleasedListIsDenseAndUnique)
{
	std::set<std::string> names;
	for (size_t i = 0; i < std::size(kGoldenCounters); i++) {
		EXPECT_EQ(i, kGoldenCounters[i].id);
		EXPECT_TRUE(names.insert(kGoldenCounters[i].name).second)
			<< "duplicate " << kGoldenCounters[i].name;
	}
}

// Descriptions are not part of the API, but every counter needs one: the human stats print it.
TEST(Counters, EveryCounterHasADescription)
{
	for (const auto &c : counter_table())
		EXPECT_FALSE(std::string(c.description).empty()) << c.name;
}

// The dataplane computes the per-class counters as base + class - 1.
TEST(Counters, AddressClassCountersFollowTheClassOrder)
{
	const auto &t = counter_table();
	EXPECT_STREQ(t[STF_C_OUTER_SRC_CLASS_BASE + STF_ADDR_LOOPBACK - 1].name, "outer_src_loopback");
	EXPECT_STREQ(t[STF_C_ENCAP_DST_CLASS_BASE + STF_ADDR_PRIVATE - 1].name, "encap_dst_private");
}

} // namespace
} // namespace stf
