// counter_table() is generated from STF_COUNTER_LIST: check it is complete, dense and unique.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "counters.h"

namespace stf {
namespace {

TEST(Counters, OneEntryPerContractId)
{
	EXPECT_EQ(counter_table().size(), size_t{STF_COUNTER_COUNT_});
}

TEST(Counters, IndexIsId)
{
	const auto &t = counter_table();
	for (size_t i = 0; i < t.size(); i++)
		EXPECT_EQ(t[i].id, i) << t[i].name;
}

TEST(Counters, NamesUniqueAndNonEmpty)
{
	std::set<std::string> names;
	for (const auto &c : counter_table()) {
		EXPECT_FALSE(std::string(c.name).empty());
		EXPECT_FALSE(std::string(c.description).empty()) << c.name;
		EXPECT_TRUE(names.insert(c.name).second) << "duplicate " << c.name;
	}
}

// Every id the contract defines appears under its enum name, with the right kind.
TEST(Counters, EveryContractIdAppearsWithItsName)
{
	const auto &t = counter_table();
// Parameters end in _ so they cannot replace the member ".name" inside the expansion.
#define STF_X_CHECK(id_, kind_, name_, desc_)                                                      \
	ASSERT_LT(size_t{STF_C_##name_}, t.size());                                                \
	EXPECT_STREQ(t[STF_C_##name_].name, #name_);                                               \
	EXPECT_STREQ(t[STF_C_##name_].description, desc_);
	STF_COUNTER_LIST(STF_X_CHECK)
#undef STF_X_CHECK
	EXPECT_EQ(t[STF_C_decap].kind, CounterKind::stat);
	EXPECT_EQ(t[STF_C_encap].kind, CounterKind::stat);
	EXPECT_EQ(t[STF_C_pass_fragment].kind, CounterKind::pass);
	EXPECT_EQ(t[STF_C_outer_src_private].kind, CounterKind::drop);
}

// The per-class counters are computed as base + class - 1 by the dataplane.
TEST(Counters, AddressClassCountersFollowTheClassOrder)
{
	const auto &t = counter_table();
	EXPECT_STREQ(t[STF_C_OUTER_SRC_CLASS_BASE + STF_ADDR_LOOPBACK - 1].name, "outer_src_loopback");
	EXPECT_STREQ(t[STF_C_ENCAP_DST_CLASS_BASE + STF_ADDR_PRIVATE - 1].name, "encap_dst_private");
}

} // namespace
} // namespace stf
