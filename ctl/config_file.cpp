#include "config_file.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "error.h"
#include "rules.h"

namespace stf {

namespace {

using nlohmann::json;

// A config file is a handful of lines; the cap keeps `--config /dev/zero` from eating memory.
constexpr size_t kMaxConfigBytes = 1 << 20;

class ConfigReader {
public:
	explicit ConfigReader(const std::string &origin) : origin_(origin) {}

	[[noreturn]] void fail(const std::string &key, const std::string &problem) const
	{
		usage_error(origin_ + ": key '" + key + "': " + problem);
	}

	// Address checks that do not depend on permit_private; private addresses are judged
	// by merge_options, once the command line may have added --permit-private.
	uint32_t address(const json &v, const std::string &key, const char *what) const
	{
		if (!v.is_string())
			fail(key, "expected an IPv4 address as a string");
		const std::string &text = v.get_ref<const std::string &>();
		auto a = parse_ipv4(text);
		if (!a)
			fail(key, "'" + text + "' is not an IPv4 address");
		rewrap(key, [&] { require_unicast_v4(*a, true, what); });
		return *a;
	}

	std::vector<uint32_t> locals(const json &v) const
	{
		if (v.is_string())
			return {address(v, "local", "local address")};
		if (!v.is_array() || v.empty())
			fail("local", "expected an IPv4 address or a non-empty array of them");
		std::vector<uint32_t> out;
		for (const json &item : v)
			out.push_back(address(item, "local", "local address"));
		return out;
	}

	// An interface name or an array of them ([] for none).
	std::vector<std::string> names(const json &v, const std::string &key) const
	{
		if (v.is_string())
			return {v.get<std::string>()};
		if (!v.is_array())
			fail(key, "expected an interface name or an array of them");
		std::vector<std::string> out;
		for (const json &item : v) {
			if (!item.is_string())
				fail(key, "expected an interface name or an array of them");
			out.push_back(item.get<std::string>());
		}
		return out;
	}

	unsigned ttl(const json &v) const
	{
		// is_number_integer() is false for 64.0 and for booleans: both are typos here.
		if (!v.is_number_integer() || !valid_ttl(v.get<long long>()))
			fail("ttl", "expected " + ttl_range_text());
		return v.get<unsigned>();
	}

	template <typename Enum>
	Enum choice(const json &v, const std::string &key,
		    std::optional<Enum> (*parse)(std::string_view), const char *choices) const
	{
		std::optional<Enum> e;
		if (v.is_string())
			e = parse(v.get_ref<const std::string &>());
		if (!e)
			fail(key, std::string("expected one of ") + choices);
		return *e;
	}

	bool boolean(const json &v, const std::string &key) const
	{
		if (!v.is_boolean())
			fail(key, "expected true or false");
		return v.get<bool>();
	}

	ListenAddress listen_address(const json &v, const std::string &key) const
	{
		if (!v.is_string())
			fail(key, "expected \"ADDR:PORT\" as a string");
		ListenAddress a;
		rewrap(key, [&] { a = parse_listen_address(v.get_ref<const std::string &>()); });
		return a;
	}

	void filters(const json &v, AttachRequest &req) const
	{
		if (!v.is_object())
			fail("filters", "expected an object with \"allow\", \"deny\", \"relay\" and/or "
					"\"exception\" arrays");
		for (const auto &[name, list] : v.items()) {
			const std::string key = "filters." + name;
			auto kind = parse_filter_kind(name);
			if (!kind)
				fail(key, "unknown key (expected \"allow\", \"deny\", \"relay\" or "
					  "\"exception\")");
			if (!list.is_array())
				fail(key, "expected an array of IPv4 prefixes (\"A.B.C.D/N\")");
			auto &out = filter_list(req, *kind);
			for (const json &item : list) {
				if (!item.is_string())
					fail(key, "expected an array of IPv4 prefixes (\"A.B.C.D/N\")");
				rewrap(key, [&] {
					out.push_back(parse_ipv4_prefix(item.get_ref<const std::string &>()));
				});
			}
		}
	}

private:
	// Runs f, giving any usage Error it throws this file's and key's context.
	template <typename F> void rewrap(const std::string &key, F f) const
	{
		try {
			f();
		} catch (const Error &e) {
			fail(key, e.what());
		}
	}

	const std::string &origin_;
};

// nlohmann keeps the last of repeated keys silently; a repeated key is as likely a mistake as
// an unknown one, so the parser callback refuses it.
json parse_strict(const std::string &text, const std::string &origin)
{
	std::vector<std::set<std::string>> seen; // keys of each open object
	auto on_event = [&](int, json::parse_event_t event, json &parsed) {
		switch (event) {
		case json::parse_event_t::object_start:
			seen.emplace_back();
			break;
		case json::parse_event_t::object_end:
			seen.pop_back();
			break;
		case json::parse_event_t::key: {
			const auto &key = parsed.get_ref<const std::string &>();
			if (!seen.back().insert(key).second)
				usage_error(origin + ": key '" + key + "' appears twice");
			break;
		}
		default:
			break;
		}
		return true;
	};
	try {
		return json::parse(text, on_event);
	} catch (const json::parse_error &e) {
		// Drop the "[json.exception.parse_error.101] " tag; keep "parse error at line L,
		// column C: ..." so the user can find the spot.
		std::string what = e.what();
		size_t tag_end = what.find("] ");
		usage_error(origin + ": invalid JSON: " +
			    (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
	}
}

} // namespace

AttachRequest parse_config_json(const std::string &text, const std::string &origin,
				ServiceSettings *service)
{
	json doc = parse_strict(text, origin);
	if (!doc.is_object())
		usage_error(origin + ": expected a JSON object ({\"local\": ..., \"mode\": ...})");

	ConfigReader r(origin);
	AttachRequest req;
	ServiceSettings settings;
	std::set<std::string> seen;
	for (const auto &[key, v] : doc.items()) {
		// The command line's spelling is accepted too (xdp-mode as xdp_mode), so a setting
		// can be copied from one to the other; both spellings at once are one key twice.
		std::string k = key;
		std::replace(k.begin(), k.end(), '-', '_');
		if (k == "relay") // the first spelling of default_relay
			k = "default_relay";
		if (!seen.insert(k).second)
			r.fail(key, "the same setting as another key of this file (" + k + ")");
		if (k == "local")
			req.locals = r.locals(v);
		else if (k == "mode")
			req.mode = r.choice<Mode>(v, key, parse_mode,
						  "\"router\", \"relay\", \"return-relay\"");
		else if (k == "default_relay")
			req.relay = r.address(v, key, "default relay");
		else if (k == "ttl")
			req.ttl = r.ttl(v);
		else if (k == "xdp_mode")
			req.xdp_mode = r.choice<XdpMode>(v, key, parse_xdp_mode,
							 "\"native\", \"generic\"");
		else if (k == "xdp_dispatcher")
			req.xdp_dispatcher = r.boolean(v, key);
		else if (k == "permit_private")
			req.permit_private = r.boolean(v, key);
		else if (k == "ingress_filter")
			req.ingress_filter = r.boolean(v, key);
		else if (k == "loop_guard")
			req.loop_guard = r.boolean(v, key);
		else if (k == "fast_path")
			req.fast_path = r.boolean(v, key);
		else if (k == "lan")
			req.lan = r.names(v, key);
		else if (k == "filters")
			r.filters(v, req);
		else if (k == "metrics")
			settings.metrics = r.listen_address(v, key);
		else
			r.fail(key, "unknown key (expected local, mode, default_relay, ttl, xdp_mode, "
				    "xdp_dispatcher, permit_private, ingress_filter, loop_guard, fast_path, lan, filters, "
				    "metrics)");
	}
	if (service)
		*service = settings;
	return req;
}

AttachRequest load_config_file(const std::string &path, ServiceSettings *service)
{
	std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "re"), std::fclose);
	if (!f)
		throw Error(Exit::usage, path + ": cannot open", errno);
	std::string text;
	char buf[4096];
	size_t n;
	while ((n = std::fread(buf, 1, sizeof(buf), f.get())) > 0) {
		text.append(buf, n);
		if (text.size() > kMaxConfigBytes)
			usage_error(path + ": larger than " + std::to_string(kMaxConfigBytes) +
				    " bytes; is this a config file?");
	}
	if (std::ferror(f.get()))
		throw Error(Exit::usage, path + ": cannot read", errno);
	return parse_config_json(text, path, service);
}

} // namespace stf
