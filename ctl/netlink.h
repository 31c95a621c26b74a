// rtnetlink, the few operations stf-xdp needs: its tunnel device (a veth pair), IPv6 routes
// with an MTU, and the IPv4 addresses of the host. Every call throws stf::Error (Exit::failure,
// with errno, context and the kernel's extended-ACK text) on failure. Acts in the caller's
// network namespace. Built on libmnl: netlink_core.{h,cpp} (socket, request, ACK and extack),
// netlink_link.cpp, netlink_addr.cpp, netlink_route.cpp, netlink_snapshot.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "snapshot.h"

namespace stf::netlink {

struct Ipv4Address {
	uint32_t ifindex;
	uint32_t addr; // host order
	uint8_t prefixlen;
};

// Interface index of name, or 0 if there is none.
uint32_t link_index(const std::string &name);
// Name of ifindex, or "" if there is none.
std::string link_name(uint32_t ifindex);
unsigned link_mtu(uint32_t ifindex);
// IFLA_IFALIAS of ifindex, or "" if it has none (or there is no such link).
std::string link_alias(uint32_t ifindex);
void set_link_alias(uint32_t ifindex, const std::string &alias);

// Creates a veth pair name <-> peer, both down, IPv6 address generation off on both (no
// link-local addresses, so no ND/MLD chatter), NOARP on `name` (so IPv6 neighbour entries
// are NUD_NOARP: the kernel never solicits a 6to4 destination before our tc program sees
// it), no MULTICAST on `name` (as sit's tunnels), MTU mtu on `name` and peer_mtu on `peer`,
// and IFLA_IFALIAS alias on `name`. EEXIST becomes Exit::already_attached.
void create_veth(const std::string &name, const std::string &peer, unsigned mtu,
		 unsigned peer_mtu, const std::string &alias);
void set_link_up(uint32_t ifindex);
// Deletes a link (a veth's peer goes with it; so do routes through it). ENODEV is not an error.
void delete_link(uint32_t ifindex);

// ip -6 route add (replace: ip -6 route replace) prefix/len [via gateway] dev ifindex mtu mtu
// metric metric (main table, RTPROT_STATIC); on-link when gateway is null.
void add_route6(const uint8_t prefix[16], uint8_t len, uint32_t ifindex, unsigned mtu,
		unsigned metric, bool replace = false, const uint8_t *gateway = nullptr);
void set_link_mtu(uint32_t ifindex, unsigned mtu);

// ip -6 route del prefix/len dev ifindex metric metric (main table), whatever its gateway.
void del_route6(const uint8_t prefix[16], uint8_t len, uint32_t ifindex, unsigned metric);

// All IPv4 addresses in the namespace (ifindex 0) or on one interface.
std::vector<Ipv4Address> ipv4_addresses(uint32_t ifindex = 0);

// The links, IPv4 addresses and IPv6 routes of the namespace, one dump each (snapshot.h).
HostSnapshot read_snapshot();

} // namespace stf::netlink
