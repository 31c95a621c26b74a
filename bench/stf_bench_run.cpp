// The timing loop: one run per BPF_PROG_RUN call, the kernel's own `duration` of that run,
// ABBA rounds of the case and its baseline, and the proof that every run did the work.
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "stf_bench.h"

namespace stfbench {

namespace {

[[noreturn]] void fail(const Probe &p, const char *what)
{
	std::fprintf(stderr, "stf-bench: %s: %s; the figures would not be comparable\n",
		     p.prog.c_str(), what);
	std::exit(1);
}

// One run. repeat = 1 because a repeated run gets the frame as the program left it (decap
// strips it, encap grows it), so only the first would do the work; the input is copied in
// afresh by every call.
double run_one(const Probe &p)
{
	static std::vector<uint8_t> out(8192);
	xdp_md xctx{};
	__sk_buff sctx{};
	bpf_test_run_opts o{};
	o.sz = sizeof(o);
	o.data_in = p.frame.data();
	o.data_size_in = uint32_t(p.frame.size());
	o.data_out = out.data();
	o.data_size_out = uint32_t(out.size());
	o.repeat = 1;
	if (p.hook == Hook::xdp) {
		// data_end must be the frame's size and ingress_ifindex a device here, or decap
		// sees no configuration for its interface.
		xctx.data_end = uint32_t(p.frame.size());
		xctx.ingress_ifindex = p.ifindex;
		o.ctx_in = &xctx;
		o.ctx_size_in = sizeof(xctx);
	} else {
		sctx.ifindex = p.ifindex; // the device the packet leaves by
		o.ctx_in = &sctx;
		o.ctx_size_in = sizeof(sctx);
	}
	if (bpf_prog_test_run_opts(p.fd, &o) != 0)
		fail(p, std::strerror(errno));
	if (o.retval != p.want_retval) {
		char m[64];
		std::snprintf(m, sizeof(m), "answered %u, not %u", o.retval, p.want_retval);
		fail(p, m);
	}
	if (int64_t(o.data_size_out) - int64_t(p.frame.size()) != p.want_growth)
		fail(p, "output size is not the input's plus the expected growth");
	return double(o.duration);
}

double mean_of(const Probe &p, uint32_t runs)
{
	double total = 0;
	for (uint32_t i = 0; i < runs; i++)
		total += run_one(p);
	return total / runs;
}

// mean_of the case's own program, adding what its counter moved meanwhile to `proven`: read
// around each batch, since cases sharing a counter (encap) are interleaved.
double mean_proven(const Case &c, uint32_t runs, uint64_t &proven)
{
	const uint64_t before = c.done ? c.done() : 0;
	const double ns = mean_of(c.test, runs);
	if (c.done)
		proven += c.done() - before;
	return ns;
}

double quantile(std::vector<double> v, double q)
{
	std::sort(v.begin(), v.end());
	return v[size_t(q * double(v.size() - 1) + 0.5)];
}

} // namespace

std::vector<Result> measure(const std::vector<const Case *> &cases, const Settings &s)
{
	const size_t n = cases.size();
	const uint32_t warm = s.runs / 4 + 1;
	std::vector<uint64_t> proven(n);
	std::vector<std::vector<double>> base(n), test(n), delta(n);
	for (size_t i = 0; i < n; i++) {
		// Warm-up: the FIB's and the maps' cache lines, the branch predictors.
		mean_of(cases[i]->base, warm);
		mean_proven(*cases[i], warm, proven[i]);
	}
	// Every round visits every case, so a slow spell of the machine (other work on the
	// shared vCPUs) lands on all of them alike instead of on whichever case ran then.
	for (int r = 0; r < s.rounds; r++)
		for (size_t i = 0; i < n; i++) {
			const Case &c = *cases[i];
			double b, t;
			if (r % 2 == 0) { // ABBA: neither always runs first
				b = mean_of(c.base, s.runs);
				t = mean_proven(c, s.runs, proven[i]);
			} else {
				t = mean_proven(c, s.runs, proven[i]);
				b = mean_of(c.base, s.runs);
			}
			base[i].push_back(b);
			test[i].push_back(t);
			delta[i].push_back(t - b);
		}
	std::vector<Result> out;
	for (size_t i = 0; i < n; i++) {
		const Case &c = *cases[i];
		Result res;
		res.c = &c;
		res.base_ns = quantile(base[i], 0.5);
		res.test_ns = quantile(test[i], 0.5);
		res.delta_ns = quantile(delta[i], 0.5);
		res.delta_q1 = quantile(delta[i], 0.25);
		res.delta_q3 = quantile(delta[i], 0.75);
		if (c.done) {
			const uint64_t want = uint64_t(s.runs) * uint64_t(s.rounds) + warm;
			res.proven_runs = proven[i];
			if (res.proven_runs != want) {
				std::fprintf(stderr,
					     "stf-bench: %s: the counter moved by %llu for %llu runs: "
					     "not every run did the work\n",
					     c.name.c_str(), (unsigned long long)res.proven_runs,
					     (unsigned long long)want);
				std::exit(1);
			}
		}
		out.push_back(res);
	}
	return out;
}

} // namespace stfbench
