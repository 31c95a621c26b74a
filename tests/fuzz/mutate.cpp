#include "mutate.h"

#include "edit.h"
#include "gen.h"

namespace fuzz {

using namespace edit;

namespace {

// Mutations of a decap frame (Ethernet + outer IPv4 + inner IPv6 ...).

void outer_field(Rng &r, Bytes &f, const MutationContext &ctx, std::string &log, bool &keep_csum)
{
	const size_t o = kOuter;
	if (f.size() < kInner)
		return; // truncated below the outer header: nothing of it left to change
	const uint16_t actual = uint16_t(f.size() - o);
	switch (r.below(12)) {
	case 0: {
		unsigned v = r.chance(1, 4) ? r.below(16) : pick16(r, {0, 4, 5, 6, 15});
		set_nibble(f, o, true, v);
		note(log, "outer.version=%lu", v);
		break;
	}
	case 1: {
		unsigned v = r.below(16);
		set_nibble(f, o, false, v);
		note(log, "outer.ihl=%lu", v);
		break;
	}
	case 2:
		f[o + 1] = r.chance(1, 2) ? r.u8() : uint8_t((f[o + 1] & ~3) | r.below(4));
		note(log, "outer.tos=%02lx", f[o + 1]);
		break;
	case 3: {
		uint16_t v = pick16(r, {0, 19, 20, 21, 59, 60, 61, uint16_t(actual - 1), actual,
					uint16_t(actual + 1), 0xffff, r.u16()});
		put16(f, o + 2, v);
		note(log, "outer.tot_len=%lu", v);
		break;
	}
	case 4:
		put16(f, o + 4, r.u16());
		note(log, "outer.id=%lu", get16(f, o + 4));
		break;
	case 5: {
		uint16_t v = pick16(r, {0, 0x4000, 0x2000, 0x0001, 0x1fff, 0x8000, 0x6000, 0x2001,
					0xc000, r.u16()});
		put16(f, o + 6, v);
		note(log, "outer.frag=%04lx", v);
		break;
	}
	case 6:
		f[o + 8] = uint8_t(pick16(r, {0, 1, 255, r.u8()}));
		note(log, "outer.ttl=%lu", f[o + 8]);
		break;
	case 7:
		f[o + 9] = uint8_t(pick16(r, {41, 4, 17, 6, 0, 255, r.u8()}));
		note(log, "outer.proto=%lu", f[o + 9]);
		break;
	case 8: {
		const uint16_t good = (fix_outer_checksum(f), get16(f, o + 10));
		uint16_t v = pick16(r, {0, 0xffff, uint16_t(good ^ 1), uint16_t(good + 1), r.u16(),
					uint16_t(~good)});
		put16(f, o + 10, v);
		keep_csum = true;
		note(log, "outer.csum=%04lx (good %04lx)", v, good);
		break;
	}
	case 11: {
		// One's-complement zero has two forms: with an ID that makes the rest of the header
		// sum to 0xffff, a checksum of 0x0000 and one of 0xffff are both correct.
		put16(f, o + 4, 0);
		put16(f, o + 10, 0);
		const uint16_t id = uint16_t(~pkt::csum_add(f.data() + o, pkt::kIpv4Len));
		put16(f, o + 4, id);
		const uint16_t v = r.chance(1, 2) ? 0x0000 : 0xffff;
		put16(f, o + 10, v);
		keep_csum = true;
		note(log, "outer.id=%04lx,csum=%04lx (negative zero)", id, v);
		break;
	}
	case 9: {
		const uint32_t v = swap_v4(r, ctx);
		put32(f, o + 12, v);
		// Mostly consistent: a 2002:: inner source embeds the new outer source, so the
		// packet goes on to the FIB and the ingress filter.
		if (r.chance(2, 3))
			put6(f, kInner + 8, six_to_four(r, v));
		note(log, "outer.src=%08lx", v);
		break;
	}
	default: {
		const uint32_t v = swap_v4(r, ctx);
		put32(f, o + 16, v);
		if (r.chance(1, 2))
			put6(f, kInner + 24, six_to_four(r, v));
		note(log, "outer.dst=%08lx", v);
		break;
	}
	}
}

void inner_field(Rng &r, Bytes &f, const MutationContext &ctx, std::string &log)
{
	const size_t i = kInner;
	if (f.size() < i + pkt::kIpv6Len)
		return;
	const uint16_t tot = get16(f, kOuter + 2);
	const uint16_t actual = uint16_t(f.size() - i - pkt::kIpv6Len);
	switch (r.below(8)) {
	case 0: {
		unsigned v = r.chance(1, 4) ? r.below(16) : pick16(r, {0, 4, 6, 15});
		set_nibble(f, i, true, v);
		note(log, "inner.version=%lu", v);
		break;
	}
	case 1: {
		const uint8_t tc = r.chance(1, 2) ? r.u8() : uint8_t(r.u8() & ~3) | uint8_t(r.below(4));
		set_tclass(f, i, tc);
		note(log, "inner.tclass=%02lx", tc);
		break;
	}
	case 2: {
		const uint32_t flow = r.u32() & 0xfffff;
		set_flow(f, i, flow);
		note(log, "inner.flow=%05lx", flow);
		break;
	}
	case 3: {
		uint16_t v = pick16(r, {0, uint16_t(actual - 1), actual, uint16_t(actual + 1),
					uint16_t(tot - 60), uint16_t(tot - 59), 0xffff, r.u16()});
		put16(f, i + 4, v);
		note(log, "inner.plen=%lu", v);
		break;
	}
	case 4:
		f[i + 6] = r.u8();
		note(log, "inner.nexthdr=%lu", f[i + 6]);
		break;
	case 5:
		f[i + 7] = r.u8();
		note(log, "inner.hlim=%lu", f[i + 7]);
		break;
	case 6:
		put6(f, i + 8, any_v6(r));
		note(log, "inner.src=%08lx...", get32(f, i + 8));
		break;
	default:
		if (!ctx.locals.empty() && r.chance(1, 4))
			put6(f, i + 24, six_to_four(r, r.pick(ctx.locals)));
		else
			put6(f, i + 24, any_v6(r));
		note(log, "inner.dst=%08lx...", get32(f, i + 24));
		break;
	}
}

// Lengths that agree with a frame whose size just changed (or not, half of the time).
void fix_lengths(Rng &r, Bytes &f, std::string &log)
{
	if (f.size() < kInner || r.chance(1, 2))
		return;
	const size_t tot = f.size() - kOuter;
	put16(f, kOuter + 2, uint16_t(tot));
	if (tot >= pkt::kIpv4Len + pkt::kIpv6Len)
		put16(f, kInner + 4, uint16_t(tot - pkt::kIpv4Len - pkt::kIpv6Len));
	log += " +lengths-fixed";
}

} // namespace

void mutate_decap(Rng &r, Bytes &f, const MutationContext &ctx, std::string &log)
{
	bool keep_csum = false;
	const size_t n = r.range(1, 4);
	for (size_t k = 0; k < n; k++) {
		switch (r.below(16)) {
		case 0:
		case 1:
		case 2:
		case 3: outer_field(r, f, ctx, log, keep_csum); break;
		case 4:
		case 5:
		case 6:
		case 7: inner_field(r, f, ctx, log); break;
		case 8:
		case 9: {
			const size_t len = cut_length(r, f.size(), {14, 33, 34, 53, 54, 73, 74, 75});
			f.resize(len);
			note(log, "truncate=%lu", len);
			fix_lengths(r, f, log);
			break;
		}
		case 10: {
			const size_t add = r.range(1, 64);
			for (size_t i = 0; i < add; i++)
				f.push_back(r.u8());
			note(log, "trailer=%lu", add);
			break;
		}
		case 11: {
			const size_t size = r.chance(1, 2) ? r.range(74, 200) : r.range(1400, 1600);
			grow_to(f, size, r);
			note(log, "size=%lu", size);
			fix_lengths(r, f, log);
			break;
		}
		case 12: ethertype(r, f, log); break;
		case 13:
		case 14: random_bytes(r, f, log); break;
		default: { // a consistent peer: outer source and 2002:: inner source together
			const uint32_t v = swap_v4(r, ctx);
			put32(f, kOuter + 12, v);
			put6(f, kInner + 8, six_to_four(r, v));
			note(log, "peer=%08lx", v);
			break;
		}
		}
	}
	if (!keep_csum && r.chance(7, 8))
		fix_outer_checksum(f);
	else
		log += " +csum-as-is";
}

} // namespace fuzz
