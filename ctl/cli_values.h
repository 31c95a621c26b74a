// The command line's values, converted and checked one by one (cli.cpp): each function
// names the argument in its usage Error, so every message reads the same as the config
// file's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "error.h"

namespace stf {

// Linux's dev_valid_name(): a bad name can only fail later, in a less clear place.
std::string checked_ifname(const std::string &name);

// An address that may be a 6to4 endpoint. Whether a private one is permitted depends on
// --permit-private or the config file, so that is judged when the request is merged.
uint32_t endpoint_address(const std::string &text, const char *what);

// --ttl: decimal 1..255 without a leading zero.
unsigned parse_ttl(const std::string &text);

// monitor --rate: decimal 1..STF_MONITOR_MAX_RATE events per second per CPU.
uint32_t parse_monitor_rate(const std::string &text);

template <typename Enum>
Enum parse_choice(const std::string &text, std::optional<Enum> (*parse)(std::string_view),
		  const char *what, const char *choices)
{
	auto v = parse(text);
	if (!v)
		usage_error(std::string(what) + ": '" + text + "' is not one of " + choices);
	return *v;
}

} // namespace stf
