#include "monitor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "bpf_kernel.h"
#include "dataplane.h"
#include "error.h"
#include "lock.h"
#include "monitor_output.h"
#include "signals.h"

namespace stf {

namespace {

int64_t clock_ns(clockid_t clock)
{
	timespec ts{};
	clock_gettime(clock, &ts);
	return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// bpf_ktime_get_ns() is CLOCK_MONOTONIC: the lease is written in that clock.
uint64_t monotonic_ns() { return uint64_t(clock_ns(CLOCK_MONOTONIC)); }

// This process's lease on one attachment's stf_monitor_v1, given back when it goes.
class Lease {
public:
	Lease(int fd, std::string ifname, uint32_t rate)
		: fd_(fd), ifname_(std::move(ifname)), rate_(rate), pid_(uint32_t(getpid()))
	{
		stf_monitor cur = read();
		if (cur.lease_ns > monotonic_ns() && cur.pid != pid_)
			throw Error(Exit::already_attached,
				    "another monitor (pid " + std::to_string(cur.pid) + ") watches " +
					    ifname_ + "; a killed one lets go within " +
					    std::to_string(STF_MONITOR_LEASE_NS / 1000000000) + " s");
		write(monotonic_ns() + STF_MONITOR_LEASE_NS);
		held_ = true;
	}
	~Lease()
	{
		// Only our own lease: one that ran out while we were stopped may be another's now.
		stf_monitor cur{};
		__u32 key = 0;
		if (held_ && bpf_map_lookup_elem(fd_, &key, &cur) == 0 && cur.pid == pid_) {
			stf_monitor off{};
			bpf_map_update_elem(fd_, &key, &off, BPF_ANY);
		}
	}
	Lease(const Lease &) = delete;
	Lease &operator=(const Lease &) = delete;

	void renew()
	{
		if (read().pid != pid_)
			throw Error(Exit::failure, "another monitor took over " + ifname_ +
							   " while this one was stopped");
		write(monotonic_ns() + STF_MONITOR_LEASE_NS);
	}

private:
	stf_monitor read() const
	{
		stf_monitor m{};
		__u32 key = 0;
		if (bpf_map_lookup_elem(fd_, &key, &m))
			sys_error("read stf_monitor_v1 of " + ifname_, errno);
		return m;
	}
	void write(uint64_t until)
	{
		stf_monitor m{until, rate_, pid_};
		__u32 key = 0;
		if (bpf_map_update_elem(fd_, &key, &m, BPF_ANY))
			sys_error("write stf_monitor_v1 of " + ifname_, errno);
	}
	int fd_;
	std::string ifname_;
	uint32_t rate_, pid_;
	bool held_ = false;
};

// What one watched attachment needs: its name, its maps, the hidden drops seen at the start.
struct Source {
	std::string ifname;
	int rate_fd = -1;
	MonitorHidden start, last;
	std::ostream *out = nullptr;
	bool json = false;
	int64_t *wall_offset = nullptr; // CLOCK_REALTIME - CLOCK_MONOTONIC
};

// stf_evrate_v1's suppressed and lost, summed over CPUs.
MonitorHidden read_hidden(const Source &s)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		sys_error("count possible CPUs", ncpu);
	std::vector<stf_event_rate> per_cpu(static_cast<size_t>(ncpu));
	__u32 key = 0;
	if (bpf_map_lookup_elem(s.rate_fd, &key, per_cpu.data()))
		sys_error("read stf_evrate_v1 of " + s.ifname, errno);
	MonitorHidden h{s.ifname};
	for (const stf_event_rate &r : per_cpu) {
		h.suppressed += r.suppressed;
		h.lost += r.lost;
	}
	return h;
}

// The drops hidden since the start, printed when they changed (or always, at the end).
void report_hidden(Source &s, bool always)
{
	MonitorHidden now = read_hidden(s);
	now.suppressed -= s.start.suppressed;
	now.lost -= s.start.lost;
	if (always || now.suppressed != s.last.suppressed || now.lost != s.last.lost)
		print_monitor_hidden(*s.out, now, s.json);
	s.last = now;
}

int on_event(void *ctx, void *data, size_t size)
{
	const Source &s = *static_cast<const Source *>(ctx);
	if (size < sizeof(stf_event))
		return 0; // not ours to read: a newer layout would have a new map name
	MonitorEvent e{*static_cast<const stf_event *>(data), s.ifname, 0};
	e.realtime_ns = int64_t(e.ev.time_ns) + *s.wall_offset;
	print_monitor_event(*s.out, e, s.json);
	return 0;
}

struct RingDeleter {
	void operator()(ring_buffer *rb) const { ring_buffer__free(rb); }
};

// A closed output (monitor | head) must end the loop, clearing the lease, not kill us.
class IgnoreSigpipe {
public:
	IgnoreSigpipe() { prev_ = signal(SIGPIPE, SIG_IGN); }
	~IgnoreSigpipe() { signal(SIGPIPE, prev_); }
	IgnoreSigpipe(const IgnoreSigpipe &) = delete;
	IgnoreSigpipe &operator=(const IgnoreSigpipe &) = delete;

private:
	sighandler_t prev_;
};

} // namespace

void run_monitor(std::vector<Dataplane> &dps, uint32_t rate, bool json, std::ostream &out)
{
	if (dps.empty())
		throw Error(Exit::not_attached, "stf-xdp is not attached to any interface");
	int64_t wall_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	// Stable addresses: the ring buffer keeps a pointer to each Source.
	std::vector<std::unique_ptr<Source>> sources;
	std::unique_ptr<ring_buffer, RingDeleter> ring;
	for (Dataplane &dp : dps) {
		const MonitorMaps m = dp.monitor_maps();
		if (m.monitor < 0 || m.rate < 0 || m.events < 0)
			throw Error(Exit::failure, "the dataplane on " + dp.ifname() +
							   " predates monitor; detach and attach it again");
		auto s = std::make_unique<Source>();
		s->ifname = dp.ifname();
		s->rate_fd = m.rate;
		s->out = &out;
		s->json = json;
		s->wall_offset = &wall_offset;
		s->start = read_hidden(*s);
		if (!ring) {
			ring.reset(ring_buffer__new(m.events, on_event, s.get(), nullptr));
			if (!ring)
				sys_error("open the event ring buffer of " + s->ifname, errno);
		} else if (int err = ring_buffer__add(ring.get(), m.events, on_event, s.get())) {
			sys_error("open the event ring buffer of " + s->ifname, err);
		}
		sources.push_back(std::move(s));
	}

	// Before the leases: a SIGINT from now on stops the loop and gives them back.
	ServiceSignals signals;
	IgnoreSigpipe no_sigpipe;

	// Taken together under the state lock, so two monitors starting at once cannot both
	// find a lease free. They are given back on any exit.
	std::vector<std::unique_ptr<Lease>> leases;
	{
		StateLock lock;
		for (size_t i = 0; i < dps.size(); i++)
			leases.push_back(std::make_unique<Lease>(dps[i].monitor_maps().monitor,
								 sources[i]->ifname, rate));
	}

	Fd timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
	if (timer.get() < 0)
		sys_error("create the lease timer", errno);
	itimerspec every_second{{1, 0}, {1, 0}};
	if (timerfd_settime(timer.get(), 0, &every_second, nullptr))
		sys_error("start the lease timer", errno);

	const int ring_fd = ring_buffer__epoll_fd(ring.get());
	for (;;) {
		size_t which = 0;
		ServiceSignals::Event e = signals.wait({ring_fd, timer.get()}, &which);
		if (e == ServiceSignals::Event::stop)
			break;
		if (e == ServiceSignals::Event::reload)
			continue; // SIGHUP: nothing to re-read
		if (which == 0) {
			int n = ring_buffer__consume(ring.get());
			if (n < 0)
				sys_error("read the event ring buffer", n);
		} else {
			uint64_t ticks;
			if (::read(timer.get(), &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
				sys_error("read the lease timer", errno);
			for (auto &l : leases)
				l->renew();
			wall_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
			for (auto &s : sources)
				report_hidden(*s, false);
		}
		if (!out.flush())
			return; // the reader went away: stop (the leases are given back)
	}
	ring_buffer__consume(ring.get()); // what came in before the stop
	for (auto &s : sources)
		report_hidden(*s, true);
	out.flush();
}

} // namespace stf
