// The benchmark's private network namespace and the few facts it reads from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stfbench {

// unshare(CLONE_NEWNET), then:
//   eth0 <-> eth0p   192.0.2.1/24, default via 192.0.2.254 (a permanent neighbour)
//   IPv6 forwarding on, and a blackhole route for 2002:c000:201:1::/64: a delivered packet
//   is received, routed and discarded, the same work whichever device received it, and
//   nothing queues behind it
// Returns false with a message on stderr.
bool build_namespace();

// Writes /proc/sys/REL (of the current network namespace); false with a message if it fails.
bool sysctl(const std::string &rel, const std::string &value);

// Runs `ip ARGS` (no shell); false with the command on stderr if it fails. quiet: a probe
// whose failure is an answer; nothing on stderr.
bool ip(const std::string &args, bool quiet = false);

// Ip6InReceives of this network namespace (/proc/self/net/snmp6): packets the IPv6 stack
// received, on any device.
uint64_t ip6_in_receives();

// An Ethernet + IPv6 + UDP (port 40000 to 5555, checksummed) frame from src6 to dst6, hop
// limit 64, `payload` bytes of UDP payload.
std::vector<uint8_t> ipv6_udp_frame(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				    const char *src6, const char *dst6, size_t payload);

// ipv6_udp_frame from 2002:c633:6401::1 to 2002:c000:201:1::10: what decapsulation hands on.
std::vector<uint8_t> inner_frame(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				 size_t payload);

// The IPv6 frame `inner` in IPv4 (outer_src -> outer_dst, protocol 41, TTL 64, checksummed),
// with inner's MACs.
std::vector<uint8_t> encapsulate(const std::vector<uint8_t> &inner, const char *outer_src,
				 const char *outer_dst);

// eth + IPv4 (outer_src -> 192.0.2.1, protocol 41, checksummed) + inner_frame(.., 64), whose
// 6to4 source embeds 198.51.100.1: valid from that source, spoofed from any other.
std::vector<uint8_t> sixtofour_frame(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				     const char *outer_src);

// The benchmarks' command line: [COUNT_FLAG N] [--rounds R], defaults given. False (after a
// usage line on stderr) if N is 0 or R below 2.
bool parse_args(int argc, char **argv, const char *count_flag, uint32_t &count, int &rounds);

} // namespace stfbench
