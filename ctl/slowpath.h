// The slow path: outer IPv4 fragments and outer headers with options. XDP cannot reassemble,
// so it hands both to the kernel (pass_fragment, pass_options); the kernel reassembles and
// acts on the options, then, having no protocol-41 handler of its own (no sit), offers the
// packet to raw sockets only. `stf-xdp slowpath` holds that raw socket: it rewrites each
// packet into a plain frame (slowpath_packet.h) and runs the interface's own XDP
// decapsulator on it with BPF_PROG_TEST_RUN, so the packet passes exactly the same checks and
// is counted in the same counters as any other; what the program redirects, it transmits
// into the tunnel pair's peer, so the packet is received on stf<N> like the fast path's.
//
// One per network namespace (an abstract unix socket is the lock). Without it the kernel
// drops those packets (ICMP protocol unreachable, Ip InUnknownProtos), as before.
#pragma once

#include <memory>
#include <ostream>

namespace stf {

// The service's sockets and its cache of decapsulators, for a caller's own wait loop (run).
// Throws Error(Exit::already_attached) if a slow path already serves this namespace.
class SlowPath {
public:
	explicit SlowPath(std::ostream &log);
	~SlowPath();
	SlowPath(const SlowPath &) = delete;
	SlowPath &operator=(const SlowPath &) = delete;
	int fd() const;  // readable when packets wait
	void drain();    // handles every waiting packet

private:
	class Impl;
	std::unique_ptr<Impl> impl_;
};

// `stf-xdp slowpath`: serves until SIGTERM, SIGINT or SIGHUP; logs one line per event to log
// (rate-limited).
void run_slowpath(std::ostream &log);

// True if a slow path serves the caller's network namespace.
bool slowpath_running();

} // namespace stf
