// Device settings that rtnetlink does not carry (or carries only through ethtool's own
// netlink family): read with the classic ioctls on a datagram socket. For stf-xdp's own
// tunnel devices and the LAN interfaces of the fast path.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace stf {

using Mac = std::array<uint8_t, 6>;

// The device's Ethernet address. Throws Error with errno and context.
Mac link_mac(const std::string &ifname);

// Turns GRO on or off (ethtool -K IFNAME gro on|off). On a veth, GRO turns its NAPI on, and
// a veth receives XDP-redirected frames only with NAPI on (or an XDP program of its own).
void set_gro(const std::string &ifname, bool on);

} // namespace stf
