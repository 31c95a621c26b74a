// What the decapsulator's checks cost per packet, and how much of it is the IPv4 FIB lookup of
// the outer source (the ingress filter and the own-address check; RFC 3964 5.3.3), which every
// accepted packet pays since the lookups were added.
//
// Three programs run on the same valid 6to4 frame with BPF_PROG_RUN (not live: the verdict is
// returned, nothing is transmitted, so this is the program alone; stf-bench-delivery measures
// the delivery):
//   decap       stf_decap attached for real on eth0 (its maps and tunnel made by attach):
//               every check, the FIB lookup, ECN, the strip; must answer XDP_REDIRECT
//   fib_only    the parse and stf_route4 alone (bench/checks.bpf.c); must find the route
//   parse_only  the same parse without the lookup
// Runs alternate (ABBA over the three) and the output is the median per packet of each. Each
// includes the harness's floor (the kernel's clock reads around one run), which parse_only
// nearly is; so decap - parse_only is decap's own work and fib_only - parse_only the
// lookup's, and their ratio the lookup's share. Absolute nanoseconds
// drift between runs and machines (../shared/docs/benchmarking.md), differences and ratios
// within one run do not.
//
// Usage: stf-bench-checks [--runs N] [--rounds R]   (root; a private network namespace)
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_net.h"
#include "bpf_kernel.h"
#include "dataplane.h"
#include "error.h"
#include "ifdev.h"
#include "stf_bench_checks.skel.h"

namespace {

double run_one(int prog_fd, const std::vector<uint8_t> &frame, uint32_t ingress, uint32_t want,
	       const char *name)
{
	xdp_md ctx{};
	ctx.data_end = uint32_t(frame.size());
	ctx.ingress_ifindex = ingress;
	static std::vector<uint8_t> out(4096);
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.data_in = frame.data();
	opts.data_size_in = uint32_t(frame.size());
	opts.data_out = out.data();
	opts.data_size_out = uint32_t(out.size());
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	opts.repeat = 1;
	if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
		std::fprintf(stderr, "BPF_PROG_RUN %s: %s\n", name, std::strerror(errno));
		std::exit(1);
	}
	if (opts.retval != want) {
		std::fprintf(stderr, "%s answered %u, not %u: the figures would not be comparable\n",
			     name, opts.retval, want);
		std::exit(1);
	}
	return double(opts.duration);
}

// Mean ns per run of prog over `runs` calls of one run each; exits if a verdict is not `want`.
// One run per call because BPF_PROG_RUN's repeat reuses the frame as the program left it, and
// decap strips the outer header of its frame. The kernel times the program alone (not the
// system call), so per-call timing costs only its clock reads, the same for every program.
double run_once(int prog_fd, const std::vector<uint8_t> &frame, uint32_t ingress,
		uint32_t runs, uint32_t want, const char *name)
{
	double total = 0;
	for (uint32_t i = 0; i < runs; i++)
		total += run_one(prog_fd, frame, ingress, want, name);
	return total / runs;
}

double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
	uint32_t repeat = 20000;
	int rounds = 15;
	if (!stfbench::parse_args(argc, argv, "--runs", repeat, rounds))
		return 2;
	if (!stfbench::build_namespace())
		return 2;
	try {
		stf::AttachOptions o;
		o.ifname = "eth0";
		o.locals = {0xc0000201}; // 192.0.2.1
		stf::Dataplane dp = stf::Dataplane::attach(o);
		const stf::AttachmentInfo info = dp.info();
		const uint32_t eth0 = if_nametoindex("eth0");
		const stf::Mac eth0_mac = stf::link_mac("eth0"), sender = stf::link_mac("eth0p");
		stf::Fd decap(bpf_prog_get_fd_by_id(dp.xdp_prog_id()));
		if (decap.get() < 0)
			throw stf::Error(stf::Exit::failure, "open stf_decap", errno);

		stf_bench_checks_bpf *skel = stf_bench_checks_bpf__open();
		if (!skel)
			throw stf::Error(stf::Exit::failure, "open the benchmark's BPF object", errno);
		skel->rodata->tun_ifindex = info.tun_ifindex;
		if (int err = stf_bench_checks_bpf__load(skel))
			throw stf::Error(stf::Exit::failure, "load the benchmark's BPF object", -err);

		const auto frame =
			stfbench::sixtofour_frame(eth0_mac.data(), sender.data(), "198.51.100.1");
		struct Prog {
			const char *name;
			int fd;
			uint32_t want;
			std::vector<double> ns;
		} progs[] = {
			{"decap", decap.get(), XDP_REDIRECT, {}},
			{"fib_only", bpf_program__fd(skel->progs.fib_only), XDP_DROP, {}},
			{"parse_only", bpf_program__fd(skel->progs.parse_only), XDP_DROP, {}},
		};
		for (Prog &p : progs) // warm-up: FIB caches, the counters' cache lines
			run_once(p.fd, frame, eth0, repeat, p.want, p.name);
		for (int r = 0; r < rounds; r++)
			for (int k = 0; k < 3; k++) {
				Prog &p = progs[r % 2 ? 2 - k : k]; // ABBA: none always runs first
				p.ns.push_back(run_once(p.fd, frame, eth0, repeat, p.want, p.name));
			}
		stf_bench_checks_bpf__destroy(skel);
		dp.detach();

		const double d = median(progs[0].ns), f = median(progs[1].ns), b = median(progs[2].ns);
		std::printf("stf_decap on a valid %zu-byte 6to4 frame (%d rounds x %u runs, median ns "
			    "per packet)\n",
			    frame.size(), rounds, repeat);
		std::printf("  %-44s %7.1f\n", "decap (every check, FIB, ECN, strip)", d);
		std::printf("  %-44s %7.1f\n", "parse + IPv4 FIB lookup of the outer source", f);
		std::printf("  %-44s %7.1f  (mostly the harness's own cost)\n", "parse alone", b);
		std::printf("  decap's own work (decap - parse alone): %.1f ns per packet\n", d - b);
		std::printf("  the FIB lookup (fib_only - parse alone): %+.1f ns per packet, %.0f%% of "
			    "decap's own work\n",
			    f - b, 100.0 * (f - b) / (d - b));
		return 0;
	} catch (const stf::Error &e) {
		std::fprintf(stderr, "stf-bench-checks: %s\n", e.what());
		return 1;
	}
}
