// A small packet builder for the BPF tests. Deliberately independent of the dataplane: it
// shares no code with bpf/ and computes every checksum itself, so a wrong byte in either one
// shows up as a mismatch instead of being reproduced on both sides.
//
// Addresses are given in host byte order (IPv4) or as 16 raw bytes (IPv6); everything is
// written in network byte order. Every header field is settable, including the ones a
// well-formed packet derives (IHL, total length, payload length, checksum), so the tests can
// build exactly the broken packets the dataplane must reject.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pkt {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;
using In6 = std::array<uint8_t, 16>;

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kEthArp = 0x0806;
constexpr uint8_t kProtoIpv6 = 41;
constexpr uint8_t kProtoIcmpv6 = 58;
constexpr uint8_t kProtoUdp = 17;

// "192.0.2.1" -> 0xc0000201 (host order). Aborts on a malformed literal: a typo in a test
// table must not silently become 0.0.0.0.
uint32_t ip4(const char *text);
// "2001:db8::1" -> 16 bytes. Aborts on a malformed literal.
In6 ip6(const char *text);
// 2002:V4ADDR:subnet::iid (RFC 3056): the 6to4 address of v4 (host order).
In6 addr_6to4(uint32_t v4, uint16_t subnet = 0, uint64_t iid = 1);
Mac mac(const char *text); // "02:00:00:00:00:01"

// RFC 1071 one's-complement sum folded to 16 bits, NOT complemented; `seed` is a partial
// sum to continue from (pseudo-headers).
uint32_t csum_add(const uint8_t *data, size_t len, uint32_t seed = 0);
uint16_t csum_fold(uint32_t sum); // ~folded sum: the value to store in a checksum field

struct Eth {
	Mac dst = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	Mac src = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
	uint16_t type = kEthIpv4;
};

struct Ipv4 {
	uint8_t version = 4;
	std::optional<uint8_t> ihl; // default: 5 + options/4
	uint8_t tos = 0;
	std::optional<uint16_t> tot_len; // default: header + payload
	uint16_t id = 0x1234;
	uint16_t frag_off = 0; // flags (DF 0x4000, MF 0x2000) | offset in 8-byte units
	uint8_t ttl = 64;
	uint8_t protocol = kProtoIpv6;
	std::optional<uint16_t> checksum; // default: computed over the header as written
	bool bad_checksum = false;        // store the correct checksum with its low bit flipped
	uint32_t src = 0;                 // host order
	uint32_t dst = 0;                 // host order
	Bytes options;                    // must be a multiple of 4 for a consistent IHL
};

struct Ipv6 {
	uint8_t version = 6;
	uint8_t tclass = 0;   // DSCP << 2 | ECN
	uint32_t flow = 0;    // 20 bits
	std::optional<uint16_t> payload_len; // default: payload size
	uint8_t next_header = kProtoIcmpv6;
	uint8_t hop_limit = 64;
	In6 src{};
	In6 dst{};
};

constexpr size_t kEthLen = 14;
constexpr size_t kIpv4Len = 20;
constexpr size_t kIpv6Len = 40;

// Header + payload. The IPv4 checksum covers the header as it will be written (including any
// overridden version/IHL/tot_len), so only bad_checksum or `checksum` makes it wrong.
Bytes ipv4(const Ipv4 &h, const Bytes &payload);
Bytes ipv6(const Ipv6 &h, const Bytes &payload);
Bytes eth(const Eth &h, const Bytes &payload);

// An ICMPv6 echo request (type 128) with its checksum over the RFC 8200 pseudo-header of h
// (addresses and the ICMPv6 length; h.payload_len overrides are ignored for the checksum).
Bytes icmpv6_echo(const Ipv6 &h, uint16_t ident, uint16_t seq, const Bytes &data);
// A UDP datagram with its checksum over the pseudo-header of h (0 is sent as 0xffff: IPv6
// forbids a zero UDP checksum). h.next_header must be kProtoUdp for the packet to match.
Bytes udp6(const Ipv6 &h, uint16_t sport, uint16_t dport, const Bytes &data);
// `n` bytes 0x00, 0x01, ... (mod 256).
Bytes pattern(size_t n, uint8_t start = 0);

// Concatenation.
Bytes cat(const Bytes &a, const Bytes &b);

// Big-endian accessors for checks on output bytes.
uint16_t get16(const Bytes &b, size_t off);
void put16(Bytes &b, size_t off, uint16_t v);

// "0000: 45 00 ..." dump, 16 bytes a line, for failure messages.
std::string hexdump(const Bytes &b);
// Empty if equal; otherwise the first differing offset, both lengths and both dumps.
std::string diff(const Bytes &expected, const Bytes &actual);

} // namespace pkt
