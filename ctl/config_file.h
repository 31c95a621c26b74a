// `attach --config FILE.json`: the attach settings from a JSON file, strictly checked. Unknown
// or repeated keys, wrong types and bad values are usage Errors naming the file and the key
// ("config.json: key 'ttl': expected an integer from 1 to 255"), so a typo never passes
// silently. Keys: local (string or array), mode, relay, ttl, xdp_mode, permit_private,
// filters {allow: [...], deny: [...]}.
#pragma once

#include <string>

#include "options.h"

namespace stf {

// Reads and parses path; an unreadable file is a usage Error with the errno text.
AttachRequest load_config_file(const std::string &path);

// Parses text; origin (usually the path) starts every error message.
AttachRequest parse_config_json(const std::string &text, const std::string &origin);

} // namespace stf
