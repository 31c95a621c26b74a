// What receiving decapsulated packets on the tunnel device costs, against XDP_PASS on the
// physical interface (how stf-xdp delivered them before; sit and stf receive on their tunnel
// device, as stf-xdp now does).
//
// Only the delivery is measured: both ways run the same checks and the same strip, so the
// benchmark feeds an already decapsulated IPv6 frame to two one-line XDP programs
// (bench/delivery.bpf.c, which restore each recycled frame) with BPF_PROG_RUN's live-frames
// mode on eth0, where stf-xdp is
// attached for real (its tunnel device, GRO and all, made by Dataplane::attach):
//   pass      XDP_PASS on eth0: the stack receives on eth0
//   redirect  bpf_redirect into the tunnel pair: the stack receives on stf<N>
// Either way the IPv6 stack receives the packet, routes it and discards it (a blackhole
// route), so the figure is the delivery and not a transmit. The time per frame is the
// kernel's own (BPF_PROG_RUN's duration): it covers the softirq work that runs when each
// batch re-enables bottom halves, the tunnel device's NAPI poll included, and leaves out the
// times the run was rescheduled, which on these 2-vCPU guests otherwise quantise a wall-clock
// figure to the 4 ms tick. Each run is then checked complete: the IPv6 stack received all N
// frames (Ip6InReceives); the time the last ones took after the syscall is reported too. Runs alternate pass/redirect (ABBA) and
// the output is the median, minimum and maximum per packet of each, and their ratio: absolute
// nanoseconds drift between runs and machines (../shared/docs/benchmarking.md), ratios and
// differences within one run do not.
//
// Usage: stf-bench-delivery [--frames N] [--rounds R]   (root; everything stays in a private
// network namespace that dies with the process)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_net.h"
#include "dataplane.h"
#include "error.h"
#include "ifdev.h"
#include "stf_bench.skel.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
	double ns_per_packet = 0; // the kernel's duration per frame
	double tail_us = 0;       // wall time from the syscall's return to the last delivery
	uint64_t delivered = 0;
};

// N live frames of `frame` through prog, timed until the stack received them all (or 10 s).
Run run_once(int prog_fd, const std::vector<uint8_t> &frame, uint32_t ingress, uint32_t frames)
{
	xdp_md ctx{};
	ctx.data_end = uint32_t(frame.size());
	ctx.ingress_ifindex = ingress;
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.data_in = frame.data();
	opts.data_size_in = uint32_t(frame.size());
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	opts.repeat = frames;
	opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;

	const uint64_t base = stfbench::ip6_in_receives();
	if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
		std::fprintf(stderr, "BPF_PROG_RUN (live frames): %s\n", std::strerror(errno));
		std::exit(1);
	}
	const auto t0 = Clock::now();
	uint64_t sent = 0;
	const auto deadline = t0 + std::chrono::seconds(10);
	while ((sent = stfbench::ip6_in_receives() - base) < frames && Clock::now() < deadline)
		std::this_thread::yield();
	const auto t1 = Clock::now();
	return {double(opts.duration), std::chrono::duration<double, std::micro>(t1 - t0).count(),
		sent};
}

struct Summary {
	double median, min, max;
};

Summary summarise(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return {v[v.size() / 2], v.front(), v.back()};
}

} // namespace

int main(int argc, char **argv)
{
	uint32_t frames = 20000;
	int rounds = 15;
	if (!stfbench::parse_args(argc, argv, "--frames", frames, rounds))
		return 2;
	if (!stfbench::build_namespace())
		return 2;

	try {
		stf::AttachOptions o;
		o.ifname = "eth0";
		o.locals = {0xc0000201}; // 192.0.2.1
		stf::Dataplane dp = stf::Dataplane::attach(o);
		const std::string tun = dp.info().tunnel;
		const uint32_t peer = if_nametoindex((tun + "p").c_str());
		const uint32_t eth0 = if_nametoindex("eth0");
		const stf::Mac tun_mac = stf::link_mac(tun), eth0_mac = stf::link_mac("eth0"),
			       sender = stf::link_mac("eth0p");

		stf_bench_bpf *skel = stf_bench_bpf__open();
		if (!skel)
			throw stf::Error(stf::Exit::failure, "open the benchmark's BPF object", errno);
		skel->rodata->tunnel_peer_ifindex = peer;
		for (size_t i = 0; i < tun_mac.size(); i++) {
			skel->rodata->tunnel_mac[i] = tun_mac[i];
			skel->rodata->eth0_mac[i] = eth0_mac[i];
		}
		if (int err = stf_bench_bpf__load(skel))
			throw stf::Error(stf::Exit::failure, "load the benchmark's BPF object", -err);

		const auto to_eth0 = stfbench::inner_frame(eth0_mac.data(), sender.data(), 64);
		const auto to_tun = stfbench::inner_frame(tun_mac.data(), sender.data(), 64);
		const int pass_fd = bpf_program__fd(skel->progs.deliver_pass);
		const int redirect_fd = bpf_program__fd(skel->progs.deliver_redirect);

		// Warm-up: neighbour entries, route caches, page pools.
		run_once(pass_fd, to_eth0, eth0, frames);
		run_once(redirect_fd, to_tun, eth0, frames);

		std::vector<double> pass, redirect;
		uint64_t lost = 0;
		double tail_max = 0;
		for (int r = 0; r < rounds; r++) {
			const bool pass_first = r % 2 == 0; // ABBA: neither always runs first
			for (int k = 0; k < 2; k++) {
				const bool is_pass = (k == 0) == pass_first;
				Run x = is_pass ? run_once(pass_fd, to_eth0, eth0, frames)
						: run_once(redirect_fd, to_tun, eth0, frames);
				lost += frames - std::min<uint64_t>(x.delivered, frames);
				tail_max = std::max(tail_max, x.tail_us);
				(is_pass ? pass : redirect).push_back(x.ns_per_packet);
			}
		}
		stf_bench_bpf__destroy(skel);
		dp.detach();

		const Summary p = summarise(pass), d = summarise(redirect);
		std::printf("delivery of a decapsulated 126-byte IPv6 frame to the IPv6 stack "
			    "(%d rounds x %u frames, ns per packet)\n",
			    rounds, frames);
		std::printf("  %-30s median %7.1f  min %7.1f  max %7.1f\n", "XDP_PASS on eth0", p.median,
			    p.min, p.max);
		std::printf("  %-30s median %7.1f  min %7.1f  max %7.1f\n", "redirect into the tunnel",
			    d.median, d.min, d.max);
		std::printf("  redirect / pass: %.2f (median), %+.1f ns per packet\n",
			    d.median / p.median, d.median - p.median);
		std::printf("  all frames delivered; the last ones at most %.0f us after a run "
			    "returned\n",
			    tail_max);
		if (lost) {
			std::printf("  WARNING: %llu frames never reached the IPv6 stack: figures are not "
				    "comparable\n",
				    static_cast<unsigned long long>(lost));
			return 1;
		}
		return 0;
	} catch (const stf::Error &e) {
		std::fprintf(stderr, "stf-bench-delivery: %s\n", e.what());
		return 1;
	}
}
