// stats: the counters of each attachment, in human form or JSON (-j).
#include <algorithm>
#include <string_view>

#include "output.h"
#include "output_common.h"

namespace stf {

namespace {

using namespace output_detail;

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

} // namespace

void print_stats(std::ostream &os, const std::vector<AttachmentStats> &list, bool json)
{
	if (json)
		return emit(os, interfaces_json(list, stats_json));
	for_each_interface(os, list, stats_human, true);
}

} // namespace stf
