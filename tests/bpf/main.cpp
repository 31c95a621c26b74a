// Entry point of stf_bpf_tests: a private network namespace (so the tc FIB lookups see a
// topology we control and nothing leaks into the host), one skeleton for the whole binary,
// then the tables. Fails loudly: no namespace, no skeleton, zero tests run, a failed test or
// (after an unfiltered run) a drop or pass reason no case hit all give a non-zero exit.
#include <cstdio>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness.h"

int main(int argc, char **argv)
{
	::testing::InitGoogleMock(&argc, argv);

	// --gtest_list_tests (ctest discovery) must work without root or a kernel.
	if (::testing::GTEST_FLAG(list_tests))
		return RUN_ALL_TESTS();

	if (!stft::setup_netns()) {
		std::fprintf(stderr, "FATAL: cannot build the test network namespace\n");
		return 2;
	}
	if (!stft::load_skeleton()) {
		std::fprintf(stderr, "FATAL: cannot load the stf BPF skeleton\n");
		return 2;
	}

	int rc = RUN_ALL_TESTS();
	const auto *unit = ::testing::UnitTest::GetInstance();
	if (unit->test_to_run_count() == 0) {
		std::fprintf(stderr, "FATAL: zero tests ran\n");
		rc = 1;
	}

	// Every case that passed its counter check recorded its reason. After a full run, every
	// DROP and PASS reason must be among them (or argued untriggerable in harness.cpp).
	if (unit->test_to_run_count() == unit->total_test_count()) {
		const auto missing = stft::uncovered(stft::hit_ids());
		for (uint32_t id : missing)
			std::fprintf(stderr, "FATAL: counter %u (%s) was never hit by a passing case\n",
				     id, stft::counter_name(id));
		if (!missing.empty())
			rc = 1;
		for (const auto &u : stft::untriggerable())
			std::fprintf(stderr, "note: %s not covered: %s\n", stft::counter_name(u.id),
				     u.why);
	}

	stft::unload_skeleton();
	return rc == 0 ? 0 : 1;
}
