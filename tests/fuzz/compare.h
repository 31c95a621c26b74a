// One case through both sides: the BPF program under BPF_PROG_TEST_RUN (in the harness's
// namespace, with the case's configuration written to the maps) and the reference model.
#pragma once

#include <optional>
#include <string>

#include "gen.h"
#include "model.h"

namespace fuzz {

struct Observed {
	int err = 0;                     // bpf_prog_test_run_opts: 0 or -errno
	uint32_t action = 0;
	std::optional<uint32_t> counter; // the one counter that moved by (1, frame bytes)
	std::string counter_problem;     // set when the counters moved any other way
	pkt::Bytes out;
};

enum class Outcome {
	Agree,
	Disagree,
	NotComparable, // PROG_TEST_RUN refused the frame before the program ran
	HarnessError,  // a map could not be written: nothing was compared
};

struct Comparison {
	Outcome outcome = Outcome::Agree;
	Observed bpf;
	stf_model::Result model;
	std::string why; // what differs
};

Comparison run_case(const Case &c);

// Everything needed to reproduce and judge a disagreement.
std::string report(uint64_t seed, const std::string &index, const Case &c, const Comparison &cmp);

} // namespace fuzz
