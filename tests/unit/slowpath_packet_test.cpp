// The slow path's rewrite of what its raw socket receives into the frame the XDP decapsulator
// checks (ctl/slowpath_packet.h): options removed, fragment fields cleared, checksum right,
// payload untouched, and the two refusals (malformed, too big).
#include "slowpath_packet.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace stf {
namespace {

const Mac kDst{2, 0, 0, 0, 0, 1}, kSrc{2, 0, 0, 0, 0, 2};

uint16_t fold(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += uint32_t(p[i]) << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return static_cast<uint16_t>(s);
}

// An IPv4 packet, protocol 41, with `opt` bytes of options (NOPs) and `payload` bytes.
std::vector<uint8_t> packet(size_t opt, size_t payload, uint16_t frag_field = 0)
{
	const size_t ihl = 20 + opt, len = ihl + payload;
	std::vector<uint8_t> p(len);
	p[0] = static_cast<uint8_t>(0x40 | ihl / 4);
	p[1] = 0x02; // ECN ECT(0): must survive
	p[2] = static_cast<uint8_t>(len >> 8);
	p[3] = static_cast<uint8_t>(len);
	p[4] = 0x12, p[5] = 0x34;
	p[6] = static_cast<uint8_t>(frag_field >> 8);
	p[7] = static_cast<uint8_t>(frag_field);
	p[8] = 57, p[9] = 41;
	const uint8_t src[4] = {198, 51, 100, 1}, dst[4] = {192, 0, 2, 1};
	std::copy(src, src + 4, p.begin() + 12);
	std::copy(dst, dst + 4, p.begin() + 16);
	for (size_t i = 20; i < ihl; i++)
		p[i] = 1; // NOP
	for (size_t i = ihl; i < len; i++)
		p[i] = static_cast<uint8_t>(i * 7);
	return p;
}

TEST(SlowPathPacket, StripsOptionsAndKeepsEverythingElse)
{
	auto in = packet(8, 100, 0x4000); // DF
	std::vector<uint8_t> f;
	ASSERT_EQ(SlowFrame::ok, outer_to_frame(in.data(), in.size(), kDst, kSrc, f));
	ASSERT_EQ(14u + 20 + 100, f.size());
	EXPECT_EQ(std::vector<uint8_t>(kDst.begin(), kDst.end()), std::vector<uint8_t>(f.begin(), f.begin() + 6));
	EXPECT_EQ(std::vector<uint8_t>(kSrc.begin(), kSrc.end()), std::vector<uint8_t>(f.begin() + 6, f.begin() + 12));
	EXPECT_EQ(0x08, f[12]);
	EXPECT_EQ(0x00, f[13]);
	const uint8_t *ip = f.data() + 14;
	EXPECT_EQ(0x45, ip[0]);
	EXPECT_EQ(0x02, ip[1]);
	EXPECT_EQ(120, ip[2] << 8 | ip[3]);
	EXPECT_EQ(0x40, ip[6]) << "DF kept";
	EXPECT_EQ(0x00, ip[7]);
	EXPECT_EQ(57, ip[8]);
	EXPECT_EQ(41, ip[9]);
	EXPECT_EQ(0xffff, fold(ip, 20)) << "header checksum valid";
	EXPECT_TRUE(std::equal(in.begin() + 12, in.begin() + 20, ip + 12)) << "addresses";
	EXPECT_TRUE(std::equal(in.begin() + 28, in.end(), ip + 20)) << "payload";
}

TEST(SlowPathPacket, ClearsFragmentFieldsOfAReassembledHeader)
{
	auto in = packet(0, 64, 0x2000 | 0x00ff); // MF and an offset: cleared
	std::vector<uint8_t> f;
	ASSERT_EQ(SlowFrame::ok, outer_to_frame(in.data(), in.size(), kDst, kSrc, f));
	EXPECT_EQ(0, f[14 + 6]);
	EXPECT_EQ(0, f[14 + 7]);
	EXPECT_EQ(0xffff, fold(f.data() + 14, 20));
}

TEST(SlowPathPacket, RefusesMalformedHeaders)
{
	std::vector<uint8_t> f;
	auto ok = packet(4, 40);
	EXPECT_EQ(SlowFrame::malformed, outer_to_frame(ok.data(), 19, kDst, kSrc, f));
	auto v6 = ok;
	v6[0] = 0x65;
	EXPECT_EQ(SlowFrame::malformed, outer_to_frame(v6.data(), v6.size(), kDst, kSrc, f));
	auto short_ihl = ok;
	short_ihl[0] = 0x44;
	EXPECT_EQ(SlowFrame::malformed, outer_to_frame(short_ihl.data(), short_ihl.size(), kDst, kSrc, f));
	auto long_ihl = packet(0, 0);
	long_ihl[0] = 0x46; // 24 header bytes claimed, 20 present
	EXPECT_EQ(SlowFrame::malformed, outer_to_frame(long_ihl.data(), long_ihl.size(), kDst, kSrc, f));
	auto bad_len = ok;
	bad_len[3] ^= 1;
	EXPECT_EQ(SlowFrame::malformed, outer_to_frame(bad_len.data(), bad_len.size(), kDst, kSrc, f));
}

TEST(SlowPathPacket, TakesUpToTheLimitWithoutOptions)
{
	std::vector<uint8_t> f;
	auto at = packet(0, kSlowMaxPacket - 20);
	EXPECT_EQ(SlowFrame::ok, outer_to_frame(at.data(), at.size(), kDst, kSrc, f));
	auto over = packet(0, kSlowMaxPacket - 19);
	EXPECT_EQ(SlowFrame::too_big, outer_to_frame(over.data(), over.size(), kDst, kSrc, f));
	// The limit applies to what the decapsulator is given: options do not count.
	auto with_opts = packet(8, kSlowMaxPacket - 20);
	EXPECT_EQ(SlowFrame::ok, outer_to_frame(with_opts.data(), with_opts.size(), kDst, kSrc, f));
}

} // namespace
} // namespace stf
