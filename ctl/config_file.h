// `attach --config FILE.json`: the attach settings from a JSON file, strictly checked. Unknown
// or repeated keys, wrong types and bad values are usage Errors naming the file and the key
// ("config.json: key 'ttl': expected an integer from 1 to 255"), so a typo never passes
// silently. Keys: local (string or array), mode, relay, ttl, xdp_mode, permit_private,
// ingress_filter, loop_guard, filters {allow: [...], deny: [...], ...}; and metrics, which only
// the service (run) uses: the other commands check it and ignore it.
#pragma once

#include <optional>
#include <string>

#include "listen_addr.h"
#include "options.h"

namespace stf {

// The service's own settings: not attach settings, so not in AttachRequest.
struct ServiceSettings {
	std::optional<ListenAddress> metrics; // absent: no metrics listener
};

// Reads and parses path; an unreadable file is a usage Error with the errno text. service,
// if given, receives the service's settings.
AttachRequest load_config_file(const std::string &path, ServiceSettings *service = nullptr);

// Parses text; origin (usually the path) starts every error message.
AttachRequest parse_config_json(const std::string &text, const std::string &origin,
				ServiceSettings *service = nullptr);

} // namespace stf
