// Entry point of stf_bpf_tests: a private network namespace (so the tc FIB lookups see a
// topology we control and nothing leaks into the host), one skeleton for the whole binary,
// then the tables. Fails loudly: no namespace, no skeleton, zero tests run or a failed test
// give a non-zero exit.
//
// After an unfiltered run the gate below also checks the run as a whole. ctest runs every
// case in a process of its own (gtest_discover_tests), where no single process sees them all,
// so tests/CMakeLists.txt adds bpf.gate_all_cases: this binary, unfiltered, with --stf-gate,
// which makes a run the gate cannot judge (a filter, sharding) a failure too.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness.h"

namespace {

// Removes --stf-gate from argv (gtest would leave it alone, but it is ours) and says whether
// it was there.
bool take_gate_flag(int &argc, char **argv)
{
	bool found = false;
	int out = 1;
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--stf-gate") == 0)
			found = true;
		else
			argv[out++] = argv[i];
	}
	argc = out;
	argv[argc] = nullptr;
	return found;
}

// A run the gate can judge: every test selected. A filter or a shard leaves some out.
bool unfiltered()
{
	return ::testing::GTEST_FLAG(filter) == "*" && !std::getenv("GTEST_TOTAL_SHARDS");
}

// Every case ran and passed, none skipped or disabled; every DROP and PASS reason was hit by
// a passing case (or is argued untriggerable in harness.cpp), and so were both STAT counters.
// Prints what is missing, then one line of what was verified; true if all of it holds.
bool gate()
{
	const auto *unit = ::testing::UnitTest::GetInstance();
	bool ok = true;
	auto fail = [&ok](const std::string &why) {
		std::fprintf(stderr, "GATE FAILED: %s\n", why.c_str());
		ok = false;
	};
	const int total = unit->total_test_count();
	if (unit->disabled_test_count() > 0)
		fail(std::to_string(unit->disabled_test_count()) +
		     " disabled test(s): a DISABLED_ case is a hole in the coverage");
	if (unit->skipped_test_count() > 0)
		fail(std::to_string(unit->skipped_test_count()) + " skipped test(s) (GTEST_SKIP)");
	if (unit->failed_test_count() > 0)
		fail(std::to_string(unit->failed_test_count()) + " failed test(s)");
	if (unit->test_to_run_count() != total || unit->successful_test_count() != total)
		fail(std::to_string(unit->successful_test_count()) + " of " + std::to_string(total) +
		     " tests ran and passed");

	const auto &hit = stft::hit_ids();
	for (uint32_t id : stft::declared_ids())
		if (!hit.count(id))
			fail(std::string("counter ") + stft::counter_name(id) +
			     " has a case, but no case expecting it ran and passed");
	const auto missing = stft::uncovered(hit);
	for (uint32_t id : missing)
		fail("counter " + std::to_string(id) + " (" + stft::counter_name(id) +
		     ") was never hit by a passing case");
	for (uint32_t id : {uint32_t(STF_C_decap), uint32_t(STF_C_encap)})
		if (!hit.count(id))
			fail(std::string("STAT counter ") + stft::counter_name(id) + " never moved");

	size_t reasons = 0, reasons_hit = 0;
	for (uint32_t id = 0; id < STF_COUNTER_COUNT_; id++) {
		if (stft::counter_kind(id) == STF_KIND_STAT)
			continue;
		reasons++;
		reasons_hit += hit.count(id);
	}
	std::string untriggerable;
	for (const auto &u : stft::untriggerable())
		untriggerable += std::string(untriggerable.empty() ? "" : ", ") + stft::counter_name(u.id);
	std::printf("gate %s: %d of %d tests ran and passed (%d skipped, %d disabled); %zu of %zu "
		    "DROP/PASS reasons hit by a passing case, %zu argued untriggerable (%s); "
		    "STAT decap and encap %s\n",
		    ok ? "passed" : "FAILED", unit->successful_test_count(), total,
		    unit->skipped_test_count(), unit->disabled_test_count(), reasons_hit, reasons,
		    stft::untriggerable().size(), untriggerable.c_str(),
		    hit.count(STF_C_decap) && hit.count(STF_C_encap) ? "hit" : "NOT hit");
	std::fflush(stdout); // before the notes on stderr
	return ok;
}

} // namespace

int main(int argc, char **argv)
{
	const bool gate_required = take_gate_flag(argc, argv);
	::testing::InitGoogleMock(&argc, argv);

	// --gtest_list_tests (ctest discovery) must work without root or a kernel.
	if (::testing::GTEST_FLAG(list_tests))
		return RUN_ALL_TESTS();

	if (gate_required && !unfiltered()) {
		std::fprintf(stderr, "FATAL: --stf-gate needs an unfiltered, unsharded run\n");
		return 1;
	}
	if (!stft::setup_all())
		return 2;

	int rc = RUN_ALL_TESTS();
	const auto *unit = ::testing::UnitTest::GetInstance();
	if (unit->test_to_run_count() == 0) {
		std::fprintf(stderr, "FATAL: zero tests ran\n");
		rc = 1;
	}
	if (unfiltered()) {
		if (!gate())
			rc = 1;
		for (const auto &u : stft::untriggerable())
			std::fprintf(stderr, "note: %s not covered: %s\n", stft::counter_name(u.id),
				     u.why);
	}

	stft::unload_skeleton();
	return rc == 0 ? 0 : 1;
}
