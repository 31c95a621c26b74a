// Fixed inputs run before the random ones on every fuzzer run: each disagreement between the
// model and the dataplane that was found and resolved stays here, so it cannot come back.
#pragma once

#include <vector>

#include "gen.h"

namespace fuzz {

struct Regression {
	const char *name;
	const char *why; // what disagreed, and which side was wrong
	Case (*make)();
};

const std::vector<Regression> &regressions();

} // namespace fuzz
