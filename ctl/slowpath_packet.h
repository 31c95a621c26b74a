// The slow path's packet rewrite (slowpath.h), kept apart so it is unit tested without a
// kernel: what a raw socket hands over (an IPv4 packet the kernel reassembled, or one with
// IPv4 options) becomes the Ethernet frame the XDP decapsulator checks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace stf {

// The largest IPv4 packet the slow path checks. The kernel's BPF test run takes a frame of one
// page minus XDP headroom and skb_shared_info: 3,506 IPv4 bytes on Debian's 6.1, about 3,050
// on kernels built with 45 fragments per skb. 3,000 fits every one and is twice what a 6to4
// sender with a standard 1480-byte tunnel MTU sends.
constexpr size_t kSlowMaxPacket = 3000;

enum class SlowFrame {
	ok,
	malformed, // not a whole IPv4 header: the kernel never hands over such a thing
	too_big,   // over kSlowMaxPacket
};

using Mac = std::array<uint8_t, 6>;

// Writes into frame: an Ethernet header (dst, src, IPv4) and the packet with its options
// removed (IHL 5, total length and checksum recomputed) and without fragment fields (DF is
// kept). The kernel has already acted on the options (a source route is refused or makes the
// packet not ours) and reassembled the fragments, so what is left to check is exactly what the
// decapsulator checks on any other packet, and it takes only IHL 5 and unfragmented headers.
SlowFrame outer_to_frame(const uint8_t *pkt, size_t len, const Mac &dst, const Mac &src,
			 std::vector<uint8_t> &frame);

} // namespace stf
