// check FILE: the configuration as attach would take it from the file, so an operator sees
// what the file means (defaults filled in), not only that it parsed. apply: its plan.
#include <nlohmann/json.hpp>

#include "addr.h"
#include "output.h"
#include "plan.h"

namespace stf {

void print_checked(std::ostream &os, const std::string &path, const AttachOptions &o, bool json)
{
	nlohmann::ordered_json locals = nlohmann::ordered_json::array();
	for (uint32_t a : o.locals)
		locals.push_back(format_ipv4(a));
	if (json) {
		nlohmann::ordered_json filters = nlohmann::ordered_json::object();
		for (FilterKind k : kFilterKinds) {
			nlohmann::ordered_json list = nlohmann::ordered_json::array();
			for (const Ipv4Prefix &p : filter_list(o, k))
				list.push_back(format_ipv4_prefix(p));
			filters[filter_kind_name(k)] = list;
		}
		nlohmann::ordered_json doc = {
			{"file", path},
			{"valid", true},
			// [] : taken from the interface's own address at attach
			{"local", locals},
			{"mode", mode_name(o.mode)},
			{"relay", o.relay ? nlohmann::ordered_json(format_ipv4(*o.relay)) : nullptr},
			{"ttl", o.ttl},
			{"xdp_mode", xdp_mode_name(o.xdp_mode)},
			{"xdp_dispatcher", o.xdp_dispatcher},
			{"permit_private", o.permit_private},
			{"ingress_filter", o.ingress_filter},
			{"loop_guard", o.loop_guard},
			{"fast_path", o.fast_path},
			{"lan", o.lan},
			{"filters", filters},
		};
		// replace: a file name is bytes, not necessarily UTF-8; never throw while printing.
		os << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
		return;
	}
	std::string local;
	for (uint32_t a : o.locals)
		local += (local.empty() ? "" : " ") + format_ipv4(a);
	os << path << ": valid\n"
	   << "  mode " << mode_name(o.mode) << ", local "
	   << (local.empty() ? "(the interface's own address)" : local) << ", default relay "
	   << (o.relay ? format_ipv4(*o.relay) : "none") << ", ttl " << unsigned{o.ttl} << ", xdp "
	   << xdp_mode_name(o.xdp_mode) << (o.xdp_dispatcher ? " through libxdp's dispatcher" : "")
	   << '\n'
	   << "  private " << (o.permit_private ? "permitted" : "not permitted")
	   << ", ingress filter " << (o.ingress_filter ? "on" : "off") << ", loop guard "
	   << (o.loop_guard ? "on" : "off") << ", fast path " << (o.fast_path ? "on" : "off")
	   << '\n';
	if (!o.lan.empty()) {
		os << "  lan";
		for (const std::string &n : o.lan)
			os << ' ' << n;
		os << '\n';
	}
	for (FilterKind k : kFilterKinds)
		os << "  filter " << filter_kind_name(k) << ": " << filter_list(o, k).size()
		   << (filter_list(o, k).size() == 1 ? " entry\n" : " entries\n");
}

void print_steps(std::ostream &os, const std::string &ifname,
		 const std::vector<std::string> &steps, const std::vector<std::string> &refused,
		 bool dry_run, bool json)
{
	if (json) {
		nlohmann::ordered_json doc = {{"ifname", ifname},
					      {"dry_run", dry_run},
					      {"changes", steps},
					      {"refused", refused}};
		os << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
		return;
	}
	if (steps.empty()) {
		os << ifname << ": nothing to change\n";
		return;
	}
	os << ifname << ": " << (dry_run ? "would change" : "changed") << '\n';
	for (const std::string &s : steps)
		os << "  " << s << '\n';
}

void print_plan(std::ostream &os, const std::string &ifname, const Plan &plan, bool dry_run,
		bool json)
{
	print_steps(os, ifname, plan.steps, plan.refused, dry_run, json);
}

} // namespace stf
