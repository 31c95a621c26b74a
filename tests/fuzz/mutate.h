// Mutations of a valid frame: one header field, the length, an address swapped into a listed
// range, random bytes. Each appends what it did to `log`, so a report says how the input was
// made.
#pragma once

#include <string>
#include <vector>

#include "packet.h"
#include "rng.h"

namespace fuzz {

// The addresses a consistent swap may reuse: our locals (so a 2002:: address can embed one).
struct MutationContext {
	std::vector<uint32_t> locals;
};

// Applies 1-4 mutations to a decap frame (Ethernet + IPv4 + IPv6 ...), then, unless a
// mutation wanted the checksum wrong, usually recomputes the outer checksum so that the later
// checks stay reachable.
void mutate_decap(Rng &r, pkt::Bytes &f, const MutationContext &ctx, std::string &log);

// Applies 1-4 mutations to an encap frame (Ethernet + IPv6 ...).
void mutate_encap(Rng &r, pkt::Bytes &f, const MutationContext &ctx, std::string &log);

} // namespace fuzz
