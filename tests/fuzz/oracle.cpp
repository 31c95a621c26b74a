#include "oracle.h"

#include <cstring>

#include "harness.h"
#include "packet.h"

namespace fuzz {

namespace {

bool in(uint32_t addr, const char *net, unsigned len)
{
	const uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
	return (addr & mask) == (pkt::ip4(net) & mask);
}

stf_model::FibResult via(uint32_t ifindex)
{
	stf_model::FibResult r;
	r.kind = stf_model::FibResult::Forward;
	r.ifindex = ifindex;
	return r;
}

stf_model::FibResult resolved(uint32_t ifindex, const pkt::Mac &next_hop, const pkt::Mac &dev)
{
	stf_model::FibResult r = via(ifindex);
	r.resolved = true;
	r.next_hop = next_hop;
	r.egress = dev;
	return r;
}

} // namespace

stf_model::FibResult HarnessNet::fib(uint32_t a) const
{
	const stft::NetNs &n = stft::g_net;
	stf_model::FibResult r;
	// table local: the host's addresses and the broadcasts of its subnets (the kernel adds no
	// route for a subnet's network address). 127/8 never gets here past the address classes,
	// but it is local too.
	if (a == pkt::ip4("192.0.2.1") || a == pkt::ip4("192.0.2.255") ||
	    a == pkt::ip4("198.51.100.65") || a == pkt::ip4("198.51.100.79") ||
	    in(a, "127.0.0.0", 8)) {
		r.kind = stf_model::FibResult::Local;
		return r;
	}
	// unreachable and blackhole routes.
	if (in(a, "198.51.100.32", 28) || in(a, "198.51.100.48", 28)) {
		r.kind = stf_model::FibResult::None;
		return r;
	}
	// 198.51.100.128/25 via 198.51.100.78 (a permanent neighbour) dev nofwd0.
	if (in(a, "198.51.100.128", 25))
		return resolved(n.nofwd, n.nofwd_gw_mac, n.nofwd_mac);
	// 198.51.100.64/28 on-link on nofwd0: only .78 has a neighbour entry.
	if (in(a, "198.51.100.64", 28))
		return a == pkt::ip4("198.51.100.78") ? resolved(n.nofwd, n.nofwd_gw_mac, n.nofwd_mac)
						      : via(n.nofwd);
	// 192.0.2.0/24 on-link on veth0: only the gateway .254 has a neighbour entry.
	if (in(a, "192.0.2.0", 24))
		return a == pkt::ip4("192.0.2.254") ? resolved(n.uplink, n.gateway_mac, n.uplink_mac)
						    : via(n.uplink);
	// default via 192.0.2.254 dev veth0.
	return resolved(n.uplink, n.gateway_mac, n.uplink_mac);
}

// IPv6 is on (silently) only on stft0, with forwarding, and nort0: 2001:db8:99::/64 routes
// back into stft0, 2001:db8:1::/64 out of nort0, nothing else anywhere.
std::optional<uint32_t> HarnessNet::fib6(const uint8_t dst[16], uint32_t from) const
{
	const stft::NetNs &n = stft::g_net;
	if (from != n.tunnel)
		return std::nullopt; // the helper refuses a device without IPv6 forwarding
	static const uint8_t loop[8] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x99, 0, 0};
	static const uint8_t nort[8] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0};
	if (std::memcmp(dst, loop, 8) == 0)
		return n.tunnel;
	if (std::memcmp(dst, nort, 8) == 0)
		return n.noroute;
	return std::nullopt;
}

uint32_t HarnessNet::mtu(uint32_t) const
{
	return 1500; // every device of the namespace keeps the veth default
}

} // namespace fuzz
