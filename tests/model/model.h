// A reference model of stf-xdp's per-packet decision, in plain C++: no kernel, no libbpf.
//
// It is written from the specification (decapsulation steps 1-8, encapsulation steps 1-7 in
// model.cpp), not from bpf/: the only thing it shares with the dataplane is
// include/stf/contract.h (the configuration layout, flags, modes and counter ids). A
// differential fuzzer (tests/fuzz/) feeds the same frames to both and reports any
// difference, so a mistake has to be made twice, independently, to go unnoticed.
//
// Whatever the kernel would decide (routes, neighbours, MTUs) comes from a `Net` the caller
// supplies: the model itself knows nothing about any namespace.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stf/contract.h"

namespace stf_model {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

// Verdict values as the kernel defines them (linux/bpf.h, linux/pkt_cls.h), restated so the
// model needs no kernel header beyond the contract's.
enum : uint32_t {
	kXdpDrop = 1,
	kXdpPass = 2,
	kXdpRedirect = 4,
	kTcShot = 2,
	kTcRedirect = 7,
};

// An allow/deny entry; `addr` in host byte order, bits beyond `len` are ignored, as an LPM
// trie ignores them.
struct Prefix4 {
	uint32_t addr;
	uint8_t len;
};

// Everything the control plane writes: the live configuration slot and both filter tables.
struct Config {
	stf_config cfg{};
	std::vector<Prefix4> allow, deny, relays, except;
};

// The answer of an IPv4 FIB lookup made from the tunnel device.
struct FibResult {
	enum Kind {
		Local,   // an address of this host, or a broadcast the host knows (not forwarded)
		None,    // unreachable, blackhole, prohibit: no way there
		Failed,  // no lookup possible (IPv4 forwarding off on the tunnel device)
		Forward, // a route out of `ifindex`
	} kind = Forward;
	uint32_t ifindex = 0;
	bool resolved = false; // the next hop's neighbour entry is known
	Mac next_hop{};        // when resolved: the next hop's MAC
	Mac egress{};          // when resolved: the egress device's MAC
};

// The kernel state the programs consult.
class Net {
public:
	virtual ~Net() = default;
	virtual FibResult fib(uint32_t addr) const = 0; // host-order IPv4
	// The egress ifindex of an IPv6 lookup for dst made from device `from`, or nullopt when
	// it is not forwarded (no route, a local address, or IPv6 forwarding off on `from`).
	virtual std::optional<uint32_t> fib6(const uint8_t dst[16], uint32_t from) const = 0;
	virtual uint32_t mtu(uint32_t ifindex) const = 0;
};

struct Result {
	uint32_t action = 0;             // XDP or tc verdict
	std::optional<uint32_t> counter; // the one counter moved (by 1 packet, the frame's bytes)
	bool out_compared = true;        // false: a drop after encapsulation, bytes never sent
	Bytes out;                       // the frame after the program
};

// XDP on the attached interface: `frame` is the Ethernet frame received.
Result decap(const Bytes &frame, const Config &c, const Net &net);

// tc on the tunnel device's egress: `frame` is the Ethernet + IPv6 frame routed into it.
// The outer IP ID is random in the dataplane; the caller passes the one to write.
Result encap(const Bytes &frame, const Config &c, const Net &net, uint16_t ip_id);

// ---- pieces, exposed for the unit tests --------------------------------------------------
// enum stf_addr_class of an outer IPv4 address (host order), given the flags and the
// configured broadcasts.
stf_addr_class class_v4(uint32_t addr, const stf_config &cfg);
// The RFC 1071 one's-complement sum of `len` bytes, folded to 16 bits, not complemented.
uint16_t sum16(const uint8_t *data, size_t len);

// "XDP_DROP outer_bad_checksum", "TC_ACT_REDIRECT encap", "XDP_PASS (no counter)".
std::string describe(const Result &r, bool tc);
const char *counter_name(uint32_t id);

} // namespace stf_model
