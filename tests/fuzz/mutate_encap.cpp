#include "mutate.h"

#include "edit.h"
#include "gen.h"

namespace fuzz {

using namespace edit;

void mutate_encap(Rng &r, Bytes &f, const MutationContext &ctx, std::string &log)
{
	const size_t s = kSix;
	const size_t n = r.range(1, 4);
	for (size_t k = 0; k < n; k++) {
		switch (r.below(14)) {
		case 0: ethertype(r, f, log); break;
		case 1: {
			unsigned v = r.chance(1, 4) ? r.below(16) : pick16(r, {0, 4, 6, 15});
			set_nibble(f, s, true, v);
			note(log, "version=%lu", v);
			break;
		}
		case 2: {
			const uint8_t tc = r.u8();
			set_tclass(f, s, tc);
			note(log, "tclass=%02lx", tc);
			break;
		}
		case 3: {
			const uint32_t flow = r.u32() & 0xfffff;
			set_flow(f, s, flow);
			note(log, "flow=%05lx", flow);
			break;
		}
		case 4: {
			const uint16_t actual = uint16_t(f.size() - s - pkt::kIpv6Len);
			uint16_t v = pick16(r, {0, uint16_t(actual - 1), uint16_t(actual + 1), 0xffff,
						r.u16()});
			put16(f, s + 4, v);
			note(log, "plen=%lu", v);
			break;
		}
		case 5:
			if (s + 8 <= f.size()) {
				f[s + 6] = r.u8();
				f[s + 7] = r.u8();
				note(log, "nexthdr,hlim=%lu,%lu", f[s + 6], f[s + 7]);
			}
			break;
		case 6:
		case 7:
			if (!ctx.locals.empty() && r.chance(1, 3))
				put6(f, s + 8, six_to_four(r, r.pick(ctx.locals)));
			else
				put6(f, s + 8, any_v6(r));
			note(log, "src=%08lx...", get32(f, s + 8));
			break;
		case 8:
		case 9:
			put6(f, s + 24, any_v6(r));
			note(log, "dst=%08lx...", get32(f, s + 24));
			break;
		case 10: {
			const size_t len = cut_length(r, f.size(), {14, 15, 33, 34, 53, 54, 55});
			f.resize(len);
			note(log, "truncate=%lu", len);
			break;
		}
		case 11: {
			// IPv6 packet sizes around the 1500-byte MTU less the 20 outer bytes.
			const size_t ip6 = r.chance(1, 2) ? pick16(r, {1479, 1480, 1481, 1482, 1500, 1520})
							  : r.range(40, 1600);
			grow_to(f, s + ip6, r);
			if (r.chance(1, 2))
				put16(f, s + 4, uint16_t(ip6 - pkt::kIpv6Len));
			note(log, "ip6_size=%lu", ip6);
			break;
		}
		default: random_bytes(r, f, log); break;
		}
	}
}


} // namespace fuzz
