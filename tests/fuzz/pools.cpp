#include "pools.h"

#include <cstring>

namespace fuzz {

namespace {

struct Range4 {
	uint32_t base;
	unsigned len;
};

Range4 r4(const char *addr, unsigned len)
{
	return {pkt::ip4(addr), len};
}

// Every range of the specification's address classes and of the harness's routing table.
const std::vector<Range4> &ranges()
{
	static const std::vector<Range4> v = {
		// classes (decap step 4, encap step 4)
		r4("0.0.0.0", 8), r4("127.0.0.0", 8), r4("224.0.0.0", 4), r4("240.0.0.0", 4),
		r4("255.255.255.255", 32), r4("169.254.0.0", 16), r4("10.0.0.0", 8),
		r4("172.16.0.0", 12), r4("192.168.0.0", 16),
		// just outside them
		r4("1.0.0.0", 32), r4("126.255.255.255", 32), r4("128.0.0.0", 32),
		r4("223.255.255.255", 32), r4("169.253.255.255", 32), r4("169.255.0.0", 32),
		r4("9.255.255.255", 32), r4("11.0.0.0", 32), r4("172.15.255.255", 32),
		r4("172.32.0.0", 32), r4("192.167.255.255", 32), r4("192.169.0.0", 32),
		// subnet broadcasts (configured or known to the kernel)
		r4("192.0.2.255", 32), r4("198.51.100.255", 32), r4("198.51.100.79", 32),
		r4("203.0.113.255", 32), r4("127.255.255.255", 32),
		// our locals and the host's other address
		r4("192.0.2.1", 32), r4("198.51.100.20", 32), r4("198.51.100.65", 32),
		r4("203.0.113.1", 32), r4("10.1.1.1", 32),
		// the harness's routes: unreachable, blackhole, nofwd0's subnet and its gateway,
		// the /25 behind it, the uplink's subnet, its gateway, its network address
		r4("198.51.100.32", 28), r4("198.51.100.48", 28), r4("198.51.100.64", 28),
		r4("198.51.100.78", 32), r4("198.51.100.128", 25), r4("192.0.2.0", 24),
		r4("192.0.2.254", 32), r4("192.0.2.0", 32), r4("198.51.100.64", 32),
		// ordinary peers: default route
		r4("203.0.113.0", 24), r4("198.51.100.0", 27), r4("0.0.0.0", 0),
	};
	return v;
}

uint32_t in_range(Rng &r, const Range4 &g)
{
	if (g.len >= 32)
		return g.base;
	const uint32_t host = g.len == 0 ? ~0u : ~0u >> g.len;
	const uint32_t net = g.base & ~host;
	switch (r.below(4)) {
	case 0: return net;        // first
	case 1: return net | host; // last
	default: return net | (r.u32() & host);
	}
}

pkt::In6 bytes6(std::initializer_list<uint8_t> head, Rng &r, bool random_tail)
{
	pkt::In6 a{};
	size_t i = 0;
	for (uint8_t b : head)
		a[i++] = b;
	if (random_tail)
		for (; i < 16; i++)
			a[i] = r.u8();
	return a;
}

void put_v4(pkt::In6 &a, size_t at, uint32_t v4)
{
	a[at] = uint8_t(v4 >> 24);
	a[at + 1] = uint8_t(v4 >> 16);
	a[at + 2] = uint8_t(v4 >> 8);
	a[at + 3] = uint8_t(v4);
}

} // namespace

const std::vector<uint32_t> &local_pool()
{
	static const std::vector<uint32_t> v = {pkt::ip4("192.0.2.1"), pkt::ip4("198.51.100.20"),
						pkt::ip4("198.51.100.65"), pkt::ip4("203.0.113.1"),
						pkt::ip4("10.1.1.1")};
	return v;
}

const std::vector<uint32_t> &bcast_pool()
{
	static const std::vector<uint32_t> v = {pkt::ip4("192.0.2.255"), pkt::ip4("198.51.100.255"),
						pkt::ip4("198.51.100.79"), pkt::ip4("203.0.113.255")};
	return v;
}

uint32_t any_v4(Rng &r)
{
	return in_range(r, r.pick(ranges()));
}

uint32_t peer_v4(Rng &r)
{
	if (r.chance(1, 2))
		return pkt::ip4("203.0.113.0") | r.range(2, 254);
	return any_v4(r);
}

pkt::In6 six_to_four(Rng &r, uint32_t v4)
{
	return pkt::addr_6to4(v4, r.chance(1, 2) ? 0 : r.u16(), r.chance(1, 2) ? 1 : r.next());
}

pkt::In6 native_v6(Rng &r)
{
	pkt::In6 a = r.chance(1, 2) ? bytes6({0x20, 0x01, 0x0d, 0xb8}, r, true)
				    : bytes6({uint8_t(0x20 | r.below(0x20))}, r, true);
	if (a[0] == 0x20 && a[1] == 0x02)
		a[1] = 0x03; // not 6to4
	return a;
}

std::vector<uint32_t> listed_v4()
{
	std::vector<uint32_t> v;
	for (const auto &g : ranges()) {
		if (g.len == 0)
			continue; // "anything": no edges worth listing
		const uint32_t host = g.len >= 32 ? 0 : ~0u >> g.len;
		const uint32_t net = g.base & ~host;
		v.push_back(net);
		if (host) {
			v.push_back(net | (host >> 1));
			v.push_back(net | host);
		}
	}
	return v;
}

std::vector<pkt::In6> listed_v6()
{
	std::vector<pkt::In6> v;
	for (const char *a : {"::", "::1", "::ffff:203.0.113.9", "::ffff:0:0", "::203.0.113.9",
			      "0:ffff::1", "1::1", "fe80::1", "febf:ffff::1", "fec0::1", "feff::1",
			      "fe7f::1", "ff02::1", "ff0e::101", "ffff::1", "fd00::1", "2001:db8::1",
			      "2003::1", "2001::1", "3fff::1", "::2002:c000:201", "2002::",
			      // the harness routes: back into the tunnel (loop guard), out of nort0
			      "2001:db8:99::1", "2001:db8:1::1"})
		v.push_back(pkt::ip6(a));
	for (uint32_t a : listed_v4())
		v.push_back(pkt::addr_6to4(a, 0, 1));
	return v;
}

pkt::In6 any_v6(Rng &r)
{
	switch (r.below(20)) {
	case 0: return pkt::In6{};                          // ::
	case 1: return bytes6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, r, false); // ::1
	case 2: {                                            // ::ffff:v4
		pkt::In6 a{};
		a[10] = a[11] = 0xff;
		put_v4(a, 12, any_v4(r));
		return a;
	}
	case 3: { // ::v4 (compatible, deprecated) and the rest of ::/16
		pkt::In6 a = r.chance(1, 2) ? pkt::In6{} : bytes6({0, 0}, r, true);
		put_v4(a, 12, any_v4(r));
		return a;
	}
	case 4: return bytes6({0x00, 0x01}, r, true);        // just above ::/16
	case 5: return bytes6({0xfe, uint8_t(0x80 | r.below(0x40))}, r, true); // fe80::/10
	case 6: return bytes6({0xfe, uint8_t(0xc0 | r.below(0x40))}, r, true); // fec0::/10
	case 7: return bytes6({0xfe, uint8_t(r.below(0x80))}, r, true);        // fe00::/9
	case 8: return pkt::ip6("ff02::1");
	case 9: return bytes6({0xff, r.u8()}, r, true); // ff00::/8
	case 10: return bytes6({0xfd}, r, true);        // ULA: not a class of ours
	case 11: return bytes6({}, r, true);            // anything
	case 12:
	case 13: return native_v6(r);
	default: return six_to_four(r, any_v4(r)); // 2002:<each listed v4>::
	}
}

} // namespace fuzz
