// What the read commands report, independent of how it is printed (output.h) or read from
// the kernel (dataplane.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "addr.h"
#include "counters.h"
#include "options.h"

namespace stf {

// A LAN interface of the encapsulating fast path (attach --lan) and stf_lan on its XDP hook.
struct LanInfo {
	std::string ifname; // empty: the interface was deleted (its program went with it)
	uint32_t ifindex = 0;
	uint32_t xdp_prog_id = 0;
	std::optional<XdpMode> xdp_mode;
};

struct AttachmentInfo {
	std::string ifname;
	uint32_t ifindex = 0; // 0: the interface was deleted while attached (an orphaned tunnel)
	std::string tunnel; // our tunnel device, e.g. "stf3"
	uint32_t tun_ifindex = 0;
	unsigned tunnel_mtu = 0;
	unsigned link_mtu = 0; // the interface's MTU now; tunnel_mtu was link_mtu - 20 at attach
	// IPv4 forwarding on the tunnel device, which attach turns on and the programs' FIB
	// lookups need: switching it off host-wide (all.forwarding 1 -> 0) turns it off here too.
	bool tunnel_forwarding = true;
	Mode mode = Mode::router;
	std::vector<uint32_t> locals; // host order; locals[0] is primary
	std::optional<uint32_t> relay;
	uint8_t ttl = STF_DEFAULT_TTL;
	bool permit_private = false;
	bool ingress_filter = true;
	bool loop_guard = true;
	bool fast_path = false;
	std::vector<LanInfo> lan; // in ifindex order
	std::optional<XdpMode> xdp_mode; // nullopt: no XDP program (return-relay)
	// Whether `stf-xdp slowpath` serves this namespace (outer fragments and options are
	// decapsulated only then); nullopt without an XDP program, which has no slow path.
	std::optional<bool> slow_path;
	uint32_t xdp_prog_id = 0;
	// libxdp's dispatcher that runs xdp_prog_id among its programs (attach --xdp-dispatcher);
	// 0: the decapsulator is the interface's XDP program itself.
	uint32_t xdp_dispatcher_id = 0;
	uint32_t tc_prog_id = 0;
	std::vector<uint32_t> broadcasts; // subnet broadcasts checked per packet
	std::vector<Ipv4Prefix> allow;
	std::vector<Ipv4Prefix> deny;
	std::vector<Ipv4Prefix> relays;
	std::vector<Ipv4Prefix> exceptions;
};

struct AttachmentStats {
	std::string ifname;
	CounterValues counters; // index == counter id
};

} // namespace stf
