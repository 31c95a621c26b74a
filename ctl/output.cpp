#include "output.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>

#include "output_common.h"

namespace stf {

namespace {

using namespace output_detail;

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
