// Shared by the unit tests: an IPv4 address in host order, written as four octets.
#pragma once

#include <cstdint>

namespace stf::test {

constexpr uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

} // namespace stf::test
