// stf-bench-pps: packets per second through veth pairs, from a BPF_PROG_RUN live-frames
// generator on the same CPU, each case against its baseline in the same run (ABBA rounds):
// stf-xdp's decap + drop against a bare XDP_DROP, decap + delivery to a UDP socket against
// plain IPv6 to the same socket, a router's forwarding with the fast path on and off, and,
// where the kernel has sit, stf-xdp against sit (receive, transmit, forwarding). Every run
// is proven by counters: what the receiver got, stf-xdp's counters, the kernel's.
// bench/README.md "stf-bench-pps" documents the cases, the time and the proof.
//
// Usage: stf-bench-pps [--frames N] [--rounds R] [--json FILE] [--quick] [--sit|--no-sit]
//                      [--case SUBSTRING] [--batch N]
// (root; everything stays in private network namespaces that die with the process)
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bpf_kernel.h"
#include "error.h"
#include "pps.h"
#include "stf_bench_pps.skel.h"

namespace stfbench::pps {

double quantile(std::vector<double> v, double q)
{
	std::sort(v.begin(), v.end());
	return v[size_t(q * double(v.size() - 1) + 0.5)];
}

double median(std::vector<double> v)
{
	return quantile(std::move(v), 0.5);
}

namespace {

struct Options {
	Settings s;
	std::string json;
	std::string only; // run the cases whose name contains this (for perf record)
	int sit = -1;     // -1: when the kernel can, 0: never, 1: required
};

bool parse(int argc, char **argv, Options &o)
{
	for (int i = 1; i < argc; i++) {
		const std::string a = argv[i];
		const bool has_value = i + 1 < argc;
		if (a == "--frames" && has_value)
			o.s.frames = uint32_t(std::strtoul(argv[++i], nullptr, 10));
		else if (a == "--rounds" && has_value)
			o.s.rounds = std::atoi(argv[++i]);
		else if (a == "--json" && has_value)
			o.json = argv[++i];
		else if (a == "--batch" && has_value)
			o.s.batch = uint32_t(std::strtoul(argv[++i], nullptr, 10));
		else if (a == "--case" && has_value)
			o.only = argv[++i];
		else if (a == "--quick")
			o.s.frames = 2000, o.s.rounds = 2;
		else if (a == "--sit")
			o.sit = 1;
		else if (a == "--no-sit")
			o.sit = 0;
		else
			return false;
	}
	return o.s.frames > 0 && o.s.rounds >= 2;
}

// Per side: packets per second from the kernel's duration, per round.
std::vector<double> pps_of(const std::vector<Sample> &v)
{
	std::vector<double> out;
	for (const Sample &x : v)
		out.push_back(x.ns_per_packet > 0 ? 1e9 / x.ns_per_packet : 0);
	return out;
}

struct Figures {
	double a, a_q1, a_q3, b, b_q1, b_q3, ratio, ratio_q1, ratio_q3, wall_ratio;
	double a_wall_pps, b_wall_pps;
	uint64_t late;
};

Figures figures(const Result &r, uint32_t frames)
{
	const auto a = pps_of(r.a), b = pps_of(r.b);
	std::vector<double> ratio, wall, aw, bw;
	uint64_t late = 0;
	for (size_t i = 0; i < a.size(); i++) {
		late += r.a[i].late + r.b[i].late;
		ratio.push_back(b[i] > 0 ? a[i] / b[i] : 0);
		wall.push_back(r.a[i].wall_ns > 0 ? r.b[i].wall_ns / r.a[i].wall_ns : 0);
		aw.push_back(frames * 1e9 / r.a[i].wall_ns);
		bw.push_back(frames * 1e9 / r.b[i].wall_ns);
	}
	return {median(a),     quantile(a, .25),     quantile(a, .75),
		median(b),     quantile(b, .25),     quantile(b, .75),
		median(ratio), quantile(ratio, .25), quantile(ratio, .75),
		median(wall),  median(aw),           median(bw),
		late};
}

bool emulated()
{
	const char *v = std::getenv("STF_XDP_IN_VM");
	return v && std::strcmp(v, "1") == 0;
}

void print_table(const std::vector<Result> &results, const Settings &s)
{
	std::printf(
		"stf-bench-pps: %d rounds x %u live frames per side (64-byte UDP payload, batches "
		"of %u); kpps = frames / the kernel's duration of the run (median, quartiles over "
		"rounds); ratio = case / baseline, paired per round; wall = the same ratio by wall "
		"clock\n",
		s.rounds, s.frames, s.batch ? s.batch : 64);
	if (emulated())
		std::printf(
			"EMULATED: QEMU TCG guest (scripts/vm/run.sh); these ratios describe the "
			"emulation, not hardware\n");
	for (const Result &r : results) {
		const Figures f = figures(r, s.frames);
		std::printf("\n[%s] %s\n", r.c->group.c_str(), r.c->name.c_str());
		std::printf("  %-44s %8.0f kpps (%.0f..%.0f)\n", r.c->a.name.c_str(), f.a / 1e3,
			    f.a_q1 / 1e3, f.a_q3 / 1e3);
		std::printf("  %-44s %8.0f kpps (%.0f..%.0f)\n", r.c->b.name.c_str(), f.b / 1e3,
			    f.b_q1 / 1e3, f.b_q3 / 1e3);
		std::printf("  ratio %.2f (%.2f..%.2f), wall %.2f", f.ratio, f.ratio_q1, f.ratio_q3,
			    f.wall_ratio);
		if (r.c->target > 0)
			std::printf("; target >= %.2f: %s", r.c->target,
				    f.ratio >= r.c->target ? "met" : "NOT met");
		std::printf("; %s",
			    r.proven ? "every frame proven" : ("UNPROVEN: " + r.failure).c_str());
		if (f.late)
			std::printf(
				"; %llu frames arrived after their run returned (outside the time)",
				(unsigned long long)f.late);
		std::printf("\n");
	}
}

bool write_json(const std::string &path, const std::vector<Result> &results, const Settings &s)
{
	nlohmann::json all = nlohmann::json::array();
	for (const Result &r : results) {
		const Figures f = figures(r, s.frames);
		all.push_back({{"group", r.c->group},
			       {"case", r.c->name},
			       {"a", r.c->a.name},
			       {"b", r.c->b.name},
			       {"frames", s.frames},
			       {"rounds", s.rounds},
			       {"batch", s.batch ? s.batch : 64},
			       {"a_pps", f.a},
			       {"a_pps_q1", f.a_q1},
			       {"a_pps_q3", f.a_q3},
			       {"b_pps", f.b},
			       {"b_pps_q1", f.b_q1},
			       {"b_pps_q3", f.b_q3},
			       {"ratio", f.ratio},
			       {"ratio_q1", f.ratio_q1},
			       {"ratio_q3", f.ratio_q3},
			       {"wall_ratio", f.wall_ratio},
			       {"a_wall_pps", f.a_wall_pps},
			       {"b_wall_pps", f.b_wall_pps},
			       {"target", r.c->target},
			       {"met", r.c->target > 0 ? nlohmann::json(f.ratio >= r.c->target)
						       : nlohmann::json(nullptr)},
			       {"proven", r.proven},
			       {"late_frames", f.late},
			       {"emulated", emulated()}});
	}
	std::ofstream out(path);
	out << all.dump(1) << '\n';
	if (!out)
		std::fprintf(stderr, "stf-bench-pps: cannot write %s\n", path.c_str());
	return bool(out);
}

} // namespace

} // namespace stfbench::pps

int main(int argc, char **argv)
{
	using namespace stfbench::pps;
	Options o;
	if (!parse(argc, argv, o)) {
		std::fprintf(stderr,
			     "usage: %s [--frames N>0] [--rounds R>=2] [--json FILE] [--quick] "
			     "[--sit|--no-sit] [--case SUBSTRING] [--batch N]\n",
			     argv[0]);
		return 2;
	}
	stf::quiet_libbpf();
	stf_bench_pps_bpf *skel = nullptr;
	try {
		skel = stf_bench_pps_bpf__open_and_load();
		if (!skel)
			throw stf::Error(stf::Exit::failure, "load bench/pps.bpf.c", errno);
		bool sit_ok = false;
		auto world = make_world(o.sit != 0, o.sit == 1, skel, sit_ok);
		if (o.sit == -1 && !sit_ok)
			std::printf("(no sit on this kernel: the sit cases are left out; the 6.1 "
				    "VM has "
				    "it: bash scripts/vm/bench-sit.sh)\n");
		std::vector<Case> cases = make_cases(*world, sit_ok);
		cases.erase(std::remove_if(cases.begin(), cases.end(),
					   [&o](const Case &c) {
						   return c.name.find(o.only) == std::string::npos;
					   }),
			    cases.end());
		if (cases.empty())
			throw stf::Error(stf::Exit::usage, "--case " + o.only + ": no such case");
		const std::vector<Result> results = measure(cases, skel, o.s);
		print_table(results, o.s);
		world.reset();
		stf_bench_pps_bpf__destroy(skel);
		skel = nullptr;
		if (!o.json.empty() && !write_json(o.json, results, o.s))
			return 1;
		for (const Result &r : results)
			if (!r.proven) {
				std::fprintf(stderr, "stf-bench-pps: %s: %s\n", r.c->name.c_str(),
					     r.failure.c_str());
				return 1;
			}
		return 0;
	} catch (const stf::Error &e) {
		std::fprintf(stderr, "stf-bench-pps: %s\n", e.what());
		stf_bench_pps_bpf__destroy(skel);
		return 1;
	}
}
