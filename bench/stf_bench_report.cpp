// stf-bench's output: a table for people, JSON (one object per case) for scripts.
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "stf_bench.h"

namespace stfbench {

void print_table(const std::vector<Result> &results, const std::vector<Memory> &memory,
		 const Settings &s)
{
	std::printf("Per-packet cost, BPF_PROG_RUN, one run per call; %d ABBA rounds x %u runs; "
		    "ns: median over rounds (delta: median and quartiles of the paired "
		    "differences)\n\n",
		    s.rounds, s.runs);
	std::printf("%-46s %-10s %8s %8s %8s %17s %9s\n", "case", "baseline", "base", "case",
		    "delta", "delta q1..q3", "proven");
	std::string group;
	for (const Result &r : results) {
		if (r.c->group != group) {
			group = r.c->group;
			std::printf("-- %s\n", group.c_str());
		}
		char q[40];
		std::snprintf(q, sizeof(q), "%+.1f..%+.1f", r.delta_q1, r.delta_q3);
		std::printf("%-46s %-10s %8.1f %8.1f %+8.1f %17s %9llu\n", r.c->name.c_str(),
			    r.c->base.prog.c_str(), r.base_ns, r.test_ns, r.delta_ns, q,
			    (unsigned long long)r.proven_runs);
	}
	std::printf("\nMemory\n");
	for (const Memory &m : memory)
		std::printf("  %-44s %10.1f KiB\n", m.name.c_str(), double(m.bytes) / 1024);
}

bool write_json(const std::string &path, const std::vector<Result> &results,
		const std::vector<Memory> &memory, const Settings &s)
{
	nlohmann::json all = nlohmann::json::array();
	for (const Result &r : results)
		all.push_back({{"kind", "cost"},
			       {"group", r.c->group},
			       {"case", r.c->name},
			       {"config", r.c->config},
			       {"program", r.c->test.prog},
			       {"baseline", r.c->base.prog},
			       {"runs", s.runs},
			       {"rounds", s.rounds},
			       {"baseline_ns", r.base_ns},
			       {"case_ns", r.test_ns},
			       {"delta_ns", r.delta_ns},
			       {"delta_q1_ns", r.delta_q1},
			       {"delta_q3_ns", r.delta_q3},
			       {"ratio", r.base_ns > 0 ? r.test_ns / r.base_ns : 0},
			       {"proven_runs", r.proven_runs}});
	for (const Memory &m : memory)
		all.push_back({{"kind", m.what == "rss" ? "peak_rss" : "map_memory"},
			       {"group", "memory"},
			       {"case", m.name},
			       {"bytes", m.bytes}});
	std::ofstream f(path);
	f << all.dump(1) << '\n';
	if (!f)
		std::fprintf(stderr, "stf-bench: cannot write %s\n", path.c_str());
	return bool(f);
}

} // namespace stfbench
