// Small bounds-checked editors of a frame's bytes and the mutation log, shared by the decap
// and encap mutators. Writes past the end of a truncated frame are dropped silently: a
// mutation of a field the frame no longer has changes nothing.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>

#include "mutate.h"
#include "packet.h"
#include "pools.h"
#include "rng.h"

namespace fuzz::edit {

using pkt::Bytes;

inline void put16(Bytes &f, size_t off, uint16_t v)
{
	if (off + 2 <= f.size())
		pkt::put16(f, off, v);
}

inline uint16_t get16(const Bytes &f, size_t off)
{
	return off + 2 <= f.size() ? pkt::get16(f, off) : 0;
}

inline void put32(Bytes &f, size_t off, uint32_t v)
{
	put16(f, off, uint16_t(v >> 16));
	put16(f, off + 2, uint16_t(v));
}

inline void put6(Bytes &f, size_t off, const pkt::In6 &a)
{
	for (size_t i = 0; i < 16 && off + i < f.size(); i++)
		f[off + i] = a[i];
}

inline uint32_t get32(const Bytes &f, size_t off)
{
	return uint32_t(get16(f, off)) << 16 | get16(f, off + 2);
}

inline void note(std::string &log, const char *fmt, unsigned long a, unsigned long b = 0)
{
	char buf[96];
	std::snprintf(buf, sizeof(buf), fmt, a, b);
	log += " +";
	log += buf;
}

inline uint16_t pick16(Rng &r, std::initializer_list<uint16_t> v)
{
	return *(v.begin() + r.below(v.size()));
}

// The top nibble of byte `off` (a version field) or its low nibble (IHL).
inline void set_nibble(Bytes &f, size_t off, bool high, unsigned v)
{
	if (off < f.size())
		f[off] = high ? uint8_t((f[off] & 0x0f) | v << 4) : uint8_t((f[off] & 0xf0) | (v & 15));
}

// A frame cut at `len` bytes (>= 14), preferring the boundaries the programs test.
inline size_t cut_length(Rng &r, size_t size, std::initializer_list<size_t> edges)
{
	if (r.chance(1, 2)) {
		size_t e = *(edges.begin() + r.below(edges.size()));
		if (e <= size)
			return e;
	}
	return r.range(pkt::kEthLen, size);
}

// IPv6 traffic class spans bytes 0-1 of the header; flow label bytes 1-3.
inline void set_tclass(Bytes &f, size_t ip6, uint8_t tc)
{
	if (ip6 + 2 > f.size())
		return;
	f[ip6] = uint8_t((f[ip6] & 0xf0) | tc >> 4);
	f[ip6 + 1] = uint8_t((f[ip6 + 1] & 0x0f) | (tc & 0x0f) << 4);
}

inline void set_flow(Bytes &f, size_t ip6, uint32_t flow)
{
	if (ip6 + 4 > f.size())
		return;
	f[ip6 + 1] = uint8_t((f[ip6 + 1] & 0xf0) | ((flow >> 16) & 0x0f));
	f[ip6 + 2] = uint8_t(flow >> 8);
	f[ip6 + 3] = uint8_t(flow);
}

// A v4 address for a swap: a listed range, or one of our locals.
inline uint32_t swap_v4(Rng &r, const MutationContext &ctx)
{
	if (!ctx.locals.empty() && r.chance(1, 4))
		return r.pick(ctx.locals);
	return any_v4(r);
}

// Mutations shared by both directions.
inline void random_bytes(Rng &r, Bytes &f, std::string &log)
{
	const size_t n = r.range(1, 4);
	for (size_t i = 0; i < n; i++) {
		const size_t at = r.below(f.size());
		f[at] = r.chance(1, 2) ? r.u8() : uint8_t(f[at] ^ (1u << r.below(8)));
		note(log, "byte[%lu]=%02lx", at, f[at]);
	}
}

inline void ethertype(Rng &r, Bytes &f, std::string &log)
{
	const uint16_t t =
		r.chance(1, 4) ? r.u16() : pick16(r, {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0, 0x05dc, 0x0600});
	put16(f, 12, t);
	note(log, "ethertype=%04lx", t);
}

inline void grow_to(Bytes &f, size_t size, Rng &r)
{
	while (f.size() < size)
		f.push_back(r.u8());
	f.resize(size);
}

} // namespace fuzz::edit
