// The configuration is double-buffered (include/stf/contract.h): a change writes the slot no
// packet reads, then flips the selector, so a packet never meets a half-written config (the
// old in-place update let `prefix add` make 0.0.0.0 "ours" for an instant). Checked from
// the running dataplane's own maps, found through its XDP program, not through the code under
// test: after each change the selector has flipped, the slot that was live is byte for byte
// what it was, and the new live slot holds the change.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "probe.h"
#include "state.h"

namespace stf::ktest {
namespace {

// An fd of the running dataplane's map called name, through dpt0's XDP program.
class MapOfXdp {
public:
	MapOfXdp(const std::string &ifname, const char *name)
	{
		const uint32_t prog_id = link(ifname).at("xdp").at("prog").at("id").get<uint32_t>();
		int prog = bpf_prog_get_fd_by_id(prog_id);
		if (prog < 0)
			throw ProbeError("bpf_prog_get_fd_by_id: " + std::string(std::strerror(errno)));
		__u32 ids[16] = {};
		bpf_prog_info info{};
		info.nr_map_ids = 16;
		info.map_ids = reinterpret_cast<__u64>(ids);
		__u32 len = sizeof info;
		int err = bpf_obj_get_info_by_fd(prog, &info, &len);
		::close(prog);
		if (err)
			throw ProbeError("bpf_obj_get_info_by_fd: " + std::string(std::strerror(errno)));
		for (__u32 i = 0; i < info.nr_map_ids && i < 16 && fd_ < 0; i++) {
			int fd = bpf_map_get_fd_by_id(ids[i]);
			bpf_map_info mi{};
			__u32 mlen = sizeof mi;
			if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &mi, &mlen) == 0 &&
			    std::strcmp(mi.name, name) == 0)
				fd_ = fd;
			else if (fd >= 0)
				::close(fd);
		}
		if (fd_ < 0)
			throw ProbeError(std::string("no map ") + name + " on the XDP program");
	}
	~MapOfXdp() { ::close(fd_); }
	MapOfXdp(const MapOfXdp &) = delete;
	MapOfXdp &operator=(const MapOfXdp &) = delete;
	int fd() const { return fd_; }

private:
	int fd_ = -1;
};

struct Slots {
	__u32 live = 0;
	stf_config slot[2]{};
};

Slots read_slots()
{
	MapOfXdp cfg("dpt0", "stf_config_v2"), sel("dpt0", "stf_cfgsel_v1");
	Slots s;
	const __u32 zero = 0;
	EXPECT_EQ(0, bpf_map_lookup_elem(sel.fd(), &zero, &s.live));
	for (__u32 k = 0; k < 2; k++)
		EXPECT_EQ(0, bpf_map_lookup_elem(cfg.fd(), &k, &s.slot[k]));
	EXPECT_LT(s.live, 2u);
	return s;
}

class ConfigSwapTest : public DataplaneFixture {};

TEST_F(ConfigSwapTest, EveryChangeWritesTheIdleSlotThenFlips)
{
	Dataplane::attach(opts);
	Slots before = read_slots();
	EXPECT_EQ(1u, before.slot[before.live].n_local);

	auto dp = Dataplane::find("dpt0");
	ASSERT_TRUE(dp.has_value());
	const uint32_t added = 0xc0000202; // 192.0.2.2
	prefix_add(dp->maps(), added);
	Slots after = read_slots();
	EXPECT_NE(before.live, after.live) << "prefix add did not flip the selector";
	EXPECT_EQ(0, std::memcmp(&before.slot[before.live], &after.slot[before.live],
				 sizeof(stf_config)))
		<< "the slot packets were reading was written";
	const stf_config &now = after.slot[after.live];
	ASSERT_EQ(2u, now.n_local);
	EXPECT_EQ(htonl(added), now.local[1]);

	prefix_del(dp->maps(), added);
	Slots again = read_slots();
	EXPECT_EQ(before.live, again.live);
	EXPECT_EQ(0, std::memcmp(&after.slot[after.live], &again.slot[after.live],
				 sizeof(stf_config)));
	EXPECT_EQ(1u, again.slot[again.live].n_local);
	EXPECT_EQ(1u, Dataplane::find("dpt0")->info().locals.size());
}

} // namespace
} // namespace stf::ktest
