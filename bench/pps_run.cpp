// stf-bench-pps's measurement: the live-frames generator, one run per side, ABBA rounds and
// the proof that every frame of every run reached its receiver and did the work.
//
// The time of a run is the kernel's own (BPF_PROG_RUN's duration per frame): it covers the
// generator and all the receive work each batch (64 frames, --batch) triggers on this CPU when it
// re-enables bottom halves (the veths' NAPI polls, stf-xdp, the tunnel device, forwarding,
// the socket's queue), and leaves out the times the run was rescheduled, when another
// engineer's build had the CPU. That covers all the work only if every frame had reached its
// receiver when the call returned, which each run checks (Sample::late). The wall clock from
// before the call until the receiver had every frame is kept beside it; it also counts the
// call's own setup (the live mode's page pool) and the time other processes had the CPU.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "error.h"
#include "pps.h"
#include "stf_bench_pps.skel.h"

namespace stfbench::pps {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<uint64_t> read_all(const Side &s)
{
	std::vector<uint64_t> v;
	for (const Check &c : s.checks)
		v.push_back(c.read());
	return v;
}

// One run of set.frames live frames of s.frame into s.into; records the first disagreeing
// check in `failure`.
Sample run_side(const Side &s, stf_bench_pps_bpf *skel, const Settings &set, std::string &failure)
{
	s.ns->enter();
	if (s.before)
		s.before();
	auto &g = skel->bss->gen;
	if (s.frame.size() > sizeof(g.words) - 8 || s.frame.size() < 60)
		throw stf::Error(stf::Exit::failure, "frame size out of range for " + s.name);
	std::memcpy(g.words, s.frame.data(), s.frame.size());
	g.len = uint32_t(s.frame.size());
	g.ifindex = s.into;

	xdp_md ctx{};
	ctx.data_end = uint32_t(s.frame.size());
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.data_in = s.frame.data();
	opts.data_size_in = uint32_t(s.frame.size());
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	opts.repeat = set.frames;
	opts.batch_size = set.batch;
	opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
	const uint64_t frames = set.frames;

	const std::vector<uint64_t> before = read_all(s);
	const auto t0 = Clock::now();
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.pps_gen), &opts) != 0)
		throw stf::Error(stf::Exit::failure, "BPF_PROG_RUN (live frames) for " + s.name,
				 errno);
	// Everything should be there when the call returns: its softirqs ran inside it. A frame
	// that arrives later was handled outside the timed run (ksoftirqd, the other CPU), so
	// the kernel's duration would flatter that side: counted as late, and waited for (5 s).
	const uint64_t at_return = s.checks[0].read() - before[0];
	const auto deadline = t0 + std::chrono::seconds(5);
	uint64_t got = at_return;
	while ((got = s.checks[0].read() - before[0]) < frames && Clock::now() < deadline)
		std::this_thread::sleep_for(std::chrono::microseconds(50));
	const auto t1 = Clock::now();
	if (s.after)
		s.after();

	const std::vector<uint64_t> after = read_all(s);
	for (size_t i = 0; i < s.checks.size() && failure.empty(); i++) {
		const uint64_t d = after[i] - before[i], want = s.checks[i].per_packet * frames;
		if (d != want)
			failure = s.name + ": " + s.checks[i].what + " moved by " +
				  std::to_string(d) + ", not " + std::to_string(want);
	}
	return {double(opts.duration), std::chrono::duration<double, std::nano>(t1 - t0).count(),
		got, frames - std::min<uint64_t>(at_return, frames)};
}

} // namespace

std::vector<Result> measure(const std::vector<Case> &cases, stf_bench_pps_bpf *skel,
			    const Settings &s)
{
	std::vector<Result> out(cases.size());
	for (size_t i = 0; i < cases.size(); i++) {
		out[i].c = &cases[i];
		// Warm-up: neighbour and route caches, page pools, the sockets' buffers.
		std::string ignored;
		run_side(cases[i].a, skel, s, ignored);
		run_side(cases[i].b, skel, s, ignored);
	}
	// Every round visits every case, so a slow spell of the shared machine lands on all of
	// them; within a case the order alternates (ABBA), so neither side always runs first.
	for (int r = 0; r < s.rounds; r++)
		for (size_t i = 0; i < cases.size(); i++) {
			const Case &c = cases[i];
			Result &res = out[i];
			std::string failure;
			if (r % 2 == 0) {
				res.a.push_back(run_side(c.a, skel, s, failure));
				res.b.push_back(run_side(c.b, skel, s, failure));
			} else {
				res.b.push_back(run_side(c.b, skel, s, failure));
				res.a.push_back(run_side(c.a, skel, s, failure));
			}
			if (!failure.empty() && res.proven) {
				res.proven = false;
				res.failure = failure;
			}
		}
	return out;
}

} // namespace stfbench::pps
