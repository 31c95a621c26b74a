#include "plan.h"

#include <algorithm>

#include "addr.h"

namespace stf {

namespace {

const char *on_off(bool b) { return b ? "on" : "off"; }

std::string relay_text(const std::optional<uint32_t> &r) { return r ? format_ipv4(*r) : "none"; }

std::string names_text(const std::vector<std::string> &v)
{
	std::string out;
	for (const std::string &s : v)
		out += (out.empty() ? "" : ",") + s;
	return out.empty() ? "none" : out;
}

template <typename T> bool contains(const std::vector<T> &v, const T &x)
{
	return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

AttachOptions running_options(const AttachmentInfo &i)
{
	AttachOptions o;
	o.ifname = i.ifname;
	o.locals = i.locals;
	o.mode = i.mode;
	o.relay = i.relay;
	o.ttl = i.ttl;
	o.xdp_mode = i.xdp_mode.value_or(XdpMode::native);
	o.xdp_dispatcher = i.xdp_dispatcher_id != 0;
	o.permit_private = i.permit_private;
	o.ingress_filter = i.ingress_filter;
	o.loop_guard = i.loop_guard;
	o.fast_path = i.fast_path;
	for (const LanInfo &l : i.lan)
		o.lan.push_back(l.ifname);
	for (FilterKind k : kFilterKinds)
		filter_list(o, k) = filter_list(i, k);
	return o;
}

Plan make_plan(const AttachOptions &run, const AttachOptions &want)
{
	Plan p;
	p.target = want;
	const bool run_xdp = run.mode != Mode::return_relay, want_xdp = want.mode != Mode::return_relay;
	if (run_xdp != want_xdp)
		p.refused.push_back(std::string("mode ") + mode_name(run.mode) + " -> " +
				    mode_name(want.mode) + " (the XDP program would be " +
				    (want_xdp ? "added" : "removed") + ")");
	if (run_xdp && want_xdp && run.xdp_mode != want.xdp_mode)
		p.refused.push_back(std::string("xdp_mode ") + xdp_mode_name(run.xdp_mode) + " -> " +
				    xdp_mode_name(want.xdp_mode) + " (the XDP program would be re-hooked)");
	if (run_xdp && want_xdp && run.xdp_dispatcher != want.xdp_dispatcher)
		p.refused.push_back(std::string("xdp_dispatcher ") + (run.xdp_dispatcher ? "on" : "off") +
				    " -> " + (want.xdp_dispatcher ? "on" : "off") +
				    " (the XDP program would be re-hooked)");

	// Adding or removing a LAN interface hooks or unhooks an XDP program, each with its own
	// rollback; in place that would be a second attach. Only the set counts, not its order.
	std::vector<std::string> run_lan = run.lan, want_lan = want.lan;
	std::sort(run_lan.begin(), run_lan.end());
	std::sort(want_lan.begin(), want_lan.end());
	if (run_lan != want_lan)
		p.refused.push_back("lan " + names_text(run.lan) + " -> " + names_text(want.lan) +
				    " (XDP programs would be hooked or unhooked on LAN interfaces)");

	// Filters first, additions before removals: during the change a source is allowed if
	// either configuration allows it and denied if either denies it, so nothing both accept
	// is dropped and nothing both drop gets through.
	for (FilterKind k : kFilterKinds)
		for (const Ipv4Prefix &x : filter_list(want, k))
			if (!contains(filter_list(run, k), x)) {
				p.filter_adds.emplace_back(k, x);
				p.steps.push_back(std::string("filter ") + filter_kind_name(k) + " +" +
						  format_ipv4_prefix(x));
			}

	const size_t config_at = p.steps.size();
	auto changed = [&p](const std::string &what, const std::string &from, const std::string &to) {
		if (from != to) {
			p.config_changed = true;
			p.steps.push_back(what + " " + from + " -> " + to);
		}
	};
	changed("mode", mode_name(run.mode), mode_name(want.mode));
	changed("ttl", std::to_string(run.ttl), std::to_string(want.ttl));
	changed("relay", relay_text(run.relay), relay_text(want.relay));
	changed("permit_private", on_off(run.permit_private), on_off(want.permit_private));
	changed("ingress_filter", on_off(run.ingress_filter), on_off(want.ingress_filter));
	changed("loop_guard", on_off(run.loop_guard), on_off(want.loop_guard));
	changed("fast_path", on_off(run.fast_path), on_off(want.fast_path));
	for (uint32_t a : want.locals)
		if (!contains(run.locals, a)) {
			p.config_changed = true;
			p.steps.push_back("local +" + format_ipv4(a));
		}
	for (uint32_t a : run.locals)
		if (!contains(want.locals, a)) {
			p.config_changed = true;
			p.steps.push_back("local -" + format_ipv4(a));
		}
	// locals[0] sources packets from native IPv6: a new first one is a change too.
	if (!want.locals.empty() && !run.locals.empty() && want.locals[0] != run.locals[0] &&
	    contains(run.locals, want.locals[0]))
		changed("primary local", format_ipv4(run.locals[0]), format_ipv4(want.locals[0]));
	// A new relay's route after the config that names it, a removed relay's route before
	// the config forgets it: native IPv6 never enters the tunnel without a relay to go to.
	if (run.relay.has_value() != want.relay.has_value()) {
		p.default_route = want.relay ? +1 : -1;
		if (want.relay)
			p.steps.push_back("route ::/0 into the tunnel (metric 2048)");
		else
			p.steps.insert(p.steps.begin() + static_cast<long>(config_at),
				       "route ::/0 out of the tunnel");
	}

	for (FilterKind k : kFilterKinds)
		for (const Ipv4Prefix &x : filter_list(run, k))
			if (!contains(filter_list(want, k), x)) {
				p.filter_dels.emplace_back(k, x);
				p.steps.push_back(std::string("filter ") + filter_kind_name(k) + " -" +
						  format_ipv4_prefix(x));
			}
	return p;
}

} // namespace stf
