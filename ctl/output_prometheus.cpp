// `stats --prometheus`: every counter in Prometheus' text exposition format (version 0.0.4),
// for node_exporter's textfile collector or any scraper that runs a command, and the service's
// own gauges for its /metrics listener (metrics_server.h). Debian packages
// no C++ Prometheus client; the format is a few lines of text, written here to its spec:
// one HELP and TYPE per metric family, label values escaped (\\, \", \n), counters end in
// _total. Every reason is listed with its zeros, so a rate() over it never starts undefined.
#include <string_view>

#include "output.h"
#include "output_common.h"

namespace stf {

namespace {

using output_detail::counter_at;

std::string label_value(std::string_view v)
{
	std::string out;
	for (char c : v) {
		if (c == '\\' || c == '"')
			out += '\\';
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		out += c;
	}
	return out;
}

void family(std::ostream &os, const std::string &name, const std::string &help,
	    const char *type = "counter")
{
	os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

} // namespace

void print_prometheus(std::ostream &os, const std::vector<AttachmentStats> &list)
{
	// STAT counters (decap, encap, slow_path): a family each, packets and bytes.
	for (const CounterInfo &c : counter_table()) {
		if (c.kind != CounterKind::stat)
			continue;
		for (const char *unit : {"packets", "bytes"}) {
			const std::string name = std::string("stf_") + c.name + "_" + unit + "_total";
			family(os, name, std::string(c.description) + " (" + unit + ")");
			for (const AttachmentStats &s : list) {
				stf_counter v = counter_at(s.counters, c.id);
				os << name << "{interface=\"" << label_value(s.ifname) << "\"} "
				   << (unit[0] == 'p' ? v.packets : v.bytes) << '\n';
			}
		}
	}
	// PASS and DROP counters: one family each, the reason as a label.
	struct Kind {
		CounterKind kind;
		const char *name, *help;
	};
	for (const Kind &k : {Kind{CounterKind::pass, "stf_passed_packets_total",
				   "packets handed to the kernel untouched, by reason"},
			      Kind{CounterKind::drop, "stf_dropped_packets_total",
				   "packets dropped, by reason (include/stf/contract.h)"}}) {
		family(os, k.name, k.help);
		for (const AttachmentStats &s : list)
			for (const CounterInfo &c : counter_table())
				if (c.kind == k.kind)
					os << k.name << "{interface=\"" << label_value(s.ifname)
					   << "\",reason=\"" << c.name << "\"} "
					   << counter_at(s.counters, c.id).packets << '\n';
	}
}

void print_prometheus_service(std::ostream &os, const std::string &ifname,
			      const std::optional<AttachmentInfo> &info)
{
	const std::string iface = "interface=\"" + label_value(ifname) + "\"";
	family(os, "stf_attached", "1 if stf-xdp is attached to the interface, else 0", "gauge");
	os << "stf_attached{" << iface << "} " << (info ? 1 : 0) << '\n';
	if (!info)
		return;
	// The info-metric idiom: the labels are the data, the value is always 1.
	family(os, "stf_attachment_info", "the attachment's settings (labels); always 1", "gauge");
	os << "stf_attachment_info{" << iface << ",tunnel=\"" << label_value(info->tunnel)
	   << "\",mode=\"" << mode_name(info->mode) << "\",xdp_mode=\""
	   << (info->xdp_mode ? xdp_mode_name(*info->xdp_mode) : "none") << "\"} 1\n";
	// Outer fragments and options are decapsulated only while it runs (slowpath.h).
	if (info->slow_path) {
		family(os, "stf_slow_path_running",
		       "1 if a slow path serves the interface's network namespace, else 0", "gauge");
		os << "stf_slow_path_running{" << iface << "} " << (*info->slow_path ? 1 : 0) << '\n';
	}
}

} // namespace stf
