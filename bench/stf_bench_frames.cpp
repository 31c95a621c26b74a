// The frames stf-bench runs, and the filler prefixes of the filter tables.
#include <arpa/inet.h>

#include <cstring>
#include <random>
#include <set>
#include <utility>

#include "stf_bench.h"

namespace stfbench {

namespace {

constexpr size_t kPayload = 64; // UDP payload: a small packet, where per-packet cost shows

uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum = 0)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += uint32_t(p[i]) << 8 | p[i + 1];
	if (n & 1)
		sum += uint32_t(p[n - 1]) << 8;
	return sum;
}

uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(sum);
}

std::vector<uint8_t> eth(const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	std::vector<uint8_t> f(14);
	std::memcpy(&f[0], dst, 6);
	std::memcpy(&f[6], src, 6);
	f[12] = uint8_t(type >> 8), f[13] = uint8_t(type);
	return f;
}

// IPv6 + UDP, checksummed.
std::vector<uint8_t> ip6_udp(const char *src, const char *dst)
{
	std::vector<uint8_t> p(40 + 8 + kPayload, 0);
	const uint16_t plen = uint16_t(8 + kPayload);
	p[0] = 0x60;
	p[4] = uint8_t(plen >> 8), p[5] = uint8_t(plen);
	p[6] = 17, p[7] = 64;
	inet_pton(AF_INET6, src, &p[8]);
	inet_pton(AF_INET6, dst, &p[24]);
	uint8_t *udp = &p[40];
	udp[0] = 0x9c, udp[1] = 0x40, udp[2] = 0x15, udp[3] = 0xb3; // 40000 -> 5555
	udp[4] = uint8_t(plen >> 8), udp[5] = uint8_t(plen);
	for (size_t i = 0; i < kPayload; i++)
		udp[8 + i] = uint8_t(i);
	uint16_t c = uint16_t(~fold(sum16(udp, plen, sum16(&p[8], 32) + plen + 17)));
	c = c ? c : 0xffff;
	udp[6] = uint8_t(c >> 8), udp[7] = uint8_t(c);
	return p;
}

std::vector<uint8_t> ip4(const char *src, const char *dst, uint8_t proto, size_t payload)
{
	std::vector<uint8_t> h(20, 0);
	const uint16_t len = uint16_t(20 + payload);
	h[0] = 0x45;
	h[2] = uint8_t(len >> 8), h[3] = uint8_t(len);
	h[8] = 64, h[9] = proto;
	inet_pton(AF_INET, src, &h[12]);
	inet_pton(AF_INET, dst, &h[16]);
	const uint16_t c = uint16_t(~fold(sum16(h.data(), 20)));
	h[10] = uint8_t(c >> 8), h[11] = uint8_t(c);
	return h;
}

void append(std::vector<uint8_t> &a, const std::vector<uint8_t> &b)
{
	a.insert(a.end(), b.begin(), b.end());
}

} // namespace

std::vector<uint8_t> frame_6to4(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				const char *outer_src, const char *outer_dst, const char *inner_src,
				const char *inner_dst)
{
	const std::vector<uint8_t> inner = ip6_udp(inner_src, inner_dst);
	std::vector<uint8_t> f = eth(dst_mac, src_mac, 0x0800);
	append(f, ip4(outer_src, outer_dst, 41, inner.size()));
	append(f, inner);
	return f;
}

std::vector<uint8_t> frame_udp4(const uint8_t dst_mac[6], const uint8_t src_mac[6])
{
	std::vector<uint8_t> f = eth(dst_mac, src_mac, 0x0800);
	append(f, ip4("198.51.100.1", "192.0.2.1", 17, 8 + kPayload));
	std::vector<uint8_t> udp(8 + kPayload, 0); // UDP checksum 0: allowed over IPv4
	udp[0] = 0x9c, udp[1] = 0x40, udp[2] = 0x15, udp[3] = 0xb3;
	udp[4] = 0, udp[5] = uint8_t(8 + kPayload);
	append(f, udp);
	return f;
}

std::vector<uint8_t> frame_udp6(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				const char *src, const char *dst)
{
	std::vector<uint8_t> f = eth(dst_mac, src_mac, 0x86dd);
	append(f, ip6_udp(src, dst));
	return f;
}

std::vector<Prefix> filler_prefixes(uint32_t n)
{
	std::mt19937 rng(6041);
	std::set<std::pair<uint32_t, uint8_t>> seen;
	std::vector<Prefix> out;
	const uint32_t senders[] = {0xc6336401, 0xcb007101}; // 198.51.100.1, 203.0.113.1
	while (out.size() < n) {
		const uint8_t len = uint8_t(16 + rng() % 17);
		const uint32_t mask = len == 32 ? ~0u : ~(~0u >> len);
		const uint32_t addr = rng() & mask;
		bool covers = false;
		for (uint32_t s : senders)
			covers |= (s & mask) == addr;
		if (!covers && seen.insert({addr, len}).second)
			out.push_back(Prefix{addr, len});
	}
	return out;
}

} // namespace stfbench
