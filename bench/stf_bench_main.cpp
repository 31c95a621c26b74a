// stf-bench: per-packet cost of stf-xdp's programs against bare programs hooked the same
// way, its growth with the configuration, and memory (bench/README.md).
//
// Usage: stf-bench [--runs N] [--rounds R] [--quick] [--json FILE]
// Root; everything happens in a private network namespace that dies with the process.
#include <bpf/libbpf.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "bench_net.h"
#include "bpf_kernel.h"
#include "error.h"
#include "stf_bench.h"
#include "stf_bench_cases.h"

namespace {

bool parse(int argc, char **argv, stfbench::Settings &s)
{
	for (int i = 1; i < argc; i++) {
		const bool more = i + 1 < argc;
		if (!std::strcmp(argv[i], "--quick")) {
			s.quick = true;
			s.runs = 200;
			s.rounds = 2;
		} else if (!std::strcmp(argv[i], "--runs") && more) {
			s.runs = uint32_t(std::strtoul(argv[++i], nullptr, 10));
		} else if (!std::strcmp(argv[i], "--rounds") && more) {
			s.rounds = std::atoi(argv[++i]);
		} else if (!std::strcmp(argv[i], "--json") && more) {
			s.json_path = argv[++i];
		} else {
			s.runs = 0;
			break;
		}
	}
	if (s.runs == 0 || s.rounds < 2) {
		std::fprintf(stderr, "usage: %s [--runs N>0] [--rounds R>=2] [--quick] [--json FILE]\n",
			     argv[0]);
		return false;
	}
	return true;
}

// The bench topology: bench_net's eth0 (192.0.2.1/24, default route, permanent gateway
// neighbour), plus two spare veths on which the bare XDP baselines are hooked, and lan0, the
// LAN interface of the fast path's configuration.
bool topology()
{
	return stfbench::build_namespace() &&
	       stfbench::ip("link add lan0 type veth peer name lan0p") &&
	       stfbench::ip("link set lan0 up") && stfbench::ip("link set lan0p up") &&
	       stfbench::ip("link add bench0 type veth peer name bench0p") &&
	       stfbench::ip("link add bench1 type veth peer name bench1p") &&
	       stfbench::ip("link set bench0 up") && stfbench::ip("link set bench0p up") &&
	       stfbench::ip("link set bench1 up") && stfbench::ip("link set bench1p up");
}

} // namespace

int main(int argc, char **argv)
{
	stfbench::Settings s;
	if (!parse(argc, argv, s))
		return 2;
	if (!topology())
		return 2;
	stf::quiet_libbpf();
	std::vector<stfbench::Memory> memory;
	// The control plane first, while eth0 is free (one attachment per namespace).
	if (!stfbench::control_plane_rss(memory))
		return 1;
	std::deque<stfbench::Case> cases;
	std::vector<stfbench::Result> results;
	try {
		for (const stfbench::Config &cfg : stfbench::configurations()) {
			stfbench::Bench bench(cfg);
			const size_t first = cases.size();
			bench.add_cases(cfg, cases);
			std::vector<const stfbench::Case *> here;
			for (size_t i = first; i < cases.size(); i++)
				here.push_back(&cases[i]);
			if (!s.quick) // progress: a full run takes a minute or more
				std::fprintf(stderr, "  %s: %zu cases\n", cfg.name.c_str(), here.size());
			for (const stfbench::Result &r : stfbench::measure(here, s))
				results.push_back(r);
			const char *table = cfg.filter == stfbench::Filter::allow ? "stf_allow_v1"
					    : cfg.filter == stfbench::Filter::deny ? "stf_deny_v1"
										   : nullptr;
			if (table)
				memory.push_back({std::string("map: ") + table + ", " +
							  std::to_string(cfg.prefixes) + " prefixes",
						  "map", bench.map_bytes(table)});
			if (cfg.filter != stfbench::Filter::allow)
				memory.push_back({"maps of stf_decap in total, " + cfg.name, "map",
						  bench.map_bytes(nullptr)});
		}
	} catch (const stf::Error &e) {
		std::fprintf(stderr, "stf-bench: %s\n", e.what());
		return 1;
	}
	stfbench::print_table(results, memory, s);
	if (!s.json_path.empty() && !stfbench::write_json(s.json_path, results, memory, s))
		return 1;
	return 0;
}
