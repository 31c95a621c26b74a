#include "cli_values.h"

#include <net/if.h>

#include <algorithm>
#include <cctype>

#include "addr.h"
#include "options.h"
#include "rules.h"

namespace stf {

std::string checked_ifname(const std::string &name)
{
	if (name.empty() || name == "." || name == "..")
		usage_error("'" + name + "' is not a valid interface name");
	if (name.size() >= IFNAMSIZ)
		usage_error("interface name '" + name + "' is longer than " +
			    std::to_string(IFNAMSIZ - 1) + " characters");
	for (char ch : name)
		if (ch == '/' || ch == ':' || std::isspace(static_cast<unsigned char>(ch)))
			usage_error("'" + name + "' is not a valid interface name");
	return name;
}

uint32_t endpoint_address(const std::string &text, const char *what)
{
	uint32_t a = parse_ipv4_or_throw(text, what);
	require_unicast_v4(a, true, what);
	return a;
}

unsigned parse_ttl(const std::string &text)
{
	// No leading zero: "064" reads as octal 52 to some tools, so it is refused, not guessed.
	bool digits = !text.empty() && text.size() <= 3 && (text.size() == 1 || text[0] != '0') &&
		      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
	unsigned v = digits ? static_cast<unsigned>(std::stoul(text)) : 0;
	if (!digits || !valid_ttl(v))
		usage_error("--ttl: '" + text + "' is not " + ttl_range_text());
	return v;
}

uint32_t parse_monitor_rate(const std::string &text)
{
	bool digits = !text.empty() && text.size() <= 5 && (text.size() == 1 || text[0] != '0') &&
		      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
	uint32_t v = digits ? static_cast<uint32_t>(std::stoul(text)) : 0;
	if (!digits || v < 1 || v > STF_MONITOR_MAX_RATE)
		usage_error("--rate: '" + text + "' is not an integer from 1 to " +
			    std::to_string(STF_MONITOR_MAX_RATE));
	return v;
}

} // namespace stf
