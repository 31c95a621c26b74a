// The reference model: each function follows the numbered steps of the specification in
// order, one early return per verdict, so a reader can hold it against the text line by line.
// Nothing here is shared with bpf/ except the contract's layout and ids.
#include "model.h"

#include <cstring>

namespace stf_model {

namespace {

constexpr size_t kEth = 14;
constexpr size_t kIp4 = 20;
constexpr size_t kIp6 = 40;
constexpr uint16_t kTypeIpv4 = 0x0800;
constexpr uint16_t kTypeIpv6 = 0x86dd;
constexpr uint8_t kProto6in4 = 41;

uint16_t get16(const uint8_t *p)
{
	return uint16_t(p[0] << 8 | p[1]);
}

uint32_t get32(const uint8_t *p)
{
	return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

void put16(uint8_t *p, uint16_t v)
{
	p[0] = uint8_t(v >> 8);
	p[1] = uint8_t(v);
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, uint16_t(v >> 16));
	put16(p + 2, uint16_t(v));
}

// The contract stores addresses as __be32: the bytes in memory are the address in order.
uint32_t from_be(__be32 v)
{
	uint8_t b[4];
	std::memcpy(b, &v, 4);
	return get32(b);
}

bool is_local(uint32_t addr, const stf_config &cfg)
{
	for (unsigned i = 0; i < cfg.n_local && i < STF_MAX_LOCAL; i++)
		if (from_be(cfg.local[i]) == addr)
			return true;
	return false;
}

bool in_prefix(uint32_t addr, uint32_t net, unsigned len)
{
	if (len == 0)
		return true;
	const uint32_t mask = len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
	return (addr & mask) == (net & mask);
}

bool matches_any(uint32_t addr, const std::vector<Prefix4> &list)
{
	for (const auto &p : list)
		if (in_prefix(addr, p.addr, p.len))
			return true;
	return false;
}

// 2002:V4ADDR::/48 (RFC 3056 2): the IPv4 address is bits 16..47.
bool is_6to4(const uint8_t *a)
{
	return a[0] == 0x20 && a[1] == 0x02;
}

uint32_t embedded_v4(const uint8_t *a)
{
	return get32(a + 2);
}

enum class Class6 { Ok, Reserved, V4Mapped, LinkLocal, SiteLocal, Multicast };

// The native IPv6 classes of RFC 3964 5.1/5.3. ::ffff:0:0/96 lies inside ::/16: the longer
// prefix names it, so it is tested first.
Class6 class_v6(const uint8_t *a)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (std::memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		return Class6::V4Mapped;
	if (a[0] == 0 && a[1] == 0)
		return Class6::Reserved;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return Class6::LinkLocal;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return Class6::SiteLocal;
	if (a[0] == 0xff)
		return Class6::Multicast;
	return Class6::Ok;
}

Result verdict(uint32_t action, std::optional<uint32_t> counter, const Bytes &frame)
{
	Result r;
	r.action = action;
	r.counter = counter;
	r.out = frame;
	return r;
}

} // namespace

uint16_t sum16(const uint8_t *data, size_t len)
{
	uint64_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(data + i);
	if (len & 1)
		sum += uint32_t(data[len - 1]) << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(sum);
}

stf_addr_class class_v4(uint32_t a, const stf_config &cfg)
{
	const uint8_t top = uint8_t(a >> 24);
	if (top == 0)
		return STF_ADDR_UNSPECIFIED;
	if (top == 127)
		return STF_ADDR_LOOPBACK;
	if ((top & 0xf0) == 0xe0)
		return STF_ADDR_MULTICAST;
	if ((top & 0xf0) == 0xf0)
		return STF_ADDR_RESERVED;
	if (in_prefix(a, 0xa9fe0000u, 16))
		return STF_ADDR_LINKLOCAL;
	const bool rfc1918 = in_prefix(a, 0x0a000000u, 8) || in_prefix(a, 0xac100000u, 12) ||
			     in_prefix(a, 0xc0a80000u, 16);
	if (rfc1918 && !(cfg.flags & STF_F_PERMIT_PRIVATE))
		return STF_ADDR_PRIVATE;
	for (unsigned i = 0; i < cfg.n_bcast && i < STF_MAX_BCAST; i++)
		if (from_be(cfg.bcast[i]) == a)
			return STF_ADDR_SUBNET_BROADCAST;
	return STF_ADDR_OK;
}

Result decap(const Bytes &f, const Config &c, const Net &net)
{
	const stf_config &cfg = c.cfg;
	auto pass = [&f](std::optional<uint32_t> id) { return verdict(kXdpPass, id, f); };
	auto drop = [&f](uint32_t id) { return verdict(kXdpDrop, id, f); };

	// 1-2. Not ours: untouched and uncounted. The protocol byte is read before anything else
	// of the IPv4 header, so even a version-6 "IPv4" header with byte 9 = 41 gets this far.
	if (f.size() < kEth + kIp4 || get16(&f[12]) != kTypeIpv4 || f[kEth + 9] != kProto6in4)
		return pass(std::nullopt);
	const uint8_t *ip = &f[kEth];
	const uint32_t outer_dst = get32(ip + 16);
	if (!is_local(outer_dst, cfg))
		return pass(std::nullopt);

	// 3. The outer header, as ip_rcv would check it (XDP runs before the kernel does).
	if (ip[0] >> 4 != 4)
		return drop(STF_C_outer_bad_version);
	const unsigned ihl = ip[0] & 0x0f;
	if (ihl < 5)
		return drop(STF_C_outer_bad_ihl);
	if (ihl != 5)
		return pass(STF_C_pass_options);
	const uint16_t frag = get16(ip + 6);
	if ((frag & 0x2000) || (frag & 0x1fff))
		return pass(STF_C_pass_fragment);
	if (sum16(ip, kIp4) != 0xffff)
		return drop(STF_C_outer_bad_checksum);
	const size_t tot_len = get16(ip + 2);
	if (tot_len < kIp4 || tot_len > f.size() - kEth)
		return drop(STF_C_outer_bad_length);
	if (tot_len < kIp4 + kIp6)
		return drop(STF_C_outer_truncated);
	if (ip[8] == 0)
		return drop(STF_C_outer_ttl_zero);

	// 4. Who sent it (RFC 3964 5.3.1), then the operator's filters.
	const uint32_t outer_src = get32(ip + 12);
	const stf_addr_class cls = class_v4(outer_src, cfg);
	if (cls != STF_ADDR_OK)
		return drop(STF_C_OUTER_SRC_CLASS_BASE + cls - 1);
	if (is_local(outer_src, cfg)) // our own V4ADDR, whether the host has it or not
		return drop(STF_C_outer_src_local);
	if (cfg.has_deny && matches_any(outer_src, c.deny))
		return drop(STF_C_outer_src_denied);
	if (cfg.has_allow && !matches_any(outer_src, c.allow))
		return drop(STF_C_outer_src_not_allowed);

	// 5. The inner header and its consistency with the outer one (RFC 3964 5.2).
	if (f.size() < kEth + kIp4 + kIp6)
		return drop(STF_C_outer_truncated);
	const uint8_t *in6 = ip + kIp4;
	if (in6[0] >> 4 != 6)
		return drop(STF_C_inner_bad_version);
	if (get16(in6 + 4) > tot_len - kIp4 - kIp6)
		return drop(STF_C_inner_bad_length);
	const uint8_t *src6 = in6 + 8;
	const uint8_t *dst6 = in6 + 24;
	const bool src_is_6to4 = is_6to4(src6);
	// An exception-listed sender may break the source rules below (translators, balancers).
	const bool excepted = cfg.has_except && matches_any(outer_src, c.except);
	if (src_is_6to4) {
		if (embedded_v4(src6) != outer_src && !excepted)
			return drop(STF_C_inner_src_spoofed);
	} else {
		switch (class_v6(src6)) {
		case Class6::Reserved: return drop(STF_C_inner_src_reserved);
		case Class6::V4Mapped: return drop(STF_C_inner_src_v4mapped);
		case Class6::LinkLocal: return drop(STF_C_inner_src_linklocal);
		case Class6::SiteLocal: return drop(STF_C_inner_src_sitelocal);
		case Class6::Multicast: return drop(STF_C_inner_src_multicast);
		case Class6::Ok: break;
		}
		// A strict relay list: native sources only from listed relays (or exceptions).
		if (cfg.has_relays && !excepted && !matches_any(outer_src, c.relays))
			return drop(STF_C_outer_src_not_relay);
	}
	const bool src_ok_excepted = excepted;
	if (is_6to4(dst6)) {
		if (embedded_v4(dst6) != outer_dst)
			return drop(STF_C_inner_dst_mismatch);
	} else {
		switch (class_v6(dst6)) {
		case Class6::Reserved: return drop(STF_C_inner_dst_reserved);
		case Class6::V4Mapped: return drop(STF_C_inner_dst_v4mapped);
		case Class6::LinkLocal: return drop(STF_C_inner_dst_linklocal);
		case Class6::SiteLocal: return drop(STF_C_inner_dst_sitelocal);
		case Class6::Multicast: // left to the IPv6 stack
		case Class6::Ok: break;
		}
		if (cfg.mode != STF_MODE_RELAY)
			return drop(STF_C_inner_dst_not_6to4);
		if (!src_is_6to4 && !src_ok_excepted)
			return drop(STF_C_inner_native_to_native);
	}

	// 6. The outer source in the FIB (RFC 3964 5.3.3 ingress filter).
	const FibResult fib = net.fib(outer_src);
	if (fib.kind == FibResult::Local)
		return drop(STF_C_outer_src_local);
	if (fib.kind == FibResult::Failed)
		return drop(STF_C_decap_fib_failed);
	if (cfg.flags & STF_F_INGRESS_FILTER) {
		if (fib.kind == FibResult::None)
			return drop(STF_C_outer_src_no_route);
		if (fib.ifindex != cfg.ifindex)
			return drop(STF_C_outer_src_wrong_iface);
	}
	// 6b. The loop guard (RFC 3964 3.2): only an excepted sender can make a packet that the
	// encapsulator would send on again; its native destination must not route back into
	// the tunnel.
	if (excepted && !is_6to4(dst6) && (cfg.flags & STF_F_LOOP_GUARD)) {
		const auto out = net.fib6(dst6, cfg.tun_ifindex);
		if (out && *out == cfg.tun_ifindex)
			return drop(STF_C_inner_dst_loop);
	}

	// 7. RFC 6040 4.2: the ECN field the inner header leaves with.
	const unsigned outer_ecn = ip[1] & 3;
	const unsigned inner_ecn = (in6[1] >> 4) & 3;
	if (outer_ecn == 3 && inner_ecn == 0)
		return drop(STF_C_ecn_ce_not_ect);
	unsigned ecn = inner_ecn;
	if (outer_ecn == 3)
		ecn = 3;
	else if (outer_ecn == 1 && inner_ecn == 2)
		ecn = 1;

	// 8. Strip the outer header: the frame minus 20 bytes, to the tunnel device's MAC.
	Bytes out;
	out.reserve(f.size() - kIp4);
	out.insert(out.end(), cfg.tun_mac, cfg.tun_mac + 6);
	out.insert(out.end(), f.begin() + 6, f.begin() + 12);
	out.push_back(uint8_t(kTypeIpv6 >> 8));
	out.push_back(uint8_t(kTypeIpv6 & 0xff));
	out.insert(out.end(), f.begin() + kEth + kIp4, f.end());
	out[kEth + 1] = uint8_t((out[kEth + 1] & ~0x30) | ecn << 4);
	return verdict(kXdpRedirect, STF_C_decap, out);
}

Result encap(const Bytes &f, const Config &c, const Net &net, uint16_t ip_id)
{
	const stf_config &cfg = c.cfg;
	auto drop = [&f](uint32_t id) { return verdict(kTcShot, id, f); };

	// 1. Only IPv6 is tunnelled.
	if (f.size() < kEth || get16(&f[12]) != kTypeIpv6)
		return drop(STF_C_encap_not_ipv6);
	if (f.size() < kEth + kIp6)
		return drop(STF_C_encap_truncated);
	const uint8_t *in6 = &f[kEth];
	const uint8_t *src6 = in6 + 8;
	const uint8_t *dst6 = in6 + 24;

	// 2. Where it goes: the V4ADDR a 6to4 destination embeds, or the relay.
	if (dst6[0] == 0xff)
		return drop(STF_C_encap_inner_multicast);
	uint32_t outer_dst;
	if (is_6to4(dst6)) {
		outer_dst = embedded_v4(dst6);
	} else {
		if (cfg.relay == 0)
			return drop(STF_C_encap_no_relay);
		outer_dst = from_be(cfg.relay);
	}

	// 3. Where it comes from: one of our V4ADDRs, never somebody else's.
	uint32_t outer_src;
	if (is_6to4(src6)) {
		outer_src = embedded_v4(src6);
		if (!is_local(outer_src, cfg))
			return drop(STF_C_encap_src_not_local);
	} else {
		if (cfg.n_local == 0)
			return drop(STF_C_encap_no_local);
		outer_src = from_be(cfg.local[0]);
	}

	// 4. Destinations we must never send to.
	const stf_addr_class cls = class_v4(outer_dst, cfg);
	if (cls != STF_ADDR_OK)
		return drop(STF_C_ENCAP_DST_CLASS_BASE + cls - 1);
	if (is_local(outer_dst, cfg))
		return drop(STF_C_encap_dst_local);

	// 5. The next hop, out of the attached interface only, asked before the packet is
	// touched: these drops leave it as it came.
	const FibResult fib = net.fib(outer_dst);
	switch (fib.kind) {
	case FibResult::Local: return drop(STF_C_encap_dst_local);
	case FibResult::None: return drop(STF_C_encap_no_route);
	case FibResult::Failed: return drop(STF_C_encap_fib_failed);
	case FibResult::Forward: break;
	}
	if (fib.ifindex != cfg.ifindex)
		return drop(STF_C_encap_no_route);

	// 6. The outer header (RFC 3056 4; TOS copied outward, RFC 6040 normal mode).
	const size_t ip6_len = f.size() - kEth;
	Bytes out;
	out.reserve(f.size() + kIp4);
	out.insert(out.end(), f.begin(), f.begin() + 12);
	out.push_back(uint8_t(kTypeIpv4 >> 8));
	out.push_back(uint8_t(kTypeIpv4 & 0xff));
	uint8_t h[kIp4] = {};
	h[0] = 0x45;
	h[1] = uint8_t((in6[0] & 0x0f) << 4 | in6[1] >> 4);
	put16(h + 2, uint16_t(kIp4 + ip6_len));
	put16(h + 4, ip_id);
	put16(h + 6, 0); // DF clear, not a fragment
	h[8] = cfg.ttl;
	h[9] = kProto6in4;
	put32(h + 12, outer_src);
	put32(h + 16, outer_dst);
	put16(h + 10, uint16_t(~sum16(h, kIp4)));
	out.insert(out.end(), h, h + kIp4);
	out.insert(out.end(), f.begin() + kEth, f.end());

	// From here a drop discards a packet already rewritten: its bytes are not compared.
	auto late_drop = [&f](uint32_t id) {
		Result r = verdict(kTcShot, id, f);
		r.out_compared = false;
		return r;
	};
	// 7. It must fit the link it leaves by (the counter sees the original frame).
	if (ip6_len + kIp4 > net.mtu(cfg.ifindex))
		return late_drop(STF_C_encap_too_big);
	if (fib.resolved) {
		std::memcpy(&out[0], fib.next_hop.data(), 6);
		std::memcpy(&out[6], fib.egress.data(), 6);
	}
	// Unresolved: the kernel's neighbour code fills in the MACs after the redirect.
	return verdict(kTcRedirect, STF_C_encap, out);
}

const char *counter_name(uint32_t id)
{
	switch (id) {
#define STF_X_NAME(id, kind, name, desc)                                                        \
	case id:                                                                                \
		return #name;
		STF_COUNTER_LIST(STF_X_NAME)
#undef STF_X_NAME
	}
	return "?";
}

std::string describe(const Result &r, bool tc)
{
	std::string action;
	if (tc)
		action = r.action == kTcShot       ? "TC_ACT_SHOT"
			 : r.action == kTcRedirect ? "TC_ACT_REDIRECT"
						   : "tc " + std::to_string(r.action);
	else
		action = r.action == kXdpDrop       ? "XDP_DROP"
			 : r.action == kXdpPass     ? "XDP_PASS"
			 : r.action == kXdpRedirect ? "XDP_REDIRECT"
						    : "xdp " + std::to_string(r.action);
	return action + " " + (r.counter ? counter_name(*r.counter) : "(no counter)");
}

} // namespace stf_model
