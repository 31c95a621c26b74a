#include "output.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>

#include <nlohmann/json.hpp>

namespace stf {

namespace {

// ordered_json keeps keys in the order written, so documents read top-down like the human form.
using Json = nlohmann::ordered_json;

constexpr int kLabelWidth = 13;
constexpr const char *kIndent = "    ";
constexpr const char *kNotAttached = "stf-xdp is not attached to any interface";

void emit(std::ostream &os, const Json &doc)
{
	// replace: an interface name is bytes, not necessarily UTF-8; never throw while printing.
	os << doc.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

// Out-of-range ids read as zero, so an older dataplane with fewer counters still prints.
stf_counter counter_at(const CounterValues &v, uint32_t id)
{
	return id < v.size() ? v[id] : stf_counter{};
}

// ---- JSON documents ------------------------------------------------------------------------

Json locals_json(const AttachmentInfo &i)
{
	Json out = Json::array();
	for (uint32_t a : i.locals)
		out.push_back({{"address", format_ipv4(a)}, {"prefix", sixto4_prefix(a)}});
	return out;
}

Json prefixes_json(const std::vector<Ipv4Prefix> &list)
{
	Json out = Json::array();
	for (const auto &p : list)
		out.push_back(format_ipv4_prefix(p));
	return out;
}

// {"allow": [...], "deny": [...], "relay": [...], "exception": [...]}: every table, empty or not.
Json filters_json(const AttachmentInfo &i)
{
	Json out = Json::object();
	for (FilterKind k : kFilterKinds)
		out[filter_kind_name(k)] = prefixes_json(filter_list(i, k));
	return out;
}

// A deleted LAN interface keeps its entry (ifname null) until detach: the fast path's map
// still names it.
Json lan_json(const AttachmentInfo &i)
{
	Json arr = Json::array();
	for (const LanInfo &l : i.lan)
		arr.push_back({{"ifname", l.ifname.empty() ? Json(nullptr) : Json(l.ifname)},
			       {"ifindex", l.ifindex},
			       {"xdp", l.xdp_prog_id ? Json{{"mode", xdp_mode_name(l.xdp_mode.value_or(
									    XdpMode::native))},
							    {"prog_id", l.xdp_prog_id}}
						     : Json(nullptr)}});
	return arr;
}

Json status_json(const AttachmentInfo &i)
{
	Json bcasts = Json::array();
	for (uint32_t b : i.broadcasts)
		bcasts.push_back(format_ipv4(b));
	Json xdp = nullptr;
	if (i.xdp_mode)
		xdp = {{"mode", xdp_mode_name(*i.xdp_mode)},
		       {"prog_id", i.xdp_prog_id},
		       // libxdp's dispatcher running our program among others, or null.
		       {"dispatcher", i.xdp_dispatcher_id ? Json{{"prog_id", i.xdp_dispatcher_id}}
							  : Json(nullptr)}};
	return {
		{"ifname", i.ifname},
		{"ifindex", i.ifindex},
		{"interface_deleted", i.ifindex == 0},
		{"link_mtu", i.link_mtu},
		{"mode", mode_name(i.mode)},
		{"tunnel",
		 {{"name", i.tunnel},
		  {"ifindex", i.tun_ifindex},
		  {"mtu", i.tunnel_mtu},
		  {"ipv4_forwarding", i.tunnel_forwarding}}},
		{"local", locals_json(i)},
		{"relay", i.relay ? Json(format_ipv4(*i.relay)) : Json(nullptr)},
		{"ttl", i.ttl},
		{"permit_private", i.permit_private},
		{"ingress_filter", i.ingress_filter},
		{"loop_guard", i.loop_guard},
		{"fast_path", i.fast_path},
		{"lan", lan_json(i)},
		{"xdp", xdp},
		{"slow_path", i.slow_path ? Json{{"running", *i.slow_path}} : Json(nullptr)},
		{"tc_prog_id", i.tc_prog_id},
		{"filters", filters_json(i)},
		{"subnet_broadcasts", bcasts},
	};
}

Json packets_bytes(const stf_counter &c) { return {{"packets", c.packets}, {"bytes", c.bytes}}; }

// Every STAT counter at the top level under its own name ("decap", "encap"), every PASS
// counter under "passed", and every DROP reason under "drops" with zeros included, so the
// schema never depends on what happened to be counted.
Json stats_json(const AttachmentStats &s)
{
	Json out = {{"ifname", s.ifname}};
	Json passed = Json::object();
	Json drops = Json::object();
	for (const CounterInfo &c : counter_table()) {
		stf_counter v = counter_at(s.counters, c.id);
		switch (c.kind) {
		case CounterKind::stat:
			out[c.name] = packets_bytes(v);
			break;
		case CounterKind::pass:
			passed[c.name] = packets_bytes(v);
			break;
		case CounterKind::drop:
			drops[c.name] = v.packets;
			break;
		}
	}
	out["passed"] = passed;
	out["drops"] = drops;
	return out;
}

template <typename T, typename F> Json interfaces_json(const std::vector<T> &list, F item)
{
	Json arr = Json::array();
	for (const T &x : list)
		arr.push_back(item(x));
	return {{"interfaces", arr}};
}

Json prefix_list_item(const AttachmentInfo &i)
{
	return {{"ifname", i.ifname}, {"local", locals_json(i)}};
}

Json filter_list_item(const AttachmentInfo &i)
{
	Json out = filters_json(i);
	out["ifname"] = i.ifname;
	return out;
}

// ---- human form ----------------------------------------------------------------------------

std::ostream &label(std::ostream &os, const std::string &name)
{
	return os << kIndent << std::left << std::setw(kLabelWidth) << name << ' ';
}

std::string join(const std::vector<std::string> &parts, const char *sep)
{
	std::string out;
	for (const auto &p : parts)
		out += (out.empty() ? "" : sep) + p;
	return out;
}

std::string prefix_list_text(const std::vector<Ipv4Prefix> &list, const char *if_empty)
{
	std::vector<std::string> parts;
	for (const auto &p : list)
		parts.push_back(format_ipv4_prefix(p));
	return parts.empty() ? if_empty : join(parts, " ");
}

std::string lan_text(const LanInfo &l)
{
	if (l.ifname.empty())
		return "ifindex " + std::to_string(l.ifindex) + " (deleted)";
	if (!l.xdp_prog_id)
		return l.ifname + " (its XDP program is missing: nothing is encapsulated from it)";
	return l.ifname + " (XDP " + xdp_mode_name(l.xdp_mode.value_or(XdpMode::native)) +
	       ", prog id " + std::to_string(l.xdp_prog_id) + ")";
}

std::string xdp_text(const AttachmentInfo &i)
{
	if (i.xdp_mode && i.xdp_dispatcher_id)
		return std::string(xdp_mode_name(*i.xdp_mode)) + ", prog id " +
		       std::to_string(i.xdp_prog_id) + " in libxdp's dispatcher (prog id " +
		       std::to_string(i.xdp_dispatcher_id) + ")";
	if (i.xdp_mode)
		return std::string(xdp_mode_name(*i.xdp_mode)) + ", prog id " +
		       std::to_string(i.xdp_prog_id);
	if (i.mode == Mode::return_relay)
		return "none (return-relay: output only)";
	// Someone removed our program behind our back: say so rather than look healthy.
	return "none (missing: nothing is decapsulated; detach and attach again)";
}

void status_human(std::ostream &os, const AttachmentInfo &i)
{
	if (i.ifindex)
		os << i.ifname << " (ifindex " << i.ifindex << ")\n";
	else
		os << i.ifname << " (deleted while attached: 'stf-xdp detach " << i.ifname
		   << "' removes the tunnel)\n";
	label(os, "mode") << mode_name(i.mode) << '\n';
	label(os, "tunnel") << i.tunnel << " (ifindex " << i.tun_ifindex << ") mtu " << i.tunnel_mtu;
	// The tunnel MTU is set at attach; a link MTU changed since then makes oversized packets
	// die as encap_too_big instead of earning a Packet Too Big.
	if (i.link_mtu && i.tunnel_mtu + kTunnelOverheadBytes != i.link_mtu)
		os << " (stale: " << i.ifname << " MTU is now " << i.link_mtu
		   << "; detach and attach again)";
	if (!i.tunnel_forwarding)
		os << " (IPv4 forwarding is off on " << i.tunnel
		   << ": every packet is dropped as decap_fib_failed / encap_fib_failed; detach and "
		      "attach again)";
	os << '\n';
	if (i.locals.empty())
		label(os, "local") << "none\n";
	for (size_t k = 0; k < i.locals.size(); k++)
		label(os, k ? "" : "local") << format_ipv4(i.locals[k]) << "  prefix "
					    << sixto4_prefix(i.locals[k]) << '\n';
	label(os, "default relay") << (i.relay ? format_ipv4(*i.relay) : "none") << '\n';
	label(os, "ttl") << unsigned{i.ttl} << '\n';
	label(os, "private") << (i.permit_private ? "permitted" : "not permitted") << '\n';
	label(os, "ingress") << (i.ingress_filter ? "filter on" : "filter off") << '\n';
	label(os, "loop guard") << (i.loop_guard ? "on" : "off") << '\n';
	label(os, "fast path") << (i.fast_path ? "on" : "off") << '\n';
	if (i.lan.empty())
		label(os, "lan") << "none\n";
	for (size_t k = 0; k < i.lan.size(); k++)
		label(os, k ? "" : "lan") << lan_text(i.lan[k]) << '\n';
	label(os, "xdp") << xdp_text(i) << '\n';
	if (i.slow_path)
		label(os, "slow path")
			<< (*i.slow_path ? "running (outer fragments and IPv4 options are decapsulated)"
					 : "not running: outer fragments and packets with IPv4 options are "
					   "dropped by the kernel; start 'stf-xdp slowpath'")
			<< '\n';
	label(os, "tc") << "prog id " << i.tc_prog_id << " on " << i.tunnel << " egress\n";
	label(os, "filter allow") << prefix_list_text(i.allow, "any source") << '\n';
	label(os, "filter deny") << prefix_list_text(i.deny, "none") << '\n';
	label(os, "filter relay") << prefix_list_text(i.relays, "any relay") << '\n';
	label(os, "filter except") << prefix_list_text(i.exceptions, "none") << '\n';
	std::vector<std::string> bcasts;
	for (uint32_t b : i.broadcasts)
		bcasts.push_back(format_ipv4(b));
	label(os, "broadcasts") << (bcasts.empty() ? "none" : join(bcasts, " ")) << '\n';
}

std::string packets_bytes_text(const stf_counter &c)
{
	return std::to_string(c.packets) + " packets, " + std::to_string(c.bytes) + " bytes";
}

void stats_human(std::ostream &os, const AttachmentStats &s)
{
	os << s.ifname << '\n';
	std::vector<const CounterInfo *> drops;
	for (const CounterInfo &c : counter_table()) {
		stf_counter v = counter_at(s.counters, c.id);
		if (c.kind == CounterKind::drop) {
			if (v.packets)
				drops.push_back(&c);
			continue;
		}
		label(os, c.name) << packets_bytes_text(v);
		if (c.kind == CounterKind::pass)
			os << "  (" << c.description << ')';
		os << '\n';
	}
	if (drops.empty()) {
		label(os, "drops") << "no drops\n";
		return;
	}
	uint64_t total = 0;
	size_t width = 0;
	for (const CounterInfo *c : drops) {
		total += counter_at(s.counters, c->id).packets;
		width = std::max(width, std::string_view(c->name).size());
	}
	label(os, "drops") << total << " packets, by reason:\n";
	for (const CounterInfo *c : drops)
		os << kIndent << kIndent << std::left << std::setw(static_cast<int>(width)) << c->name
		   << ' ' << std::right << std::setw(12) << counter_at(s.counters, c->id).packets
		   << "  " << c->description << '\n';
}

template <typename T, typename F>
void for_each_interface(std::ostream &os, const std::vector<T> &list, F print, bool blank_between)
{
	if (list.empty())
		os << kNotAttached << '\n';
	for (size_t k = 0; k < list.size(); k++) {
		if (k && blank_between)
			os << '\n';
		print(os, list[k]);
	}
}

void prefixes_human(std::ostream &os, const AttachmentInfo &i)
{
	for (uint32_t a : i.locals)
		os << i.ifname << " local " << format_ipv4(a) << " prefix " << sixto4_prefix(a) << '\n';
}

void filters_human(std::ostream &os, const AttachmentInfo &i)
{
	bool any = false;
	for (FilterKind k : kFilterKinds)
		for (const auto &p : filter_list(i, k)) {
			os << i.ifname << ' ' << filter_kind_name(k) << ' ' << format_ipv4_prefix(p) << '\n';
			any = true;
		}
	if (!any)
		os << i.ifname << ": no filters (every source allowed)\n";
}

} // namespace

void print_status(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json)
{
	if (json)
		return emit(os, interfaces_json(list, status_json));
	for_each_interface(os, list, status_human, true);
}

void print_stats(std::ostream &os, const std::vector<AttachmentStats> &list, bool json)
{
	if (json)
		return emit(os, interfaces_json(list, stats_json));
	for_each_interface(os, list, stats_human, true);
}

void print_prefixes(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json)
{
	if (json)
		return emit(os, interfaces_json(list, prefix_list_item));
	for_each_interface(os, list, prefixes_human, false);
}

void print_filters(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json)
{
	if (json)
		return emit(os, interfaces_json(list, filter_list_item));
	for_each_interface(os, list, filters_human, false);
}

void print_error(std::ostream &os, const Error &e, bool json)
{
	if (json)
		return emit(os, Json{{"error", e.what()}});
	// One line whatever the message quotes: a newline or other control character in an
	// argument or a config file is shown escaped, as JSON would show it.
	std::string line;
	for (unsigned char ch : std::string(e.what())) {
		if (ch == '\n')
			line += "\\n";
		else if (ch < 0x20 || ch == 0x7f) {
			char hex[5];
			std::snprintf(hex, sizeof hex, "\\x%02x", ch);
			line += hex;
		} else
			line += static_cast<char>(ch);
	}
	os << "stf-xdp: " << line << '\n';
}

void print_attached(std::ostream &os, const AttachmentInfo &info, bool json)
{
	if (json)
		return print_status(os, {info}, true);
	std::vector<std::string> locals;
	for (uint32_t a : info.locals)
		locals.push_back(format_ipv4(a) + " (" + sixto4_prefix(a) + ")");
	os << "attached to " << info.ifname << ": mode " << mode_name(info.mode) << ", local "
	   << join(locals, ", ") << ", tunnel " << info.tunnel << " mtu " << info.tunnel_mtu
	   << ", xdp " << xdp_text(info) << '\n';
}

void print_detached(std::ostream &os, const std::string &ifname, bool json)
{
	if (json)
		return emit(os, nullptr);
	os << "detached from " << ifname << '\n';
}

void print_prefix_changed(std::ostream &os, const AttachmentInfo &info, uint32_t v4, bool added,
			  bool json)
{
	if (json)
		return print_prefixes(os, {info}, true);
	os << info.ifname << ": " << (added ? "added" : "removed") << " local " << format_ipv4(v4)
	   << " (prefix " << sixto4_prefix(v4) << ")\n";
}

void print_filter_changed(std::ostream &os, const AttachmentInfo &info, FilterKind kind,
			  const Ipv4Prefix &p, bool added, bool json)
{
	if (json)
		return print_filters(os, {info}, true);
	os << info.ifname << ": " << (added ? "added" : "removed") << " filter "
	   << filter_kind_name(kind) << ' ' << format_ipv4_prefix(p) << '\n';
}

} // namespace stf
