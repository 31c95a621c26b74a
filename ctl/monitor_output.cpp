#include "monitor_output.h"

#include <arpa/inet.h>

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "counters.h"

namespace stf {

namespace {

using Json = nlohmann::ordered_json;

// RFC 3339 in UTC with microseconds: sortable, and what journalctl and jq users expect.
std::string rfc3339(int64_t ns)
{
	time_t secs = static_cast<time_t>(ns / 1000000000);
	long us = static_cast<long>((ns % 1000000000) / 1000);
	if (ns < 0) { // before 1970: only a broken clock; keep the digits sane
		secs = 0;
		us = 0;
	}
	struct tm tm{};
	gmtime_r(&secs, &tm);
	char buf[48];
	std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
	return buf;
}

std::string v4(__be32 a)
{
	char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

std::string v6(const __u8 a[16])
{
	char buf[INET6_ADDRSTRLEN];
	return inet_ntop(AF_INET6, a, buf, sizeof(buf));
}

// An unknown id (a newer dataplane than this binary) prints as its number.
std::string reason_name(uint32_t id)
{
	const auto &t = counter_table();
	return id < t.size() ? t[id].name : "reason_" + std::to_string(id);
}

const char *program_name(uint8_t prog) { return prog == STF_EV_ENCAP ? "encap" : "decap"; }

} // namespace

void print_monitor_event(std::ostream &os, const MonitorEvent &e, bool json)
{
	const stf_event &ev = e.ev;
	const bool outer = ev.flags & STF_EV_OUTER, inner = ev.flags & STF_EV_INNER;
	if (json) {
		Json j = {{"event", "drop"},
			  {"time", rfc3339(e.realtime_ns)},
			  {"ifname", e.ifname},
			  {"program", program_name(ev.prog)},
			  {"reason", reason_name(ev.reason)},
			  {"outer_src", outer ? Json(v4(ev.outer_src)) : Json()},
			  {"outer_dst", outer ? Json(v4(ev.outer_dst)) : Json()},
			  {"inner_src", inner ? Json(v6(ev.inner_src)) : Json()},
			  {"inner_dst", inner ? Json(v6(ev.inner_dst)) : Json()},
			  {"bytes", ev.len}};
		os << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
		return;
	}
	os << rfc3339(e.realtime_ns) << ' ' << e.ifname << ' ' << program_name(ev.prog) << ' '
	   << reason_name(ev.reason) << ' '
	   << (outer ? v4(ev.outer_src) + " -> " + v4(ev.outer_dst) : std::string("-")) << ' '
	   << (inner ? v6(ev.inner_src) + " -> " + v6(ev.inner_dst) : std::string("-")) << ' '
	   << ev.len << " bytes\n";
}

void print_monitor_hidden(std::ostream &os, const MonitorHidden &h, bool json)
{
	if (json) {
		Json j = {{"event", "hidden"},
			  {"ifname", h.ifname},
			  {"suppressed", h.suppressed},
			  {"lost", h.lost}};
		os << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
		return;
	}
	os << h.ifname << ": " << h.suppressed << " drops not shown (rate limit), " << h.lost
	   << " lost (ring buffer full)\n";
}

} // namespace stf
