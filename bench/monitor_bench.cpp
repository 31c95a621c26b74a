// What `stf-xdp monitor` costs a dropped packet: with no monitor running (it must be what it
// was before the monitor existed), and with one running, over its rate (the drop is only
// counted as suppressed) and within it (an event goes through the ring buffer).
//
// The same hostile frame (6to4 inner source that does not embed the outer source: dropped
// as inner_src_spoofed, before the FIB lookup, as a flood of spoofed traffic would be) runs
// through four programs with BPF_PROG_RUN, alternating (ABBA):
//   before        bpf/decap.bpf.c built without the monitor's hook (bench/decap_nomon.bpf.c)
//   off           stf_decap attached for real, no monitor (lease 0)
//   on_suppressed stf_decap, a live lease whose per-CPU budget is spent
//   on_event      stf_decap, a live lease within budget: every drop reserves and submits an
//                 event (the budget is reset before, the ring drained after, every call)
// A drop leaves the frame as it was, so each call repeats the run (--runs) and the kernel
// returns the mean time per run: the harness's clock reads are spread over the repeats.
//
// Usage: stf-bench-monitor [--runs N] [--rounds R]   (root; a private network namespace)
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_net.h"
#include "bpf_kernel.h"
#include "dataplane.h"
#include "error.h"
#include "ifdev.h"
#include "stf_bench_nomon.skel.h"

namespace {

// The ring holds STF_EVENTS_RING_BYTES / (event + 8-byte header) events: stay well below.
constexpr uint32_t kMaxEventRuns = 2000;

// Mean ns per run over `repeat` runs of one call; exits unless the verdict is XDP_DROP.
double run(int prog_fd, const std::vector<uint8_t> &frame, uint32_t ingress, uint32_t repeat,
	   const char *name)
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
	opts.repeat = repeat;
	if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
		std::fprintf(stderr, "BPF_PROG_RUN %s: %s\n", name, std::strerror(errno));
		std::exit(1);
	}
	if (opts.retval != XDP_DROP) {
		std::fprintf(stderr, "%s answered %u, not XDP_DROP\n", name, opts.retval);
		std::exit(1);
	}
	return double(opts.duration);
}

uint64_t monotonic_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
}

void write_lease(int fd, uint64_t lease_ns, uint32_t rate)
{
	stf_monitor m{lease_ns, rate, uint32_t(getpid())};
	__u32 key = 0;
	if (bpf_map_update_elem(fd, &key, &m, BPF_ANY))
		throw stf::Error(stf::Exit::failure, "write stf_monitor_v1", errno);
}

// Zero the rate state on every CPU: a fresh window, budget unspent.
void reset_rate(int fd)
{
	std::vector<stf_event_rate> zero(static_cast<size_t>(libbpf_num_possible_cpus()));
	__u32 key = 0;
	if (bpf_map_update_elem(fd, &key, zero.data(), BPF_ANY))
		throw stf::Error(stf::Exit::failure, "reset stf_evrate_v1", errno);
}

uint64_t lost(int fd)
{
	std::vector<stf_event_rate> v(static_cast<size_t>(libbpf_num_possible_cpus()));
	__u32 key = 0;
	uint64_t n = 0;
	if (bpf_map_lookup_elem(fd, &key, v.data()) == 0)
		for (const auto &r : v)
			n += r.lost;
	return n;
}

int count_event(void *ctx, void *, size_t)
{
	++*static_cast<uint64_t *>(ctx);
	return 0;
}

double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
	uint32_t runs = kMaxEventRuns;
	int rounds = 15;
	if (!stfbench::parse_args(argc, argv, "--runs", runs, rounds))
		return 2;
	runs = std::min(runs, kMaxEventRuns);
	if (!stfbench::build_namespace())
		return 2;
	try {
		stf::AttachOptions o;
		o.ifname = "eth0";
		o.locals = {0xc0000201}; // 192.0.2.1
		stf::Dataplane dp = stf::Dataplane::attach(o);
		const uint32_t eth0 = if_nametoindex("eth0");
		const stf::Mac eth0_mac = stf::link_mac("eth0"), sender = stf::link_mac("eth0p");
		stf::Fd decap(bpf_prog_get_fd_by_id(dp.xdp_prog_id()));
		if (decap.get() < 0)
			throw stf::Error(stf::Exit::failure, "open stf_decap", errno);
		const stf::MonitorMaps mm = dp.monitor_maps();

		// The baseline gets the attachment's own configuration in its own maps.
		stf_bench_nomon_bpf *skel = stf_bench_nomon_bpf__open_and_load();
		if (!skel)
			throw stf::Error(stf::Exit::failure, "load the baseline decapsulator", errno);
		const stf_config cfg = dp.maps().config();
		__u32 zero = 0;
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.stf_config_v2), &zero, &cfg, BPF_ANY))
			throw stf::Error(stf::Exit::failure, "configure the baseline", errno);

		uint64_t events = 0;
		ring_buffer *ring = ring_buffer__new(mm.events, count_event, &events, nullptr);
		if (!ring)
			throw stf::Error(stf::Exit::failure, "open the event ring buffer", errno);

		// From 203.0.113.9 while the inner 6to4 source embeds 198.51.100.1: spoofed, dropped.
		const auto frame =
			stfbench::sixtofour_frame(eth0_mac.data(), sender.data(), "203.0.113.9");
		const int before_fd = bpf_program__fd(skel->progs.stf_decap);
		const uint64_t forever = monotonic_ns() + 3600ull * 1000000000;
		enum Case { before, off, on_suppressed, on_event, n_cases };
		const char *names[n_cases] = {"before (no monitor code)", "off (no monitor running)",
					      "on, over the rate (suppressed)", "on, event sent"};
		std::vector<double> ns[n_cases];
		uint64_t want_events = 0;
		auto one = [&](int c) -> double {
			switch (c) {
			case before:
				return run(before_fd, frame, eth0, runs, "before");
			case off:
				write_lease(mm.monitor, 0, 0);
				return run(decap.get(), frame, eth0, runs, "off");
			case on_suppressed: {
				write_lease(mm.monitor, forever, 1);
				reset_rate(mm.rate);
				run(decap.get(), frame, eth0, 1, "on_suppressed"); // spend the budget
				double t = run(decap.get(), frame, eth0, runs, "on_suppressed");
				want_events += 1;
				return t;
			}
			default: {
				write_lease(mm.monitor, forever, STF_MONITOR_MAX_RATE);
				reset_rate(mm.rate);
				double t = run(decap.get(), frame, eth0, runs, "on_event");
				want_events += runs;
				return t;
			}
			}
		};
		for (int c = 0; c < n_cases; c++) // warm-up
			one(c);
		ring_buffer__consume(ring);
		events = want_events = 0;
		for (int r = 0; r < rounds; r++)
			for (int k = 0; k < n_cases; k++) {
				int c = r % 2 ? n_cases - 1 - k : k; // ABBA
				ns[c].push_back(one(c));
				ring_buffer__consume(ring);
			}
		write_lease(mm.monitor, 0, 0);
		const uint64_t lost_events = lost(mm.rate);
		ring_buffer__free(ring);
		stf_bench_nomon_bpf__destroy(skel);
		dp.detach();
		if (events != want_events || lost_events) {
			std::fprintf(stderr, "events: %llu read, %llu expected, %llu lost\n",
				     (unsigned long long)events, (unsigned long long)want_events,
				     (unsigned long long)lost_events);
			return 1;
		}

		double m[n_cases];
		for (int c = 0; c < n_cases; c++)
			m[c] = median(ns[c]);
		std::printf("stf_decap dropping a %zu-byte spoofed 6to4 frame (inner_src_spoofed), "
			    "%d rounds x %u runs, median ns per packet\n",
			    frame.size(), rounds, runs);
		for (int c = 0; c < n_cases; c++)
			std::printf("  %-34s %7.1f  (x%.3f of before)\n", names[c], m[c], m[c] / m[before]);
		std::printf("  monitor off vs before: %+.1f ns per drop\n", m[off] - m[before]);
		std::printf("  monitor on, suppressed: %+.1f ns; event sent: %+.1f ns per drop (vs off)\n",
			    m[on_suppressed] - m[off], m[on_event] - m[off]);
		std::printf("  events read by the consumer: %llu, lost: 0\n", (unsigned long long)events);
		return 0;
	} catch (const stf::Error &e) {
		std::fprintf(stderr, "stf-bench-monitor: %s\n", e.what());
		return 1;
	}
}
