// stf-flood: a fast packet source for the resource-hygiene test (tests/vm/test_hygiene.sh).
// Under QEMU's software emulation a python or a ping per packet is far too slow for a
// million packets; this sends them in batches of up to 1024 per system call.
//
//   stf-flood udp DST [options]
//       UDP datagrams to DST (IPv4 or IPv6) from an ordinary socket, with sendmmsg, so they go
//       through the kernel's routing like any application's traffic.
//         --count N      datagrams (default 1000)
//         --size B       UDP payload bytes (default 32)
//         --ports LO-HI  destination port rotates over LO..HI (default 9)
//         --rotate K     the destination's IPv4 address (DST itself, or the V4ADDR embedded in
//                        a 2002:V4ADDR:: DST) takes K consecutive values from DST's (default 1)
//         --hosts H      and an IPv6 DST's last 16 bits H consecutive values from DST's, so
//                        K x H destinations (default 1)
//         --src ADDR     bind to this source address
//         --batch M      datagrams per sendmmsg, 1..1024 (default 256)
//
//   stf-flood frames IFACE [options]
//       Ethernet frames of 6to4 (IPv4 protocol 41 carrying IPv6/UDP) written on IFACE with an
//       AF_PACKET socket, PACKET_QDISC_BYPASS, sendmmsg: what a 6to4 peer puts on the wire.
//         --count N, --size B, --ports LO-HI, --batch M   as above
//         --dst-mac MAC  (required)      --src4 A.B.C.D --dst4 A.B.C.D   outer addresses
//         --src6 ADDR --dst6 ADDR        inner addresses (required)
//
// Prints one line: "sent N in S s (R/s), T retried after ENOBUFS, E send errors". Exits 0
// only if all N were sent without an error (a retried message is sent once in the end).
#include <arpa/inet.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "packet.h"

namespace {

[[noreturn]] void usage(const char *why)
{
	std::fprintf(stderr,
		     "stf-flood: %s\n"
		     "usage: stf-flood udp DST [--count N] [--size B] [--ports LO-HI] [--rotate K]\n"
		     "                 [--hosts H] [--src ADDR] [--batch M]\n"
		     "       stf-flood frames IFACE --dst-mac MAC --src4 A --dst4 B --src6 X --dst6 Y\n"
		     "                 [--count N] [--size B] [--ports LO-HI] [--batch M]\n",
		     why);
	std::exit(2);
}

struct Options {
	std::string mode, target;
	uint64_t count = 1000;
	size_t size = 32;
	uint16_t port_lo = 9, port_hi = 9;
	uint32_t rotate = 1;
	uint32_t hosts = 1;
	unsigned batch = 256;
	std::string src, dst_mac, src4, dst4, src6, dst6;
};

uint64_t number(const char *s, uint64_t max, const char *what)
{
	char *end = nullptr;
	errno = 0;
	unsigned long long v = std::strtoull(s, &end, 10);
	if (errno || !*s || *end || v > max)
		usage((std::string("bad ") + what + ": " + s).c_str());
	return v;
}

Options parse(int argc, char **argv)
{
	if (argc < 3)
		usage("missing mode or target");
	Options o;
	o.mode = argv[1];
	o.target = argv[2];
	if (o.mode != "udp" && o.mode != "frames")
		usage("mode is udp or frames");
	static const option longopts[] = {
		{"count", required_argument, nullptr, 'n'}, {"size", required_argument, nullptr, 's'},
		{"ports", required_argument, nullptr, 'p'}, {"rotate", required_argument, nullptr, 'r'},
		{"src", required_argument, nullptr, 'S'},   {"batch", required_argument, nullptr, 'b'},
		{"dst-mac", required_argument, nullptr, 'm'}, {"src4", required_argument, nullptr, '4'},
		{"dst4", required_argument, nullptr, '5'},  {"src6", required_argument, nullptr, '6'},
		{"dst6", required_argument, nullptr, '7'},  {"hosts", required_argument, nullptr, 'h'},
		{nullptr, 0, nullptr, 0},
	};
	optind = 3;
	for (int c; (c = getopt_long(argc, argv, "", longopts, nullptr)) != -1;) {
		switch (c) {
		case 'n': o.count = number(optarg, UINT64_MAX / 2, "--count"); break;
		case 's': o.size = number(optarg, 1400, "--size"); break;
		case 'p': {
			std::string v = optarg;
			auto dash = v.find('-');
			o.port_lo = uint16_t(number(v.substr(0, dash).c_str(), 65535, "--ports"));
			o.port_hi = dash == std::string::npos
					    ? o.port_lo
					    : uint16_t(number(v.substr(dash + 1).c_str(), 65535, "--ports"));
			if (o.port_lo == 0 || o.port_hi < o.port_lo)
				usage("--ports wants LO-HI with 0 < LO <= HI");
			break;
		}
		case 'r': o.rotate = uint32_t(number(optarg, 1u << 24, "--rotate")); break;
		case 'h': o.hosts = uint32_t(number(optarg, 65536, "--hosts")); break;
		case 'S': o.src = optarg; break;
		case 'b': o.batch = unsigned(number(optarg, 1024, "--batch")); break;
		case 'm': o.dst_mac = optarg; break;
		case '4': o.src4 = optarg; break;
		case '5': o.dst4 = optarg; break;
		case '6': o.src6 = optarg; break;
		case '7': o.dst6 = optarg; break;
		default: usage("unknown option");
		}
	}
	if (optind != argc)
		usage("unexpected argument");
	if (o.batch == 0 || o.rotate == 0 || o.hosts == 0)
		usage("--batch, --rotate and --hosts must be at least 1");
	return o;
}

using Clock = std::chrono::steady_clock;

// Sends `count` messages in batches; msgs[i % msgs.size()] is message i. Returns the number
// sent. A blocking socket, so a full socket buffer waits; ENOBUFS (the device dropped the
// message: a veth whose peer's XDP ring is full until its NAPI poll runs) is backpressure,
// not loss: the message was not sent, is counted in *retries and sent again after a pause.
// Any other error counts in *errors and the message is skipped.
uint64_t send_all(int fd, std::vector<mmsghdr> &msgs, uint64_t count, unsigned batch,
		  uint64_t *retries, uint64_t *errors)
{
	uint64_t sent = 0;
	const size_t ring = msgs.size(); // a multiple of batch
	while (sent < count) {
		// A short send leaves `sent` mid-batch: never run past the end of the ring.
		const size_t at = sent % ring;
		const unsigned want = unsigned(std::min<uint64_t>({batch, count - sent, ring - at}));
		int n = sendmmsg(fd, &msgs[at], want, 0);
		if (n >= 0) {
			sent += unsigned(n);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS || errno == EAGAIN) {
			if (++*retries > 100000) {
				std::fprintf(stderr, "stf-flood: sendmmsg: %s, %llu times (giving up)\n",
					     std::strerror(errno), (unsigned long long)*retries);
				return sent;
			}
			usleep(200);
			continue;
		}
		std::fprintf(stderr, "stf-flood: sendmmsg: %s\n", std::strerror(errno));
		if (++*errors > 1000)
			return sent;
		sent++; // skipped, counted as an error
	}
	return sent;
}

// "sent N in S s (R/s), T retried after ENOBUFS, E send errors"; exit status.
int report(uint64_t sent, uint64_t count, double s, uint64_t retries, uint64_t errors)
{
	std::printf("sent %llu in %.1f s (%.0f/s), %llu retried after ENOBUFS, %llu send errors\n",
		    (unsigned long long)sent, s, s > 0 ? double(sent) / s : 0.0,
		    (unsigned long long)retries, (unsigned long long)errors);
	return sent == count && errors == 0 ? 0 : 1;
}

// The number of distinct messages prepared: every port and every destination of the
// rotation appear, and it is a multiple of the batch so a batch never wraps.
size_t ring_size(const Options &o)
{
	const size_t variants = size_t(o.port_hi - o.port_lo + 1) * o.rotate * o.hosts;
	size_t n = std::max<size_t>(variants, o.batch);
	n = std::min<size_t>(n, 65536);
	return (n + o.batch - 1) / o.batch * o.batch;
}

int flood_udp(const Options &o)
{
	sockaddr_in6 d6{};
	sockaddr_in d4{};
	bool v6 = inet_pton(AF_INET6, o.target.c_str(), &d6.sin6_addr) == 1;
	if (!v6 && inet_pton(AF_INET, o.target.c_str(), &d4.sin_addr) != 1)
		usage("udp: DST is not an IPv4 or IPv6 address");
	if (v6 && o.rotate > 1 && !(d6.sin6_addr.s6_addr[0] == 0x20 && d6.sin6_addr.s6_addr[1] == 0x02))
		usage("--rotate with an IPv6 DST needs a 2002:V4ADDR:: address");
	if (!v6 && o.hosts > 1)
		usage("--hosts needs an IPv6 DST");
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		std::perror("socket");
		return 1;
	}
	if (!o.src.empty()) {
		sockaddr_storage ss{};
		socklen_t len;
		if (v6) {
			auto *s = reinterpret_cast<sockaddr_in6 *>(&ss);
			s->sin6_family = AF_INET6;
			if (inet_pton(AF_INET6, o.src.c_str(), &s->sin6_addr) != 1)
				usage("--src is not an IPv6 address");
			len = sizeof(*s);
		} else {
			auto *s = reinterpret_cast<sockaddr_in *>(&ss);
			s->sin_family = AF_INET;
			if (inet_pton(AF_INET, o.src.c_str(), &s->sin_addr) != 1)
				usage("--src is not an IPv4 address");
			len = sizeof(*s);
		}
		if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0) {
			std::perror("bind");
			return 1;
		}
	}
	const size_t ring = ring_size(o);
	std::vector<uint8_t> payload(o.size ? o.size : 1, 0x5a);
	std::vector<sockaddr_in6> a6(v6 ? ring : 0);
	std::vector<sockaddr_in> a4(v6 ? 0 : ring);
	std::vector<iovec> iov(ring);
	std::vector<mmsghdr> msgs(ring);
	uint32_t base4 = 0;
	if (v6)
		std::memcpy(&base4, &d6.sin6_addr.s6_addr[2], 4);
	else
		base4 = d4.sin_addr.s_addr;
	base4 = ntohl(base4);
	const uint32_t ports = uint32_t(o.port_hi - o.port_lo + 1);
	const uint16_t host0 = uint16_t(d6.sin6_addr.s6_addr[14] << 8 | d6.sin6_addr.s6_addr[15]);
	for (size_t i = 0; i < ring; i++) {
		const uint32_t v4 = htonl(base4 + uint32_t(i % o.rotate));
		const uint16_t host = uint16_t(host0 + (i / o.rotate) % o.hosts);
		const uint16_t port = htons(uint16_t(o.port_lo + (i / o.rotate / o.hosts) % ports));
		iov[i] = {payload.data(), o.size};
		msgs[i] = {};
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		if (v6) {
			a6[i] = d6;
			a6[i].sin6_family = AF_INET6;
			a6[i].sin6_port = port;
			std::memcpy(&a6[i].sin6_addr.s6_addr[2], &v4, 4);
			a6[i].sin6_addr.s6_addr[14] = uint8_t(host >> 8);
			a6[i].sin6_addr.s6_addr[15] = uint8_t(host);
			msgs[i].msg_hdr.msg_name = &a6[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(a6[i]);
		} else {
			a4[i] = d4;
			a4[i].sin_family = AF_INET;
			a4[i].sin_port = port;
			a4[i].sin_addr.s_addr = v4;
			msgs[i].msg_hdr.msg_name = &a4[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(a4[i]);
		}
	}
	uint64_t retries = 0, errors = 0;
	const auto t0 = Clock::now();
	const uint64_t sent = send_all(fd, msgs, o.count, o.batch, &retries, &errors);
	const double s = std::chrono::duration<double>(Clock::now() - t0).count();
	close(fd);
	return report(sent, o.count, s, retries, errors);
}

// One 6to4 frame: Ethernet, IPv4 (protocol 41, DF clear, TTL 64), IPv6 (hop limit 64),
// UDP with a valid checksum and `size` bytes of payload (the tests' packet builder).
pkt::Bytes frame_6to4(const pkt::Mac &dmac, const pkt::Mac &smac, in_addr s4, in_addr d4,
		      const in6_addr &s6, const in6_addr &d6, uint16_t sport, uint16_t dport,
		      size_t size, uint16_t id)
{
	pkt::Ipv6 i6;
	i6.next_header = pkt::kProtoUdp;
	std::memcpy(i6.src.data(), &s6, 16);
	std::memcpy(i6.dst.data(), &d6, 16);
	pkt::Ipv4 i4;
	i4.id = id;
	i4.src = ntohl(s4.s_addr);
	i4.dst = ntohl(d4.s_addr);
	const pkt::Bytes inner = pkt::ipv6(i6, pkt::udp6(i6, sport, dport, pkt::Bytes(size, 0x5a)));
	return pkt::eth({dmac, smac, pkt::kEthIpv4}, pkt::ipv4(i4, inner));
}

int flood_frames(const Options &o)
{
	pkt::Mac dmac{}, smac{};
	in_addr s4{}, d4{};
	in6_addr s6{}, d6{};
	const ether_addr *dst_mac = ether_aton(o.dst_mac.c_str());
	if (!dst_mac)
		usage("frames: --dst-mac MAC is required");
	std::memcpy(dmac.data(), dst_mac->ether_addr_octet, 6);
	if (inet_pton(AF_INET, o.src4.c_str(), &s4) != 1 || inet_pton(AF_INET, o.dst4.c_str(), &d4) != 1)
		usage("frames: --src4 and --dst4 must be IPv4 addresses");
	if (inet_pton(AF_INET6, o.src6.c_str(), &s6) != 1 || inet_pton(AF_INET6, o.dst6.c_str(), &d6) != 1)
		usage("frames: --src6 and --dst6 must be IPv6 addresses");
	const unsigned ifindex = if_nametoindex(o.target.c_str());
	if (!ifindex) {
		std::fprintf(stderr, "stf-flood: no interface %s\n", o.target.c_str());
		return 1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, 0); // protocol 0: transmit only, receives nothing
	if (fd < 0) {
		std::perror("socket(AF_PACKET)");
		return 1;
	}
	int one = 1;
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) {
		std::perror("PACKET_QDISC_BYPASS");
		return 1;
	}
	ifreq ifr{};
	std::snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.target.c_str());
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		std::perror("SIOCGIFHWADDR");
		return 1;
	}
	std::memcpy(smac.data(), ifr.ifr_hwaddr.sa_data, 6);
	sockaddr_ll sll{};
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = int(ifindex);
	sll.sll_halen = 6;
	std::memcpy(sll.sll_addr, dmac.data(), 6);
	if (bind(fd, reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) != 0) {
		std::perror("bind(AF_PACKET)");
		return 1;
	}
	const size_t ring = ring_size(o);
	const uint32_t ports = uint32_t(o.port_hi - o.port_lo + 1);
	std::vector<pkt::Bytes> frames(ring);
	std::vector<iovec> iov(ring);
	std::vector<mmsghdr> msgs(ring);
	for (size_t i = 0; i < ring; i++) {
		frames[i] = frame_6to4(dmac, smac, s4, d4, s6, d6, uint16_t(40000 + i % 1000),
				       uint16_t(o.port_lo + i % ports), o.size, uint16_t(i));
		iov[i] = {frames[i].data(), frames[i].size()};
		msgs[i] = {};
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
	}
	uint64_t retries = 0, errors = 0;
	const auto t0 = Clock::now();
	const uint64_t sent = send_all(fd, msgs, o.count, o.batch, &retries, &errors);
	const double s = std::chrono::duration<double>(Clock::now() - t0).count();
	close(fd);
	return report(sent, o.count, s, retries, errors);
}

} // namespace

int main(int argc, char **argv)
{
	const Options o = parse(argc, argv);
	return o.mode == "udp" ? flood_udp(o) : flood_frames(o);
}
