#include "packet.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace pkt {

namespace {

[[noreturn]] void bad_literal(const char *what, const char *text)
{
	std::fprintf(stderr, "packet.cpp: malformed %s literal \"%s\"\n", what, text);
	std::abort();
}

void push16(Bytes &b, uint16_t v)
{
	b.push_back(uint8_t(v >> 8));
	b.push_back(uint8_t(v));
}

void push32(Bytes &b, uint32_t v)
{
	push16(b, uint16_t(v >> 16));
	push16(b, uint16_t(v));
}

} // namespace

uint32_t ip4(const char *text)
{
	in_addr a{};
	if (inet_pton(AF_INET, text, &a) != 1)
		bad_literal("IPv4", text);
	return ntohl(a.s_addr);
}

In6 ip6(const char *text)
{
	In6 out{};
	if (inet_pton(AF_INET6, text, out.data()) != 1)
		bad_literal("IPv6", text);
	return out;
}

In6 addr_6to4(uint32_t v4, uint16_t subnet, uint64_t iid)
{
	In6 a{};
	a[0] = 0x20;
	a[1] = 0x02;
	a[2] = uint8_t(v4 >> 24);
	a[3] = uint8_t(v4 >> 16);
	a[4] = uint8_t(v4 >> 8);
	a[5] = uint8_t(v4);
	a[6] = uint8_t(subnet >> 8);
	a[7] = uint8_t(subnet);
	for (int i = 0; i < 8; i++)
		a[8 + i] = uint8_t(iid >> (56 - 8 * i));
	return a;
}

Mac mac(const char *text)
{
	Mac m{};
	unsigned v[6];
	char tail;
	if (std::sscanf(text, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			&tail) != 6)
		bad_literal("MAC", text);
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			bad_literal("MAC", text);
		m[i] = uint8_t(v[i]);
	}
	return m;
}

uint32_t csum_add(const uint8_t *data, size_t len, uint32_t seed)
{
	uint64_t sum = seed;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += uint32_t(data[i]) << 8 | data[i + 1];
	if (len & 1)
		sum += uint32_t(data[len - 1]) << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint32_t(sum);
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(~sum & 0xffff);
}

Bytes ipv4(const Ipv4 &h, const Bytes &payload)
{
	const size_t hlen = kIpv4Len + h.options.size();
	const uint8_t ihl = h.ihl ? *h.ihl : uint8_t(hlen / 4);
	const uint16_t tot_len = h.tot_len ? *h.tot_len : uint16_t(hlen + payload.size());

	Bytes b;
	b.reserve(hlen + payload.size());
	b.push_back(uint8_t(h.version << 4 | (ihl & 0x0f)));
	b.push_back(h.tos);
	push16(b, tot_len);
	push16(b, h.id);
	push16(b, h.frag_off);
	b.push_back(h.ttl);
	b.push_back(h.protocol);
	push16(b, 0); // checksum, below
	push32(b, h.src);
	push32(b, h.dst);
	b.insert(b.end(), h.options.begin(), h.options.end());

	uint16_t check;
	if (h.checksum) {
		check = *h.checksum;
	} else {
		// Over the whole header as written: the 20 fixed bytes plus the options.
		check = csum_fold(csum_add(b.data(), hlen));
		if (h.bad_checksum)
			check ^= 0x0001;
	}
	put16(b, 10, check);
	b.insert(b.end(), payload.begin(), payload.end());
	return b;
}

Bytes ipv6(const Ipv6 &h, const Bytes &payload)
{
	Bytes b;
	b.reserve(kIpv6Len + payload.size());
	push32(b, uint32_t(h.version) << 28 | uint32_t(h.tclass) << 20 | (h.flow & 0xfffff));
	push16(b, h.payload_len ? *h.payload_len : uint16_t(payload.size()));
	b.push_back(h.next_header);
	b.push_back(h.hop_limit);
	b.insert(b.end(), h.src.begin(), h.src.end());
	b.insert(b.end(), h.dst.begin(), h.dst.end());
	b.insert(b.end(), payload.begin(), payload.end());
	return b;
}

Bytes eth(const Eth &h, const Bytes &payload)
{
	Bytes b;
	b.reserve(kEthLen + payload.size());
	b.insert(b.end(), h.dst.begin(), h.dst.end());
	b.insert(b.end(), h.src.begin(), h.src.end());
	push16(b, h.type);
	b.insert(b.end(), payload.begin(), payload.end());
	return b;
}

Bytes icmpv6_echo(const Ipv6 &h, uint16_t ident, uint16_t seq, const Bytes &data)
{
	Bytes m;
	m.push_back(128); // echo request
	m.push_back(0);
	push16(m, 0); // checksum, below
	push16(m, ident);
	push16(m, seq);
	m.insert(m.end(), data.begin(), data.end());

	// Pseudo-header: source, destination, upper-layer length (32 bits), 3 zero bytes, 58.
	Bytes ph;
	ph.insert(ph.end(), h.src.begin(), h.src.end());
	ph.insert(ph.end(), h.dst.begin(), h.dst.end());
	push32(ph, uint32_t(m.size()));
	push32(ph, kProtoIcmpv6);
	uint32_t sum = csum_add(ph.data(), ph.size());
	sum = csum_add(m.data(), m.size(), sum);
	put16(m, 2, csum_fold(sum));
	return m;
}

Bytes udp6(const Ipv6 &h, uint16_t sport, uint16_t dport, const Bytes &data)
{
	Bytes m;
	push16(m, sport);
	push16(m, dport);
	push16(m, uint16_t(8 + data.size()));
	push16(m, 0); // checksum, below
	m.insert(m.end(), data.begin(), data.end());

	Bytes ph; // the same pseudo-header as ICMPv6's, next header 17
	ph.insert(ph.end(), h.src.begin(), h.src.end());
	ph.insert(ph.end(), h.dst.begin(), h.dst.end());
	push32(ph, uint32_t(m.size()));
	push32(ph, kProtoUdp);
	const uint16_t c = csum_fold(csum_add(m.data(), m.size(), csum_add(ph.data(), ph.size())));
	put16(m, 6, c ? c : 0xffff);
	return m;
}

Bytes pattern(size_t n, uint8_t start)
{
	Bytes b(n);
	for (size_t i = 0; i < n; i++)
		b[i] = uint8_t(start + i);
	return b;
}

Bytes cat(const Bytes &a, const Bytes &b)
{
	Bytes out(a);
	out.insert(out.end(), b.begin(), b.end());
	return out;
}

uint16_t get16(const Bytes &b, size_t off)
{
	return uint16_t(b.at(off) << 8 | b.at(off + 1));
}

void put16(Bytes &b, size_t off, uint16_t v)
{
	b.at(off) = uint8_t(v >> 8);
	b.at(off + 1) = uint8_t(v);
}

std::string hexdump(const Bytes &b)
{
	std::ostringstream os;
	char buf[32];
	for (size_t i = 0; i < b.size(); i++) {
		if (i % 16 == 0) {
			std::snprintf(buf, sizeof(buf), "%s%04zx:", i ? "\n" : "", i);
			os << buf;
		}
		std::snprintf(buf, sizeof(buf), " %02x", b[i]);
		os << buf;
	}
	return os.str();
}

std::string diff(const Bytes &expected, const Bytes &actual)
{
	if (expected == actual)
		return {};
	size_t first = 0;
	while (first < expected.size() && first < actual.size() && expected[first] == actual[first])
		first++;
	std::ostringstream os;
	os << "first difference at offset " << first << " (expected " << expected.size()
	   << " bytes, got " << actual.size() << ")\nexpected:\n"
	   << hexdump(expected) << "\nactual:\n"
	   << hexdump(actual);
	return os.str();
}

} // namespace pkt
