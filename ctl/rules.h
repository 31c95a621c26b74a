// The validation rules that more than one path applies (command line, config file, merge,
// attach, apply, prefix add, following the host), each defined once here so the paths cannot
// drift apart. Pure: no kernel. Each require_* throws a usage Error naming the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stf {

// Outer TTL: 1..255 (0 would be dropped by the first router).
constexpr unsigned kMinTtl = 1;
constexpr unsigned kMaxTtl = 255;
bool valid_ttl(long long ttl);
std::string ttl_range_text(); // "an integer from 1 to 255", as every TTL message says it

// What encapsulation adds to every packet: the outer IPv4 header.
constexpr unsigned kTunnelOverheadBytes = 20;
constexpr unsigned kIpv6MinMtu = 1280; // RFC 8200
// The tunnel MTU over a link of link_mtu, or nullopt if that is below IPv6's minimum.
std::optional<unsigned> tunnel_mtu_for(unsigned link_mtu);
// Throws unless tunnel_mtu_for(link_mtu) exists: "<context>: MTU N leaves a tunnel MTU ...".
unsigned require_tunnel_mtu(unsigned link_mtu, const std::string &context);

// At most STF_MAX_LOCAL local addresses (the config's array).
void require_local_count(size_t n);
// The dataplane drops packets to its own addresses: a relay must be another host.
void require_relay_not_local(const std::vector<uint32_t> &locals,
			     const std::optional<uint32_t> &relay);
// A connected subnet's broadcast is dropped both ways: as a local address or a relay it is a
// mistake to report now, not a silence to debug later.
void require_no_broadcast(const std::vector<uint32_t> &locals,
			  const std::optional<uint32_t> &relay,
			  const std::vector<uint32_t> &broadcasts);

} // namespace stf
