// The kernel state attach and detach plan against, read once (netlink::read_snapshot: one dump
// each of links, IPv4 addresses and IPv6 routes) instead of a round trip per field. Pure data
// with look-ups, so the plans (attach_plan.h) are unit-tested with hand-made snapshots.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stf {

struct LinkState {
	uint32_t index = 0;
	std::string name;
	unsigned mtu = 0;
	std::string alias;
	uint32_t xdp_prog_id = 0; // the XDP program on the link (IFLA_XDP), 0 if none
};

struct AddressState {
	uint32_t ifindex = 0;
	uint32_t addr = 0; // host order
	uint8_t prefixlen = 0;
};

struct Route6State {
	std::array<uint8_t, 16> dst{};
	uint8_t len = 0;
	uint32_t oif = 0;
	unsigned metric = 0;
	uint32_t table = 0;
};

struct HostSnapshot {
	std::vector<LinkState> links;
	std::vector<AddressState> addresses; // IPv4
	std::vector<Route6State> routes6;

	const LinkState *link(const std::string &name) const;
	const LinkState *link(uint32_t index) const;
	// The connected subnets' directed broadcasts that the dataplane must refuse as peers
	// (those the constant address classes do not already reject), without repeats.
	std::vector<uint32_t> subnet_broadcasts() const;
	// An IPv6 route of the main table to dst/len at metric, as NLM_F_EXCL would collide with.
	const Route6State *route6(const std::array<uint8_t, 16> &dst, uint8_t len,
				  unsigned metric) const;
	// The IPv6 routes out of a link.
	std::vector<Route6State> routes6_via(uint32_t oif) const;
};

} // namespace stf
