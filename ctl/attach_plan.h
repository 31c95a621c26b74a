// The plans of attach and detach: pure functions of (desired configuration or running
// attachment, kernel snapshot), so every check and every step is unit-tested without a
// kernel, and --dry-run prints exactly what attach or detach would do (dataplane.cpp carries
// them out, undoing what it did if a step fails).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model.h"
#include "options.h"
#include "snapshot.h"

namespace stf {

// The metrics of the routes into the tunnel: 2002::/16 at the kernel's default, and a
// relay's ::/0 behind any native default route.
constexpr unsigned kRoute6to4Metric = 1024;
constexpr unsigned kRouteRelayMetric = 2048;
// ...both via this gateway, never on-link. The tunnel device is NOARP: an on-link route makes
// the kernel create one neighbour entry per inner destination, so a return relay answering
// thousands of 6to4 users fills the neighbour table (gc_thresh3, 1024 by default) and then
// drops packets when no entry can be made. Through a gateway every destination shares one
// entry. fe80::1 needs no address on the device (link-local gateways are taken on trust
// with a device named) and the encapsulator reads the destination from the packet, not from
// the neighbour, so the address itself carries nothing.
inline constexpr uint8_t kTunnelGateway[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
					       0,    0,    0, 0, 0, 0, 0, 1};

// Tunnel device name for an interface: "stf<ifindex>", peer "stf<ifindex>p". Derived from
// the ifindex, not the name, so a rename cannot orphan it and 15 characters always suffice.
std::string tunnel_name(uint32_t ifindex);
std::string tunnel_peer_name(uint32_t ifindex);

// The tunnel's IFLA_IFALIAS names its interface, so the tunnel can be found (and removed)
// even after the interface, and with it the ifindex in the tunnel's name, is gone.
inline const std::string kAliasPrefix = "stf-xdp tunnel of ";
// Until attach has finished, and from the moment detach starts, the alias carries this mark:
// a process killed in between leaves a device the next invocation recognises as a leftover
// to remove, never as an attachment (the kernel state is the only state there is).
inline const std::string kIncomplete = " (incomplete)";
std::string tunnel_alias(const std::string &ifname, bool complete);

struct AttachPlan {
	std::string ifname;
	uint32_t ifindex = 0;
	std::string tunnel, peer;
	unsigned tunnel_mtu = 0;
	std::vector<uint32_t> broadcasts; // refused as peers (state.h build_config)
	std::vector<uint32_t> lan;        // the --lan interfaces' ifindexes, in the order given
	bool remove_leftover = false;     // a killed attach or detach left stf<N> (incomplete)
	std::vector<std::string> steps;   // one line per change, in the order attach makes them
};

// The checks of opts that need the kernel's state but not the interface's attachment
// (the interface exists, its MTU, the connected subnets' broadcasts): usage errors (or
// Exit::no_interface), so they come before "already attached". Returns the interface.
const LinkState &validate_attach(const AttachOptions &opts, const HostSnapshot &snap);

// Everything attach will do, or the Error it would fail with (already attached: a device
// named stf<N> or stf<N>p, an XDP program on the interface or on a LAN interface, 2002::/16
// or a relay's ::/0 routed already; no interface: a LAN interface does not exist). opts has been merged and its locals filled in.
AttachPlan plan_attach(const AttachOptions &opts, const HostSnapshot &snap);

struct DetachPlan {
	std::string ifname;
	uint32_t ifindex = 0;     // 0: an orphan (its interface was deleted)
	uint32_t tun_ifindex = 0;
	bool leftover = false;    // what a killed attach or detach left, not an attachment
	std::vector<std::string> steps;
};

// Detaching a running attachment (info as Dataplane::info gives it).
DetachPlan plan_detach(const AttachmentInfo &info, const HostSnapshot &snap);
// Removing the leftover of a killed attach or detach of ifname, or nullopt if there is none.
std::optional<DetachPlan> plan_remove_leftover(const std::string &ifname,
					       const HostSnapshot &snap);

} // namespace stf
