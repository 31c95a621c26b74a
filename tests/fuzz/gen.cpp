#include "gen.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "harness.h"
#include "mutate.h"
#include "pools.h"

namespace fuzz {

namespace {

using pkt::Bytes;

std::string dotted(uint32_t host)
{
	const in_addr a{htonl(host)};
	char buf[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return buf;
}

void random_config(Rng &r, stf_model::Config &c)
{
	stf_config &cfg = c.cfg;
	// Router or relay; now and then return-relay (decap treats it as "not relay").
	cfg.mode = r.chance(1, 16) ? STF_MODE_RETURN_RELAY
				   : r.chance(1, 2) ? STF_MODE_ROUTER : STF_MODE_RELAY;
	// Now and then attached to nofwd0 (so resolved and unresolved next hops out of it are
	// compared) or to nort0 (no route out of it at all).
	if (r.chance(1, 8))
		cfg.ifindex = r.chance(3, 4) ? stft::g_net.nofwd : stft::g_net.noroute;
	cfg.ttl = r.chance(1, 10) ? uint8_t(r.pick(std::vector<uint8_t>{0, 1, 255})) : uint8_t(r.range(1, 255));
	// STF_F_PERMIT_PRIVATE | STF_F_INGRESS_FILTER | STF_F_LOOP_GUARD
	cfg.flags = uint8_t(r.below(8));
	// Bytes the control plane never writes this way, which the specification still decides:
	// unknown flag bits (ignored), a mode that is none of the three ("not relay"), padding.
	// STF_F_FAST_PATH among them changes nothing here: the harness runs from lo, never from
	// the attached interface, and the fast path forwards only frames off the wire (the
	// model need not know a FIB; tests/bpf/fast_path_test.cpp and the netns test cover it).
	if (r.chance(1, 16))
		cfg.flags |= uint8_t(r.u8() & ~7u);
	if (r.chance(1, 32))
		cfg.mode = r.u8();
	if (r.chance(1, 16)) {
		cfg.pad0 = r.u8();
	}
	// Any tunnel MAC: decapsulated frames are addressed to whatever the configuration says.
	if (r.chance(1, 8))
		for (auto &b : cfg.tun_mac)
			b = r.u8();
	std::vector<uint32_t> pool = local_pool();
	// 192.0.2.1 and 198.51.100.20 (the usual pair) come first more often than not.
	if (r.chance(1, 2))
		std::swap(pool[0], pool[r.below(pool.size())]);
	for (size_t i = pool.size(); i > 1 && r.chance(1, 2); i--)
		std::swap(pool[i - 1], pool[r.below(i)]);
	// 1-3 locals; rarely none at all (encap_no_local, and nothing is ours to decapsulate).
	cfg.n_local = r.chance(1, 64) ? 0 : uint8_t(r.range(1, 3));
	for (unsigned i = 0; i < cfg.n_local; i++)
		cfg.local[i] = stft::be32(pool[i]);
	// 0-3 broadcasts, usually distinct; a duplicate changes nothing.
	cfg.n_bcast = uint8_t(r.range(0, 3));
	std::vector<uint32_t> bcasts = bcast_pool();
	for (unsigned i = 0; i < cfg.n_bcast; i++) {
		const size_t k = r.chance(7, 8) ? i + r.below(bcasts.size() - i) : r.below(bcasts.size());
		std::swap(bcasts[i], bcasts[k]);
		cfg.bcast[i] = stft::be32(bcasts[i]);
	}
	if (r.chance(3, 4)) {
		static const std::vector<uint32_t> relays = {
			pkt::ip4("198.51.100.99"), pkt::ip4("203.0.113.9"), pkt::ip4("192.0.2.254"),
			pkt::ip4("192.0.2.119"), pkt::ip4("198.51.100.200")};
		cfg.relay = stft::be32(r.chance(2, 3) ? r.pick(relays) : any_v4(r));
	}
}

// 0-3 prefixes around `addr`: containing it at some length, or its neighbour at that length,
// with or without host bits (an LPM trie ignores them).
std::vector<stf_model::Prefix4> prefixes_around(Rng &r, uint32_t addr)
{
	std::vector<stf_model::Prefix4> v;
	const size_t n = r.range(0, 3);
	for (size_t i = 0; i < n; i++) {
		const uint32_t center = r.chance(4, 5) ? addr : any_v4(r);
		static const std::vector<uint8_t> lens = {0, 1, 8, 16, 24, 25, 28, 31, 32};
		const uint8_t len = r.chance(2, 3) ? r.pick(lens) : uint8_t(r.range(0, 32));
		uint32_t a = center;
		if (len > 0 && r.chance(1, 3))
			a ^= 1u << (32 - r.range(1, len)); // the sibling prefix: does not contain it
		const uint32_t host = len >= 32 ? 0 : ~0u >> len;
		a = r.chance(1, 2) ? a & ~host : (a & ~host) | (r.u32() & host);
		v.push_back({a, len});
	}
	return v;
}

void random_filters(Rng &r, stf_model::Config &c, uint32_t around)
{
	// A flag byte is true when non-zero, whatever its value.
	c.cfg.has_allow = r.chance(1, 3) ? (r.chance(1, 8) ? r.u8() | 1 : 1) : 0;
	c.cfg.has_deny = r.chance(1, 4) ? (r.chance(1, 8) ? r.u8() | 1 : 1) : 0;
	c.allow = prefixes_around(r, around);
	c.deny = prefixes_around(r, around);
	c.cfg.has_relays = r.chance(1, 4) ? (r.chance(1, 8) ? r.u8() | 1 : 1) : 0;
	c.cfg.has_except = r.chance(1, 4) ? (r.chance(1, 8) ? r.u8() | 1 : 1) : 0;
	c.relays = prefixes_around(r, around);
	c.except = prefixes_around(r, around);
}

// DSCP and ECN: every ECN codepoint equally, DSCP mostly 0.
uint8_t tos_byte(Rng &r)
{
	return uint8_t((r.chance(1, 3) ? r.u8() & ~3u : 0u) | r.below(4));
}

Bytes payload(Rng &r, pkt::Ipv6 &ip6, size_t n)
{
	if (r.chance(3, 4)) {
		ip6.next_header = pkt::kProtoIcmpv6;
		return pkt::icmpv6_echo(ip6, r.u16(), r.u16(), pkt::pattern(n, r.u8()));
	}
	ip6.next_header = r.u8();
	Bytes b(n);
	for (auto &x : b)
		x = r.u8();
	return b;
}

size_t payload_size(Rng &r)
{
	return r.chance(1, 12) ? r.range(1380, 1480) : r.range(0, 64);
}

// The three valid decap packets of the corpus.
Bytes decap_base(Rng &r, const std::vector<uint32_t> &locals, std::string &origin,
		 uint32_t &outer_src)
{
	pkt::Eth l2{stft::g_net.uplink_mac, stft::g_net.gateway_mac, pkt::kEthIpv4};
	if (r.chance(1, 4))
		for (auto &b : l2.src)
			b = r.u8();
	pkt::Ipv4 o;
	o.src = peer_v4(r);
	o.dst = locals.empty() ? any_v4(r) : r.pick(locals);
	o.tos = tos_byte(r);
	o.ttl = uint8_t(r.range(1, 255));
	o.id = r.u16();
	o.frag_off = r.chance(1, 2) ? 0x4000 : 0;
	pkt::Ipv6 in;
	in.tclass = tos_byte(r);
	in.flow = r.u32() & 0xfffff;
	in.hop_limit = r.u8();
	switch (r.below(3)) {
	case 0:
		origin = "decap/router-6to4";
		in.src = six_to_four(r, o.src);
		in.dst = six_to_four(r, o.dst);
		break;
	case 1:
		origin = "decap/relay-to-native";
		in.src = six_to_four(r, o.src);
		in.dst = r.chance(1, 8) ? pkt::ip6("ff0e::101") : native_v6(r);
		break;
	default:
		origin = "decap/native-to-our-prefix";
		in.src = native_v6(r);
		in.dst = six_to_four(r, o.dst);
		break;
	}
	outer_src = o.src;
	const Bytes l4 = payload(r, in, payload_size(r));
	Bytes f = pkt::eth(l2, pkt::ipv4(o, pkt::ipv6(in, l4)));
	if (r.chance(1, 10)) {
		const size_t n = r.range(1, 8);
		for (size_t i = 0; i < n; i++)
			f.push_back(r.chance(1, 2) ? 0 : r.u8());
		origin += " (trailer)";
	}
	return f;
}

// The two valid encap packets of the corpus.
Bytes encap_base(Rng &r, const std::vector<uint32_t> &locals, std::string &origin,
		 uint32_t &outer_dst)
{
	pkt::Eth l2{pkt::mac("02:00:00:00:00:aa"), pkt::mac("02:00:00:00:00:bb"), pkt::kEthIpv6};
	if (r.chance(1, 4))
		for (auto &b : l2.dst)
			b = r.u8();
	pkt::Ipv6 ip;
	ip.tclass = tos_byte(r);
	ip.flow = r.u32() & 0xfffff;
	ip.hop_limit = r.u8();
	if (r.chance(1, 2)) {
		origin = "encap/6to4-to-6to4";
		outer_dst = peer_v4(r);
		ip.src = six_to_four(r, locals.empty() ? any_v4(r) : r.pick(locals));
		ip.dst = six_to_four(r, outer_dst);
	} else {
		origin = "encap/native-to-relay";
		outer_dst = 0;
		ip.src = r.chance(1, 2) && !locals.empty() ? six_to_four(r, r.pick(locals))
						      : native_v6(r);
		ip.dst = native_v6(r);
	}
	size_t n = payload_size(r);
	if (r.chance(1, 12)) // exactly around the MTU: 1480 bytes of IPv6 fill 1500 of IPv4
		n = size_t(r.range(1478, 1482)) - pkt::kIpv6Len;
	const Bytes l4 = payload(r, ip, n);
	return pkt::eth(l2, pkt::ipv6(ip, l4));
}

std::string prefixes(const std::vector<stf_model::Prefix4> &v)
{
	std::string s;
	for (const auto &p : v)
		s += (s.empty() ? "" : ", ") + dotted(p.addr) + "/" + std::to_string(p.len);
	return "[" + s + "]";
}

} // namespace

stf_model::Config base_config()
{
	stf_model::Config c;
	c.cfg = stft::tunnel_base_config();
	return c;
}

void fix_outer_checksum(Bytes &f)
{
	if (f.size() < kInner)
		return;
	pkt::put16(f, kOuter + 10, 0);
	pkt::put16(f, kOuter + 10, pkt::csum_fold(pkt::csum_add(f.data() + kOuter, pkt::kIpv4Len)));
}

Case make_case(uint64_t seed, uint64_t index)
{
	Rng r(seed, index);
	Case c;
	c.config = base_config();
	random_config(r, c.config);
	MutationContext ctx;
	for (unsigned i = 0; i < c.config.cfg.n_local; i++)
		ctx.locals.push_back(ntohl(c.config.cfg.local[i]));

	c.encap = r.chance(2, 5);
	uint32_t around = 0;
	c.frame = c.encap ? encap_base(r, ctx.locals, c.origin, around)
			  : decap_base(r, ctx.locals, c.origin, around);
	random_filters(r, c.config, around ? around : any_v4(r));
	if (r.chance(1, 40)) {
		// Nothing but noise, sometimes dressed as protocol 41 to one of our addresses.
		c.frame.resize(r.range(14, 120));
		for (auto &b : c.frame)
			b = r.u8();
		if (!c.encap && c.frame.size() >= kInner && r.chance(1, 2)) {
			pkt::put16(c.frame, 12, pkt::kEthIpv4);
			c.frame[kOuter + 9] = pkt::kProtoIpv6;
			const uint32_t dst = ctx.locals.empty() ? any_v4(r) : r.pick(ctx.locals);
			for (int i = 0; i < 4; i++)
				c.frame[kOuter + 16 + i] = uint8_t(dst >> (24 - 8 * i));
		} else if (c.encap && r.chance(1, 2)) {
			pkt::put16(c.frame, 12, pkt::kEthIpv6);
		}
		c.origin += " +random-bytes";
	} else if (r.chance(5, 6)) {
		if (c.encap)
			mutate_encap(r, c.frame, ctx, c.origin);
		else
			mutate_decap(r, c.frame, ctx, c.origin);
	} else {
		c.origin += " (unmutated)";
	}
	return c;
}

std::string describe_config(const stf_model::Config &c)
{
	const stf_config &cfg = c.cfg;
	std::ostringstream os;
	os << "  mode " << (cfg.mode == STF_MODE_RELAY ? "relay" : cfg.mode == STF_MODE_ROUTER ? "router"
											       : "other")
	   << " (" << unsigned(cfg.mode) << "), ttl " << unsigned(cfg.ttl) << ", flags "
	   << unsigned(cfg.flags)
	   << ((cfg.flags & STF_F_PERMIT_PRIVATE) ? " permit_private" : "")
	   << ((cfg.flags & STF_F_INGRESS_FILTER) ? " ingress_filter" : "")
	   << ((cfg.flags & STF_F_LOOP_GUARD) ? " loop_guard" : "") << "\n  local";
	for (unsigned i = 0; i < cfg.n_local && i < STF_MAX_LOCAL; i++)
		os << " " << dotted(ntohl(cfg.local[i]));
	os << "\n  bcast";
	for (unsigned i = 0; i < cfg.n_bcast && i < STF_MAX_BCAST; i++)
		os << " " << dotted(ntohl(cfg.bcast[i]));
	os << "\n  relay " << (cfg.relay ? dotted(ntohl(cfg.relay)) : "none") << "\n  ifindex "
	   << cfg.ifindex << ", tun_ifindex " << cfg.tun_ifindex << ", tun_peer_ifindex "
	   << cfg.tun_peer_ifindex << "\n  has_allow " << unsigned(cfg.has_allow) << " allow "
	   << prefixes(c.allow) << "\n  has_deny " << unsigned(cfg.has_deny) << " deny "
	   << prefixes(c.deny) << "\n  has_relays " << unsigned(cfg.has_relays) << " relays "
	   << prefixes(c.relays) << "\n  has_except " << unsigned(cfg.has_except) << " except "
	   << prefixes(c.except) << "\n";
	return os.str();
}

} // namespace fuzz
