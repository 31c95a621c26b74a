// stf-bench-pps's namespaces, devices and the counters it reads from them.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench_net.h"
#include "error.h"
#include "ifdev.h"
#include "pps.h"

namespace stfbench::pps {

using stf::Error;
using stf::Exit;

Netns::Netns(std::string name) : name_(std::move(name))
{
	if (unshare(CLONE_NEWNET) != 0)
		throw Error(Exit::failure, "unshare(CLONE_NEWNET) for " + name_ + " (run as root)",
			    errno);
	fd_ = stf::Fd(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
	if (fd_.get() < 0)
		throw Error(Exit::failure, "open /proc/self/ns/net", errno);
}

void Netns::enter() const
{
	if (setns(fd_.get(), CLONE_NEWNET) != 0)
		throw Error(Exit::failure, "setns " + name_, errno);
}

uint32_t ifindex(const std::string &ifname)
{
	const uint32_t i = if_nametoindex(ifname.c_str());
	if (i == 0)
		throw Error(Exit::failure, "no device " + ifname, errno);
	return i;
}

stf::Fd attach_xdp(int prog_fd, const std::string &ifname)
{
	stf::Fd l(bpf_link_create(prog_fd, int(ifindex(ifname)), BPF_XDP, nullptr));
	if (l.get() < 0)
		throw Error(Exit::failure, "attach XDP to " + ifname, errno);
	return l;
}

namespace {

void must(bool ok, const std::string &what)
{
	if (!ok)
		throw Error(Exit::failure, what);
}

void ip_all(std::initializer_list<const char *> cmds)
{
	for (const char *c : cmds)
		must(stfbench::ip(c), std::string("ip ") + c);
}

// A /proc/self/net/dev column after the name: 1 is received packets, 9 sent packets.
uint64_t dev_column(const std::string &ifname, int column)
{
	std::ifstream f("/proc/self/net/dev");
	std::string line;
	while (std::getline(f, line)) {
		const auto colon = line.find(':');
		if (colon == std::string::npos)
			continue;
		std::istringstream name(line.substr(0, colon));
		std::string n;
		name >> n;
		if (n != ifname)
			continue;
		std::istringstream is(line.substr(colon + 1));
		uint64_t v = 0;
		for (int i = 0; i <= column; i++)
			is >> v;
		return v;
	}
	throw Error(Exit::failure, "no " + ifname + " in /proc/self/net/dev");
}

} // namespace

void build_topology()
{
	ip_all({"link set lo up",
		"link add wan0 address 02:00:00:00:01:01 type veth peer name wan0p address "
		"02:00:00:00:01:02",
		"link add lan0 address 02:00:00:00:02:01 type veth peer name lan0p address "
		"02:00:00:00:02:02",
		"link add bare0 address 02:00:00:00:03:01 type veth peer name bare0p address "
		"02:00:00:00:03:02"});
	// The far ends only receive (or only send): no link-local chatter from them.
	for (const char *d : {"wan0p", "lan0p", "bare0", "bare0p"})
		must(sysctl(std::string("net/ipv6/conf/") + d + "/disable_ipv6", "1"), d);
	must(sysctl("net/ipv6/conf/all/forwarding", "1"), "IPv6 forwarding");
	for (const char *d : {"wan0", "wan0p", "lan0", "lan0p", "bare0", "bare0p"})
		must(stfbench::ip(std::string("link set ") + d + " up"), d);
	stf::set_gro("wan0", true);
	stf::set_gro("lan0", true);
	ip_all({"addr add 192.0.2.1/24 dev wan0",
		"neigh add 192.0.2.254 lladdr 02:00:00:00:01:02 dev wan0 nud permanent",
		"route add default via 192.0.2.254 dev wan0",
		"-6 route add 2001:db8:ffff::/48 dev wan0",
		"-6 neigh add 2001:db8:ffff::10 lladdr 02:00:00:00:01:02 dev wan0 nud permanent",
		"-6 addr add 2002:c000:201:1::1/64 dev lan0 nodad",
		"-6 neigh add 2002:c000:201:1::10 lladdr 02:00:00:00:02:02 dev lan0 nud permanent",
		"-6 addr add 2002:c000:201:2::1/128 dev lo"});
}

bool add_sit()
{
	// Through netlink, as tests/vm/lib_vm.sh does (`ip tunnel add` needs sit0, which a
	// namespace may lack). Fails on a kernel without sit: that is the answer, not an error.
	if (!stfbench::ip("link add tun6to4 type sit remote any local 192.0.2.1", true))
		return false;
	ip_all({"link set tun6to4 up", "-6 addr add 2002:c000:201::1/16 dev tun6to4 nodad",
		"-6 route add 2002::/16 dev tun6to4"});
	return true;
}

uint64_t dev_rx_packets(const std::string &ifname)
{
	return dev_column(ifname, 1);
}

uint64_t dev_tx_packets(const std::string &ifname)
{
	return dev_column(ifname, 9);
}

uint64_t snmp6(const std::string &name)
{
	std::ifstream f("/proc/self/net/snmp6");
	std::string n;
	uint64_t v = 0;
	while (f >> n >> v)
		if (n == name)
			return v;
	throw Error(Exit::failure, "no " + name + " in /proc/self/net/snmp6");
}

UdpReceiver::UdpReceiver() : fd_(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0))
{
	if (fd_.get() < 0)
		throw Error(Exit::failure, "UDP socket", errno);
	// A whole run queues here before it is read (each small datagram holds a page, its
	// truesize): reading it during the run would put a reader beside the generator.
	const int size = 1 << 30;
	if (setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		throw Error(Exit::failure, "SO_RCVBUFFORCE", errno);
	sockaddr_in6 a{};
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(5555);
	if (bind(fd_.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0)
		throw Error(Exit::failure, "bind [::]:5555", errno);
}

uint64_t UdpReceiver::received()
{
	static char buf[64][256];
	mmsghdr msgs[64]{};
	iovec iov[64];
	for (int i = 0; i < 64; i++) {
		iov[i] = {buf[i], sizeof(buf[i])};
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	int n;
	while ((n = recvmmsg(fd_.get(), msgs, 64, MSG_DONTWAIT, nullptr)) > 0)
		count_ += uint64_t(n);
	return count_;
}

} // namespace stfbench::pps
