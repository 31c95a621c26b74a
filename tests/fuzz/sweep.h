// Deterministic inputs compared on every run before the random ones, whatever the seed:
// each corpus packet cut at every length, and every listed address (pools.h) in every
// address field and in the relay, under a few fixed configurations. Random cases reach the
// same ground only by chance; these make sure of it.
#pragma once

#include <vector>

#include "gen.h"

namespace fuzz {

std::vector<Case> sweep_cases();

} // namespace fuzz
