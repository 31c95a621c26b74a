// The BPF tests' private network namespace (harness.h, NetNs): the devices and routes the
// programs' FIB lookups see, made with iproute2 as a test's netns would be.
#include "harness.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>


namespace stft {

NetNs g_net;

namespace {

// Runs argv (no shell) and returns true on exit status 0; prints the command otherwise.
bool run(const std::vector<std::string> &argv)
{
	std::string line;
	for (const auto &a : argv)
		line += (line.empty() ? "" : " ") + a;
	pid_t pid = fork();
	if (pid < 0) {
		std::fprintf(stderr, "fork: %s\n", std::strerror(errno));
		return false;
	}
	if (pid == 0) {
		std::vector<char *> args;
		for (const auto &a : argv)
			args.push_back(const_cast<char *>(a.c_str()));
		args.push_back(nullptr);
		execvp(args[0], args.data());
		std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
		_exit(127);
	}
	int status = 0;
	if (waitpid(pid, &status, 0) < 0) {
		std::fprintf(stderr, "waitpid: %s\n", std::strerror(errno));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		std::fprintf(stderr, "netns setup failed: `%s` (status %d)\n", line.c_str(), status);
		return false;
	}
	return true;
}

bool ip(const std::string &args)
{
	std::vector<std::string> argv{"ip"};
	std::istringstream is(args);
	for (std::string w; is >> w;)
		argv.push_back(w);
	return run(argv);
}

// IPv6 on a device without addresses or multicast, so it sends nothing of its own.
bool ipv6_quietly_on(const std::string &dev)
{
	return ip("link set " + dev + " multicast off") && ip("link set " + dev + " addrgenmode none") &&
	       write_sysctl("net/ipv6/conf/" + dev + "/disable_ipv6", "0");
}

uint32_t ifindex_of(const char *name)
{
	uint32_t idx = if_nametoindex(name);
	if (!idx)
		std::fprintf(stderr, "if_nametoindex(%s): %s\n", name, std::strerror(errno));
	return idx;
}

} // namespace

bool write_sysctl(const std::string &rel_path, const std::string &value)
{
	std::ofstream f("/proc/sys/" + rel_path);
	f << value << "\n";
	f.flush();
	if (!f) {
		std::fprintf(stderr, "sysctl %s = %s failed\n", rel_path.c_str(), value.c_str());
		return false;
	}
	return true;
}

bool setup_netns()
{
	if (unshare(CLONE_NEWNET) != 0) {
		std::fprintf(stderr,
			     "unshare(CLONE_NEWNET): %s -- the BPF tests need root (CAP_SYS_ADMIN) "
			     "and network namespaces\n",
			     std::strerror(errno));
		return false;
	}
	// A fresh namespace has only lo, and it is down. IPv6 off everywhere: no DAD, MLD or
	// router solicitation can cross a hook the live tests attach while counters are compared
	// (the tests craft their IPv6 packets themselves).
	bool ok = write_sysctl("net/ipv6/conf/all/disable_ipv6", "1") &&
		  write_sysctl("net/ipv6/conf/default/disable_ipv6", "1") &&
		  ip("link set lo up") &&
		  // The attached interface: a gateway with a permanent neighbour entry, so the
		  // FIB lookup resolves the next hop without ARP.
		  ip("link add veth0 address 02:00:00:00:00:01 type veth peer name veth0p address "
		     "02:00:00:00:00:02") &&
		  ip("addr add 192.0.2.1/24 dev veth0") && ip("link set veth0 up") &&
		  ip("link set veth0p up") &&
		  ip("neigh add 192.0.2.254 lladdr 02:00:00:00:00:fe dev veth0 nud permanent") &&
		  ip("route add default via 192.0.2.254 dev veth0") &&
		  write_sysctl("net/ipv4/conf/veth0/forwarding", "1") &&
		  // The tunnel device the encap program would be attached to. Both programs look
		  // up the FIB from it, which needs IPv4 forwarding on there (as attach sets it).
		  ip("link add stft0 address 02:00:00:00:00:51 type veth peer name stft0p") &&
		  ip("link set stft0 up") &&
		  ip("link set stft0p up") && write_sysctl("net/ipv4/conf/stft0/forwarding", "1") &&
		  // Up, forwarding, but nothing routed through it.
		  ip("link add nort0 type veth peer name nort0p") && ip("link set nort0 up") &&
		  ip("link set nort0p up") && write_sysctl("net/ipv4/conf/nort0/forwarding", "1") &&
		  // A second interface, IPv4 forwarding off: its address is the host's but not a
		  // V4ADDR, and 198.51.100.128/25 routes out of it, not out of veth0.
		  ip("link add nofwd0 address 02:00:00:00:00:31 type veth peer name nofwd0p") &&
		  ip("addr add 198.51.100.65/28 dev nofwd0") && ip("link set nofwd0 up") &&
		  ip("link set nofwd0p up") &&
		  ip("neigh add 198.51.100.78 lladdr 02:00:00:00:00:3e dev nofwd0 nud permanent") &&
		  ip("route add 198.51.100.128/25 via 198.51.100.78 dev nofwd0") &&
		  write_sysctl("net/ipv4/conf/nofwd0/forwarding", "0") &&
		  // Sources nothing routes back to.
		  ip("route add unreachable 198.51.100.32/28") &&
		  ip("route add blackhole 198.51.100.48/28") &&
		  // IPv6 for the loop guard's lookups, on two devices only, silent (no addresses,
		  // no multicast): 2001:db8:99::/64 routes back into the tunnel, 2001:db8:1::/64
		  // out of nort0. The helper needs IPv6 forwarding on the device asked from.
		  ipv6_quietly_on("stft0") && ipv6_quietly_on("nort0") &&
		  write_sysctl("net/ipv6/conf/stft0/forwarding", "1") &&
		  ip("-6 route add 2001:db8:99::/64 dev stft0") &&
		  ip("-6 route add 2001:db8:1::/64 dev nort0") &&
		  // The fast path's LAN (tests/bpf/fast_path_test.cpp): MTU 1400, on-link
		  // 2002:c000:201:7::/64 with a permanent neighbour ::20, 2002:c000:201:8::/64 with
		  // none, a local route, an unreachable one, and 2002:c000:201:99::/64 back into the
		  // tunnel (with a neighbour, so the lookup itself succeeds).
		  ip("link add lan0 address 02:00:00:00:00:71 mtu 1400 type veth peer name lan0p") &&
		  ip("link set lan0 up") && ip("link set lan0p up") && ipv6_quietly_on("lan0") &&
		  ip("-6 route add 2002:c000:201:7::/64 dev lan0") &&
		  ip("-6 neigh add 2002:c000:201:7::20 lladdr 02:00:00:00:00:7e dev lan0 nud permanent") &&
		  ip("-6 route add 2002:c000:201:8::/64 dev lan0") &&
		  ip("-6 route add local 2002:c000:201:9::1 dev lan0") &&
		  ip("-6 route add unreachable 2002:c000:201:a::/64") &&
		  ip("-6 route add 2002:c000:201:99::/64 dev stft0") &&
		  ip("-6 neigh add 2002:c000:201:99::20 lladdr 02:00:00:00:00:9e dev stft0 nud permanent");
	if (!ok)
		return false;
	g_net.uplink = ifindex_of("veth0");
	g_net.tunnel = ifindex_of("stft0");
	g_net.tunnel_peer = ifindex_of("stft0p");
	g_net.noroute = ifindex_of("nort0");
	g_net.nofwd = ifindex_of("nofwd0");
	g_net.lan = ifindex_of("lan0");
	return g_net.uplink && g_net.tunnel && g_net.tunnel_peer && g_net.noroute && g_net.nofwd &&
	       g_net.lan;
}

} // namespace stft
