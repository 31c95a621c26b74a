#include "slowpath.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>

#include "bpf_kernel.h"
#include "dataplane.h"
#include "error.h"
#include "signals.h"
#include "slowpath_packet.h"

namespace stf {

namespace {

// Abstract unix socket names belong to the network namespace: the lock, and how `status`
// knows that a slow path serves this namespace.
constexpr char kLockName[] = "stf-xdp-slowpath";

// At most kBurst lines a second, so a flood of bad packets cannot flood the journal.
class Log {
public:
	explicit Log(std::ostream &os) : os_(os) {}
	void line(const std::string &text)
	{
		auto now = std::chrono::steady_clock::now();
		if (now - window_ >= std::chrono::seconds(1)) {
			if (suppressed_)
				os_ << "stf-xdp slowpath: " << suppressed_ << " more messages suppressed\n";
			window_ = now;
			in_window_ = suppressed_ = 0;
		}
		if (in_window_++ < kBurst)
			os_ << "stf-xdp slowpath: " << text << std::endl;
		else
			suppressed_++;
	}

private:
	static constexpr unsigned kBurst = 5;
	std::ostream &os_;
	std::chrono::steady_clock::time_point window_{};
	unsigned in_window_ = 0, suppressed_ = 0;
};

Mac device_mac(int sock, const std::string &name)
{
	ifreq ifr{};
	std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
	Mac mac{};
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) == 0)
		std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
	return mac;
}

// The counters only the slow path writes (slow_*): one writer (the lock), so a read-modify-write
// of CPU 0's slot loses nothing; the programs never touch these ids.
void count(int map_fd, uint32_t id, uint64_t bytes)
{
	static const int ncpu = libbpf_num_possible_cpus();
	std::vector<stf_counter> v(ncpu > 0 ? ncpu : 1);
	if (bpf_map_lookup_elem(map_fd, &id, v.data()) == 0) {
		v[0].packets++;
		v[0].bytes += bytes;
		bpf_map_update_elem(map_fd, &id, v.data(), BPF_ANY);
	}
}

// An interface's decapsulator, as the slow path runs it.
struct Target {
	Dataplane dp;
	uint32_t prog_id;
	Fd prog;
	std::string ifname;
	uint32_t peer_ifindex; // where the program redirects: the tunnel pair's peer
	Mac tun_mac, peer_mac;
};

} // namespace

class SlowPath::Impl {
public:
	explicit Impl(std::ostream &log);
	void drain();
	int fd() const { return raw_.get(); }

private:
	void handle(const uint8_t *pkt, size_t len, uint32_t ifindex);
	Target *target(uint32_t ifindex);

	Fd lock_, raw_, tx_;
	Log log_;
	std::map<uint32_t, std::unique_ptr<Target>> targets_;
	std::vector<uint8_t> frame_;
};

SlowPath::Impl::Impl(std::ostream &log)
	: lock_(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)),
	  raw_(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPV6)),
	  tx_(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)), log_(log)
{
	if (lock_.get() < 0 || raw_.get() < 0 || tx_.get() < 0)
		sys_error("slowpath: open sockets (raw IPv4 protocol 41, packet)", errno);
	sockaddr_un un{};
	un.sun_family = AF_UNIX;
	std::memcpy(un.sun_path + 1, kLockName, sizeof(kLockName) - 1);
	socklen_t un_len = offsetof(sockaddr_un, sun_path) + 1 + sizeof(kLockName) - 1;
	if (bind(lock_.get(), reinterpret_cast<sockaddr *>(&un), un_len) != 0) {
		if (errno == EADDRINUSE)
			throw Error(Exit::already_attached,
				    "slowpath: a slow path already serves this network namespace");
		sys_error("slowpath: bind @" + std::string(kLockName), errno);
	}
	int on = 1;
	// The interface it arrived on: the decapsulator to run, and its ingress filter's input.
	if (setsockopt(raw_.get(), IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) != 0)
		sys_error("slowpath: IP_PKTINFO", errno);
	// Reassembled packets come in bursts (a window of full-size segments); 4 MiB absorbs one.
	int buf = 4 << 20;
	setsockopt(raw_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	frame_.reserve(ETH_HLEN + kSlowMaxPacket);
}

Target *SlowPath::Impl::target(uint32_t ifindex)
{
	// Checked per packet: a detach and attach replaces the program, and a stale program
	// would redirect into a deleted peer. One netlink round trip; the slow path is rare.
	XdpState x;
	try {
		x = query_xdp(ifindex);
	} catch (const Error &) {
		x = XdpState{};
	}
	auto it = targets_.find(ifindex);
	if (it != targets_.end() && x.prog_id && it->second->prog_id == x.prog_id)
		return it->second.get();
	targets_.erase(ifindex);
	if (!x.prog_id)
		return nullptr;
	char name[IF_NAMESIZE] = {};
	if (!if_indextoname(ifindex, name))
		return nullptr;
	try {
		std::optional<Dataplane> dp = Dataplane::find(name);
		// Our decapsulator is the hook's program, or one of libxdp's dispatcher's: then the
		// hook's id (the dispatcher's) is what the cache compares, and what runs here is our
		// program alone, never the dispatcher with the other programs.
		if (!dp || !dp->xdp_prog_id() ||
		    (dp->xdp_prog_id() != x.prog_id && !dp->xdp_dispatcher_id()))
			return nullptr;
		Fd prog = dp->test_run_program();
		if (prog.get() < 0)
			return nullptr;
		stf_config cfg = dp->maps().config();
		auto t = std::unique_ptr<Target>(new Target{std::move(*dp), x.prog_id, std::move(prog),
							    name, cfg.tun_peer_ifindex, {}, {}});
		std::memcpy(t->tun_mac.data(), cfg.tun_mac, t->tun_mac.size());
		char peer[IF_NAMESIZE] = {};
		if (if_indextoname(cfg.tun_peer_ifindex, peer))
			t->peer_mac = device_mac(tx_.get(), peer);
		log_.line(std::string("serving ") + name + " (XDP program " +
			  std::to_string(x.prog_id) + ")");
		return (targets_[ifindex] = std::move(t)).get();
	} catch (const Error &e) {
		log_.line(std::string(name) + ": " + e.what());
		return nullptr;
	}
}

void SlowPath::Impl::handle(const uint8_t *pkt, size_t len, uint32_t ifindex)
{
	Target *t = target(ifindex);
	if (!t) {
		// Protocol 41 to an address of ours through an interface without our decapsulator
		// (another uplink, return-relay mode): nobody asked us to decapsulate there.
		char name[IF_NAMESIZE] = "?";
		if_indextoname(ifindex, name);
		log_.line(std::string("protocol-41 packet via ") + name +
			  ", which has no stf-xdp decapsulator: dropped");
		return;
	}
	const int counters = t->dp.counters_fd();
	count(counters, STF_C_slow_path, len);
	switch (outer_to_frame(pkt, len, t->tun_mac, t->peer_mac, frame_)) {
	case SlowFrame::ok:
		break;
	case SlowFrame::too_big:
		count(counters, STF_C_slow_too_big, len);
		return;
	case SlowFrame::malformed:
		count(counters, STF_C_slow_failed, len);
		log_.line(t->ifname + ": the kernel handed over a malformed IPv4 header");
		return;
	}

	uint8_t out[4096];
	xdp_md md{};
	md.data_end = static_cast<__u32>(frame_.size());
	// No ingress_ifindex: run as received on lo, so the fast path (bpf/lib/forward.h) leaves
	// the packet a tunnel frame, which is what is delivered below.
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame_.data(), .data_out = out,
		    .data_size_in = static_cast<__u32>(frame_.size()), .data_size_out = sizeof(out),
		    .ctx_in = &md, .ctx_size_in = sizeof(md), .repeat = 1);
	if (int err = bpf_prog_test_run_opts(t->prog.get(), &run)) {
		count(counters, STF_C_slow_failed, len);
		log_.line(t->ifname + ": run the decapsulator: " + Error::errno_text(-err));
		return;
	}
	// Only a redirect is delivered. A drop was counted by the program under its reason; a
	// pass (not for one of our V4ADDRs) would only come back here: dropped.
	if (run.retval != XDP_REDIRECT)
		return;
	sockaddr_ll ll{};
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IPV6);
	ll.sll_ifindex = static_cast<int>(t->peer_ifindex);
	ll.sll_halen = ETH_ALEN;
	std::memcpy(ll.sll_addr, t->tun_mac.data(), ETH_ALEN);
	if (sendto(tx_.get(), out, run.data_size_out, 0, reinterpret_cast<sockaddr *>(&ll),
		   sizeof(ll)) < 0) {
		count(counters, STF_C_slow_failed, len);
		log_.line(t->ifname + ": deliver into the tunnel: " + Error::errno_text(errno));
	}
}

// Every packet waiting on the raw socket, then back to the caller's wait.
void SlowPath::Impl::drain()
{
	static std::vector<uint8_t> buf(65536);
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(in_pktinfo))];
		iovec iov{buf.data(), buf.size()};
		msghdr msg{};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		ssize_t n = recvmsg(raw_.get(), &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			sys_error("slowpath: receive", errno);
		}
		uint32_t ifindex = 0;
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				in_pktinfo info;
				std::memcpy(&info, CMSG_DATA(c), sizeof(info));
				ifindex = static_cast<uint32_t>(info.ipi_ifindex);
			}
		if (ifindex && !(msg.msg_flags & MSG_TRUNC))
			handle(buf.data(), static_cast<size_t>(n), ifindex);
	}
}

SlowPath::SlowPath(std::ostream &log) : impl_(std::make_unique<Impl>(log))
{
	quiet_libbpf();
}
SlowPath::~SlowPath() = default;
int SlowPath::fd() const { return impl_->fd(); }
void SlowPath::drain() { impl_->drain(); }

void run_slowpath(std::ostream &log)
{
	ServiceSignals signals;
	SlowPath sp(log);
	log << "stf-xdp slowpath: ready: checking reassembled and option-carrying protocol-41 "
	       "packets"
	    << std::endl;
	// SIGHUP stops it too: it has nothing to reload.
	while (signals.wait(sp.fd()) == ServiceSignals::Event::readable)
		sp.drain();
	log << "stf-xdp slowpath: stopped" << std::endl;
}

bool slowpath_running()
{
	// /proc/net is the reader's namespace. An abstract name shows as "@name" at the line's end.
	std::ifstream in("/proc/net/unix");
	const std::string want = std::string(" @") + kLockName;
	for (std::string line; std::getline(in, line);)
		if (line.size() >= want.size() &&
		    line.compare(line.size() - want.size(), want.size(), want) == 0)
			return true;
	return false;
}

} // namespace stf
