// Every DROP and PASS reason of the contract (STF_COUNTER_LIST) has at least one table case
// that expects it, or is argued untriggerable in harness.cpp. The tables declare their
// expected counters at static initialisation, so this holds under any --gtest_filter; the gate
// in main.cpp (ctest: bpf.gate_all_cases) additionally checks, after an unfiltered run, that
// those cases ran and passed.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace {

TEST(Coverage, EveryDropAndPassReasonHasACase)
{
	const auto missing = stft::uncovered(stft::declared_ids());
	for (uint32_t id : missing)
		ADD_FAILURE() << "no test case expects counter " << id << " ("
			      << stft::counter_name(id) << ")";
	EXPECT_TRUE(missing.empty());
	// Both STAT counters are exercised too.
	EXPECT_TRUE(stft::declared_ids().count(STF_C_decap));
	EXPECT_TRUE(stft::declared_ids().count(STF_C_encap));
}

TEST(Coverage, SlowPathCountersAreNotTheProgramsOwn)
{
	// A counter a program can reach needs a table case, not an entry in this list.
	for (const auto &u : stft::written_by_slow_path()) {
		EXPECT_EQ(stft::counter_kind(u.id), STF_KIND_DROP) << stft::counter_name(u.id);
		EXPECT_FALSE(stft::declared_ids().count(u.id)) << stft::counter_name(u.id);
		EXPECT_EQ(std::string(stft::counter_name(u.id)).rfind("slow_", 0), 0u)
			<< stft::counter_name(u.id);
	}
}

TEST(Coverage, UntriggerableListIsHonest)
{
	for (const auto &u : stft::untriggerable()) {
		EXPECT_NE(stft::counter_kind(u.id), STF_KIND_STAT) << stft::counter_name(u.id);
		// A reason with a case is not untriggerable: drop it from the list.
		EXPECT_FALSE(stft::declared_ids().count(u.id))
			<< stft::counter_name(u.id) << " is listed as untriggerable but has a case";
	}
}

} // namespace
