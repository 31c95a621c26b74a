// stf-bench-pps: packets per second through veth pairs, stf-xdp against baselines (and the
// kernel's sit) measured in the same run. bench/README.md "stf-bench-pps" says what each case
// measures, what the time is and how every packet is proven delivered.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bpf_kernel.h"

struct stf_bench_pps_bpf;

namespace stfbench::pps {

// A network namespace this process made, entered again with enter(); the fd keeps it alive
// until the process ends. Failures throw stf::Error (errno and context), as everywhere here.
class Netns {
public:
	// unshare(CLONE_NEWNET): the caller is in the new namespace afterwards.
	explicit Netns(std::string name);
	void enter() const; // setns
	const std::string &name() const { return name_; }

private:
	stf::Fd fd_;
	std::string name_;
};

// An XDP program attached to ifname (current namespace) through a bpf_link, whose fd this
// is: closing it detaches the program, from whichever namespace is current then.
stf::Fd attach_xdp(int prog_fd, const std::string &ifname);

// ---- pps_topo.cpp ----
// Builds, in the current namespace (the same in every one, fixed MACs, so the same frames
// fit):
//   wan0  <-> wan0p   192.0.2.1/24 on wan0, default via 192.0.2.254 (a permanent neighbour:
//                     wan0p's MAC); 2001:db8:ffff::/48 onlink via wan0 (native IPv6 out of
//                     the WAN, neighbour 2001:db8:ffff::10 permanent)
//   lan0  <-> lan0p   2002:c000:201:1::1/64 on lan0, 2002:c000:201:1::10 a permanent
//                     neighbour (lan0p's MAC)
//   bare0 <-> bare0p  nothing routed: the bare XDP_DROP baseline receives on bare0
//   lo                2002:c000:201:2::1: the UDP socket's address
// GRO on wan0 and lan0 (a veth takes redirected frames only with NAPI), IPv6 forwarding on.
void build_topology();
// sit's 6to4 as tests/vm/lib_vm.sh sets it up: tun6to4 (remote any, local 192.0.2.1),
// 2002:c000:201::1/16 on it, 2002::/16 into it. False (quietly) if this kernel has no sit.
bool add_sit();
uint32_t ifindex(const std::string &ifname); // throws if there is no such device

// Received and transmitted packets of a device (/proc/self/net/dev: the current namespace).
uint64_t dev_rx_packets(const std::string &ifname);
uint64_t dev_tx_packets(const std::string &ifname);
// A counter of /proc/self/net/snmp6 (Udp6InDatagrams, Udp6RcvbufErrors, ...).
uint64_t snmp6(const std::string &name);

// A UDP socket on [::]:5555 of the current namespace with a receive buffer for a whole run;
// received() drains it and returns the datagrams received so far.
class UdpReceiver {
public:
	UdpReceiver();
	uint64_t received();

private:
	stf::Fd fd_;
	uint64_t count_ = 0;
};

// ---- pps_cases.cpp ----
// A counter that must move by exactly per_packet for every frame of a run.
struct Check {
	std::string what;
	std::function<uint64_t()> read;
	uint64_t per_packet = 1;
};

// One side of a comparison: a frame redirected `frames` times into `into` (in ns), whose
// peer receives it. checks[0] is the receiver (what "delivered" means); before/after change
// the setting the side needs and restore it, outside the timed run.
struct Side {
	std::string name;
	std::shared_ptr<Netns> ns;
	std::vector<uint8_t> frame;
	uint32_t into = 0;
	std::vector<Check> checks;
	std::function<void()> before, after;
};

// A comparison: a against baseline b, alternated ABBA. target: the ratio a/b the issue asks
// for (0: none).
struct Case {
	std::string group, name;
	Side a, b;
	double target = 0;
};

// Everything the cases use, alive until the end of the run.
struct World;
struct WorldDeleter {
	void operator()(World *w) const;
};
// The namespaces, stf-xdp attached (router mode) on wan0 of "stf", the receivers; sit's side
// too when `sit` (and the kernel has sit: otherwise sit_ok is false). Throws stf::Error, also
// for `require_sit` on a kernel without sit.
std::unique_ptr<World, WorldDeleter> make_world(bool sit, bool require_sit, stf_bench_pps_bpf *skel,
						bool &sit_ok);
std::vector<Case> make_cases(World &w, bool sit);

// ---- pps_run.cpp ----
struct Settings {
	uint32_t frames = 20000;
	int rounds = 15;
	// Frames per batch of the live mode (0: the kernel's 64). Each batch's receive work runs
	// when it re-enables bottom halves; where that takes over 2 ms (under emulation) the
	// kernel defers it to ksoftirqd, outside the run, and the veth rings overflow.
	uint32_t batch = 0;
};

struct Sample {
	double ns_per_packet = 0; // the kernel's duration of the run per frame
	double wall_ns = 0;       // from before the syscall until the receiver had every frame
	uint64_t delivered = 0;
	uint64_t late = 0; // frames the receiver got only after the call had returned
};

struct Result {
	const Case *c = nullptr;
	std::vector<Sample> a, b; // one per round
	bool proven = true;
	std::string failure; // the first check that disagreed
};

std::vector<Result> measure(const std::vector<Case> &cases, stf_bench_pps_bpf *skel,
			    const Settings &s);

// ---- pps_main.cpp (report) ----
double median(std::vector<double> v);
double quantile(std::vector<double> v, double q);

} // namespace stfbench::pps
