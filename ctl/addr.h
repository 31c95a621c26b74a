// IPv4 and 6to4 address math: parsing, formatting, prefixes, validation. Pure, no kernel.
// Addresses are host byte order uint32_t throughout the control plane; conversion to network
// order happens only where a map struct is filled (maps.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stf/contract.h"

namespace stf {

struct Ipv4Prefix {
	uint32_t addr = 0; // host order, host bits zero
	uint8_t len = 32;
	bool operator==(const Ipv4Prefix &o) const { return addr == o.addr && len == o.len; }
};

// Strict dotted quad: four decimal octets, no leading zeros ("010.0.0.1" is rejected because
// inet_aton would read it as octal), no whitespace.
std::optional<uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(uint32_t host_order);

// "A.B.C.D/N" (or "A.B.C.D" meaning /32). Throws a usage Error naming the problem, including
// host bits set ("198.51.100.1/24 has host bits set; use 198.51.100.0/24").
Ipv4Prefix parse_ipv4_prefix(std::string_view text);
std::string format_ipv4_prefix(const Ipv4Prefix &p);

// Parse an address or throw a usage Error: "<what>: 'text' is not an IPv4 address".
uint32_t parse_ipv4_or_throw(std::string_view text, std::string_view what);

// "2002:c000:201::/48" for 192.0.2.1.
std::string sixto4_prefix(uint32_t v4);

// Directed broadcast of addr/len, or nullopt for /31 and /32 (no broadcast, RFC 3021).
std::optional<uint32_t> subnet_broadcast(uint32_t addr, uint8_t len);

// Human name of an address class ("loopback (127.0.0.0/8)").
const char *addr_class_name(enum stf_addr_class c);

// Throws a usage Error unless v4 may be a 6to4 endpoint (ours or a relay):
// "<what> 127.0.0.1 is loopback (127.0.0.0/8)".
void require_unicast_v4(uint32_t v4, bool permit_private, std::string_view what);

} // namespace stf
