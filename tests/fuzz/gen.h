// Inputs of the differential fuzzer: a random configuration and a frame mutated from a valid
// 6to4 packet, both drawn from (seed, case index) alone.
#pragma once

#include <cstdint>
#include <string>

#include "model.h"
#include "packet.h"
#include "rng.h"

namespace fuzz {

struct Case {
	bool encap = false; // tc encapsulation of an IPv6 frame, else XDP decapsulation
	stf_model::Config config;
	pkt::Bytes frame;
	std::string origin; // the corpus entry and the mutations applied, for a report
};

// The harness's fixed part of every configuration: interfaces, tunnel MAC, TTL 64, ingress
// filter on, no locals, no broadcasts, no relay, no filters.
stf_model::Config base_config();

Case make_case(uint64_t seed, uint64_t index);

// One line per field that matters, for a disagreement report.
std::string describe_config(const stf_model::Config &c);

// Byte offsets of a frame's headers.
constexpr size_t kOuter = pkt::kEthLen;                // decap: IPv4 header
constexpr size_t kInner = pkt::kEthLen + pkt::kIpv4Len; // decap: IPv6 header
constexpr size_t kSix = pkt::kEthLen;                  // encap: IPv6 header

// Recomputes the 20-byte outer IPv4 header checksum of a decap frame (if it has one).
void fix_outer_checksum(pkt::Bytes &f);

} // namespace fuzz
