// Addresses the fuzzer swaps into packets and configurations: every IPv4 range the programs
// classify or route specially (and the addresses just outside each), every IPv6 class, and
// 2002::/16 addresses embedding each of those IPv4 addresses.
#pragma once

#include <cstdint>
#include <vector>

#include "packet.h"
#include "rng.h"

namespace fuzz {

// V4ADDRs a random configuration draws its 1-3 locals from: two not on any interface
// (198.51.100.20, 203.0.113.1), one the uplink's address, one the host's address on another
// interface, one private.
const std::vector<uint32_t> &local_pool();
// Subnet broadcasts a configuration may list: the uplink's, nofwd0's, and two the kernel does
// not know as broadcasts.
const std::vector<uint32_t> &bcast_pool();

// An address from one of the listed ranges (any address inside it, or one of its edges).
uint32_t any_v4(Rng &r);
// A plausible 6to4 peer: mostly 203.0.113.0/24 (default route, resolved), sometimes any_v4().
uint32_t peer_v4(Rng &r);
// An IPv6 address from one of the classes, native or 2002:<any_v4>::.
pkt::In6 any_v6(Rng &r);
// A global unicast native IPv6 address (2000::/3 outside 2002::/16).
pkt::In6 native_v6(Rng &r);
// 2002:v4:subnet:iid with random subnet and interface id.
pkt::In6 six_to_four(Rng &r, uint32_t v4);

// For the deterministic sweep: the first, a middle and the last address of every listed IPv4
// range, and one or two addresses of every IPv6 class plus 2002:<each listed v4>::1.
std::vector<uint32_t> listed_v4();
std::vector<pkt::In6> listed_v6();

} // namespace fuzz
