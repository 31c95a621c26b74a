// What the read commands' printers share (output.cpp, output_stats.cpp,
// output_prometheus.cpp): the JSON flavour, the label column, the one loop over interfaces.
// Internal to the printers; everything else goes through output.h.
#pragma once

#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.h"

namespace stf::output_detail {

// ordered_json keeps keys in the order written, so documents read top-down like the human form.
using Json = nlohmann::ordered_json;

constexpr int kLabelWidth = 13;
constexpr const char *kIndent = "    ";
constexpr const char *kNotAttached = "stf-xdp is not attached to any interface";

inline void emit(std::ostream &os, const Json &doc)
{
	// replace: an interface name is bytes, not necessarily UTF-8; never throw while printing.
	os << doc.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

// Out-of-range ids read as zero, so an older dataplane with fewer counters still prints.
inline stf_counter counter_at(const CounterValues &v, uint32_t id)
{
	return id < v.size() ? v[id] : stf_counter{};
}

inline std::ostream &label(std::ostream &os, const std::string &name)
{
	return os << kIndent << std::left << std::setw(kLabelWidth) << name << ' ';
}

template <typename T, typename F> Json interfaces_json(const std::vector<T> &list, F item)
{
	Json arr = Json::array();
	for (const T &x : list)
		arr.push_back(item(x));
	return {{"interfaces", arr}};
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

} // namespace stf::output_detail
