#include "bench_net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace stfbench {

namespace {

uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(sum);
}

uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum = 0)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += uint32_t(p[i]) << 8 | p[i + 1];
	if (n & 1)
		sum += uint32_t(p[n - 1]) << 8;
	return sum;
}

} // namespace

bool sysctl(const std::string &rel, const std::string &value)
{
	std::ofstream f("/proc/sys/" + rel);
	f << value << '\n';
	f.flush();
	if (!f)
		std::fprintf(stderr, "sysctl %s=%s failed\n", rel.c_str(), value.c_str());
	return bool(f);
}

bool ip(const std::string &args, bool quiet)
{
	std::vector<std::string> words{"ip"};
	std::istringstream is(args);
	for (std::string w; is >> w;)
		words.push_back(w);
	pid_t pid = fork();
	if (pid == 0) {
		std::vector<char *> argv;
		for (auto &w : words)
			argv.push_back(w.data());
		argv.push_back(nullptr);
		if (quiet) // only async-signal-safe calls between fork and exec
			dup2(open("/dev/null", O_WRONLY), 2);
		execvp("ip", argv.data());
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!quiet)
			std::fprintf(stderr, "failed: ip %s\n", args.c_str());
		return false;
	}
	return true;
}

bool build_namespace()
{
	if (unshare(CLONE_NEWNET) != 0) {
		std::fprintf(stderr, "unshare(CLONE_NEWNET): %s (run as root)\n", std::strerror(errno));
		return false;
	}
	return ip("link set lo up") && ip("link add eth0 type veth peer name eth0p") &&
	       ip("addr add 192.0.2.1/24 dev eth0") && ip("link set eth0 up") &&
	       ip("link set eth0p up") &&
	       ip("neigh add 192.0.2.254 lladdr 02:00:00:00:00:fe dev eth0 nud permanent") &&
	       ip("route add default via 192.0.2.254 dev eth0") &&
	       sysctl("net/ipv6/conf/all/forwarding", "1") &&
	       ip("-6 route add blackhole 2002:c000:201:1::/64");
}

uint64_t ip6_in_receives()
{
	std::ifstream f("/proc/self/net/snmp6");
	std::string name;
	uint64_t value = 0;
	while (f >> name >> value)
		if (name == "Ip6InReceives")
			return value;
	return 0;
}

std::vector<uint8_t> inner_frame(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				 size_t payload)
{
	return ipv6_udp_frame(dst_mac, src_mac, "2002:c633:6401::1", "2002:c000:201:1::10", payload);
}

std::vector<uint8_t> ipv6_udp_frame(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				    const char *src6, const char *dst6, size_t payload)
{
	std::vector<uint8_t> f(14 + 40 + 8 + payload, 0);
	std::memcpy(&f[0], dst_mac, 6);
	std::memcpy(&f[6], src_mac, 6);
	f[12] = 0x86, f[13] = 0xdd;
	uint8_t *ip6 = &f[14];
	ip6[0] = 0x60;
	const uint16_t plen = uint16_t(8 + payload);
	ip6[4] = uint8_t(plen >> 8), ip6[5] = uint8_t(plen);
	ip6[6] = 17, ip6[7] = 64;
	inet_pton(AF_INET6, src6, ip6 + 8);
	inet_pton(AF_INET6, dst6, ip6 + 24);
	uint8_t *udp = ip6 + 40;
	udp[0] = 0x9c, udp[1] = 0x40; // 40000
	udp[2] = 0x15, udp[3] = 0xb3; // 5555
	udp[4] = uint8_t(plen >> 8), udp[5] = uint8_t(plen);
	for (size_t i = 0; i < payload; i++)
		udp[8 + i] = uint8_t(i);
	uint32_t sum = sum16(ip6 + 8, 32) + plen + 17; // pseudo-header
	uint16_t c = uint16_t(~fold(sum16(udp, plen, sum)));
	if (c == 0)
		c = 0xffff; // 0 means "no checksum", which IPv6 forbids for UDP
	udp[6] = uint8_t(c >> 8), udp[7] = uint8_t(c);
	return f;
}

bool parse_args(int argc, char **argv, const char *count_flag, uint32_t &count, int &rounds)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!std::strcmp(argv[i], count_flag))
			count = uint32_t(std::strtoul(argv[i + 1], nullptr, 10));
		else if (!std::strcmp(argv[i], "--rounds"))
			rounds = std::atoi(argv[i + 1]);
	}
	if (count == 0 || rounds < 2) {
		std::fprintf(stderr, "usage: %s [%s N>0] [--rounds R>=2]\n", argv[0], count_flag);
		return false;
	}
	return true;
}

std::vector<uint8_t> sixtofour_frame(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				     const char *outer_src)
{
	return encapsulate(inner_frame(dst_mac, src_mac, 64), outer_src, "192.0.2.1");
}

std::vector<uint8_t> encapsulate(const std::vector<uint8_t> &inner, const char *outer_src,
				 const char *outer_dst)
{
	std::vector<uint8_t> f(inner.begin(), inner.begin() + 14);
	f[12] = 0x08, f[13] = 0x00;
	uint8_t ip[20] = {0x45, 0};
	const uint16_t len = uint16_t(20 + inner.size() - 14);
	ip[2] = uint8_t(len >> 8), ip[3] = uint8_t(len);
	ip[8] = 64, ip[9] = 41;
	inet_pton(AF_INET, outer_src, ip + 12);
	inet_pton(AF_INET, outer_dst, ip + 16);
	const uint16_t c = uint16_t(~fold(sum16(ip, 20)));
	ip[10] = uint8_t(c >> 8), ip[11] = uint8_t(c);
	f.insert(f.end(), ip, ip + 20);
	f.insert(f.end(), inner.begin() + 14, inner.end());
	return f;
}

} // namespace stfbench
