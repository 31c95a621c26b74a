#include "slowpath_packet.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/ip.h>

#include <cstring>

namespace stf {

namespace {

uint16_t ipv4_checksum(const uint8_t *hdr, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += uint32_t(hdr[i]) << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return static_cast<uint16_t>(~sum);
}

} // namespace

SlowFrame outer_to_frame(const uint8_t *pkt, size_t len, const Mac &dst, const Mac &src,
			 std::vector<uint8_t> &frame)
{
	if (len < sizeof(iphdr))
		return SlowFrame::malformed;
	const size_t ihl = (pkt[0] & 0x0f) * 4u;
	const size_t tot_len = size_t(pkt[2]) << 8 | pkt[3];
	if ((pkt[0] >> 4) != 4 || ihl < sizeof(iphdr) || ihl > len || tot_len != len)
		return SlowFrame::malformed;
	const size_t out_len = len - (ihl - sizeof(iphdr));
	if (out_len > kSlowMaxPacket)
		return SlowFrame::too_big;

	frame.resize(ETH_HLEN + out_len);
	uint8_t *eth = frame.data();
	std::memcpy(eth, dst.data(), ETH_ALEN);
	std::memcpy(eth + ETH_ALEN, src.data(), ETH_ALEN);
	eth[12] = ETH_P_IP >> 8;
	eth[13] = ETH_P_IP & 0xff;

	uint8_t *ip = eth + ETH_HLEN;
	std::memcpy(ip, pkt, sizeof(iphdr));
	std::memcpy(ip + sizeof(iphdr), pkt + ihl, len - ihl);
	ip[0] = 0x45;
	ip[2] = static_cast<uint8_t>(out_len >> 8);
	ip[3] = static_cast<uint8_t>(out_len);
	ip[6] &= 0x40; // keep DF, clear MF and the offset
	ip[7] = 0;
	ip[10] = ip[11] = 0;
	const uint16_t sum = ipv4_checksum(ip, sizeof(iphdr));
	ip[10] = static_cast<uint8_t>(sum >> 8);
	ip[11] = static_cast<uint8_t>(sum);
	return SlowFrame::ok;
}

} // namespace stf
