#include "harness.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include "stf.skel.h"

namespace stft {

namespace {

stf_bpf *g_skel = nullptr;

struct CounterInfo {
	uint32_t id;
	stf_counter_kind kind;
	const char *name;
};

const std::vector<CounterInfo> &counter_table()
{
	static const std::vector<CounterInfo> table = {
#define STF_X_INFO(id, kind, name, desc) {id, STF_KIND_##kind, #name},
		STF_COUNTER_LIST(STF_X_INFO)
#undef STF_X_INFO
	};
	return table;
}

} // namespace

bool load_skeleton()
{
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	g_skel = stf_bpf__open_and_load();
	if (!g_skel) {
		std::fprintf(stderr, "stf_bpf__open_and_load: %s\n", std::strerror(errno));
		return false;
	}
	return true;
}

bool setup_all()
{
	if (!setup_netns()) {
		std::fprintf(stderr, "FATAL: cannot build the test network namespace\n");
		return false;
	}
	if (!load_skeleton()) {
		std::fprintf(stderr, "FATAL: cannot load the stf BPF skeleton\n");
		return false;
	}
	return true;
}

stf_config tunnel_base_config()
{
	stf_config c{};
	c.ifindex = g_net.uplink;
	c.tun_ifindex = g_net.tunnel;
	c.tun_peer_ifindex = g_net.tunnel_peer;
	std::memcpy(c.tun_mac, g_net.tunnel_mac.data(), sizeof(c.tun_mac));
	c.mode = STF_MODE_ROUTER;
	c.ttl = STF_DEFAULT_TTL;
	c.flags = STF_F_INGRESS_FILTER | STF_F_LOOP_GUARD; // the control plane's defaults
	return c;
}

void unload_skeleton()
{
	stf_bpf__destroy(g_skel);
	g_skel = nullptr;
}

stf_bpf *skel()
{
	return g_skel;
}

bool write_config(const stf_config &cfg)
{
	// No packet runs concurrently here: slot 0, selected, is enough.
	uint32_t key = 0;
	int err = bpf_map_update_elem(bpf_map__fd(g_skel->maps.stf_config_v2), &key, &cfg, BPF_ANY);
	EXPECT_EQ(err, 0) << "stf_config_v2 update: " << std::strerror(errno);
	int err2 = bpf_map_update_elem(bpf_map__fd(g_skel->maps.stf_cfgsel_v1), &key, &key, BPF_ANY);
	EXPECT_EQ(err2, 0) << "stf_cfgsel_v1 update: " << std::strerror(errno);
	return err == 0 && err2 == 0;
}

namespace {

bool clear_lpm(int fd)
{
	stf_lpm4_key key{};
	// Always restart from the first key: deleting invalidates the iteration position.
	while (bpf_map_get_next_key(fd, nullptr, &key) == 0) {
		if (bpf_map_delete_elem(fd, &key) != 0) {
			ADD_FAILURE() << "LPM delete: " << std::strerror(errno);
			return false;
		}
	}
	return true;
}

bool fill_lpm(int fd, const std::vector<Prefix> &prefixes)
{
	for (const auto &p : prefixes) {
		stf_lpm4_key key{p.len, be32(pkt::ip4(p.addr))};
		uint8_t one = 1;
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY) != 0) {
			ADD_FAILURE() << "LPM insert " << p.addr << "/" << p.len << ": "
				      << std::strerror(errno);
			return false;
		}
	}
	return true;
}

} // namespace

bool write_filters(const std::vector<Prefix> &allow, const std::vector<Prefix> &deny,
		   const std::vector<Prefix> &relays, const std::vector<Prefix> &except)
{
	const std::pair<int, const std::vector<Prefix> *> tables[] = {
		{bpf_map__fd(g_skel->maps.stf_allow_v1), &allow},
		{bpf_map__fd(g_skel->maps.stf_deny_v1), &deny},
		{bpf_map__fd(g_skel->maps.stf_relays_v1), &relays},
		{bpf_map__fd(g_skel->maps.stf_except_v1), &except},
	};
	for (const auto &[fd, list] : tables)
		if (!clear_lpm(fd) || !fill_lpm(fd, *list))
			return false;
	return true;
}

namespace {

// Headroom for growth (encap adds 20 bytes) with a wide margin.
constexpr size_t kOutSlack = 256;

RunResult run_prog(int prog_fd, const pkt::Bytes &in, const void *ctx, uint32_t ctx_size)
{
	RunResult r;
	r.out.assign(in.size() + kOutSlack, 0);
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.data_in = in.data();
	opts.data_size_in = uint32_t(in.size());
	opts.data_out = r.out.data();
	// Reset before every run: on return the kernel writes the output length here.
	opts.data_size_out = uint32_t(r.out.size());
	opts.ctx_in = ctx;
	opts.ctx_size_in = ctx_size;
	// One run: a second run on the same buffer would see the already rewritten packet.
	opts.repeat = 1;
	int err = bpf_prog_test_run_opts(prog_fd, &opts);
	r.err = err < 0 ? -errno : 0;
	r.retval = opts.retval;
	r.out.resize(err == 0 ? opts.data_size_out : 0);
	return r;
}

} // namespace

RunResult run_xdp(const pkt::Bytes &in)
{
	return run_prog(bpf_program__fd(g_skel->progs.stf_decap), in, nullptr, 0);
}

RunResult run_xdp_from(const pkt::Bytes &in, uint32_t ingress_ifindex)
{
	xdp_md md{};
	md.data_end = uint32_t(in.size());
	md.ingress_ifindex = ingress_ifindex;
	return run_prog(bpf_program__fd(g_skel->progs.stf_decap), in, &md, sizeof(md));
}

RunResult run_lan_from(const pkt::Bytes &in, uint32_t ingress_ifindex)
{
	xdp_md md{};
	md.data_end = uint32_t(in.size());
	md.ingress_ifindex = ingress_ifindex;
	return run_prog(bpf_program__fd(g_skel->progs.stf_lan), in, &md, sizeof(md));
}

RunResult run_tc(const pkt::Bytes &in, const __sk_buff &ctx)
{
	return run_prog(bpf_program__fd(g_skel->progs.stf_encap), in, &ctx, sizeof(ctx));
}

std::vector<stf_counter> read_counters()
{
	const int ncpu = libbpf_num_possible_cpus();
	std::vector<stf_counter> sums(STF_COUNTER_COUNT_, stf_counter{});
	if (ncpu <= 0) {
		ADD_FAILURE() << "libbpf_num_possible_cpus: " << ncpu;
		return sums;
	}
	std::vector<stf_counter> percpu(static_cast<size_t>(ncpu));
	int fd = bpf_map__fd(g_skel->maps.stf_counters_v1);
	for (uint32_t id = 0; id < STF_COUNTER_COUNT_; id++) {
		if (bpf_map_lookup_elem(fd, &id, percpu.data()) != 0) {
			ADD_FAILURE() << "stf_counters_v1 lookup " << id << ": " << std::strerror(errno);
			continue;
		}
		for (const auto &c : percpu) {
			sums[id].packets += c.packets;
			sums[id].bytes += c.bytes;
		}
	}
	return sums;
}

void expect_counter_delta(const std::vector<stf_counter> &before,
			  const std::vector<stf_counter> &after, std::optional<uint32_t> id,
			  uint64_t bytes)
{
	ASSERT_EQ(before.size(), size_t(STF_COUNTER_COUNT_));
	ASSERT_EQ(after.size(), size_t(STF_COUNTER_COUNT_));
	for (uint32_t i = 0; i < STF_COUNTER_COUNT_; i++) {
		const uint64_t dp = after[i].packets - before[i].packets;
		const uint64_t db = after[i].bytes - before[i].bytes;
		if (id && *id == i) {
			EXPECT_EQ(dp, 1u) << "counter " << counter_name(i) << " packets";
			EXPECT_EQ(db, bytes) << "counter " << counter_name(i) << " bytes";
		} else {
			EXPECT_EQ(dp, 0u) << "unexpected counter " << counter_name(i) << " (" << i
					  << ") moved by " << dp << " packets"
					  << (id ? std::string(", expected only ") + counter_name(*id)
						 : std::string(", expected no counter"));
			EXPECT_EQ(db, 0u) << "unexpected counter " << counter_name(i) << " bytes";
		}
	}
}

const char *counter_name(uint32_t id)
{
	for (const auto &c : counter_table())
		if (c.id == id)
			return c.name;
	return "?";
}

stf_counter_kind counter_kind(uint32_t id)
{
	for (const auto &c : counter_table())
		if (c.id == id)
			return c.kind;
	return STF_KIND_STAT;
}

namespace {
std::set<uint32_t> &declared_mut()
{
	static std::set<uint32_t> s;
	return s;
}
std::set<uint32_t> &hit_mut()
{
	static std::set<uint32_t> s;
	return s;
}
} // namespace

void declare_expected(uint32_t id)
{
	declared_mut().insert(id);
}

void record_hit(uint32_t id)
{
	hit_mut().insert(id);
}

const std::set<uint32_t> &declared_ids()
{
	return declared_mut();
}

const std::set<uint32_t> &hit_ids()
{
	return hit_mut();
}

const std::vector<Untriggerable> &untriggerable()
{
	static const std::vector<Untriggerable> list = {
		{STF_C_decap_adjust_failed,
		 "bpf_xdp_adjust_head(ctx, 20) shrinks the head by 20 bytes of a frame the program "
		 "has just proven holds at least 14 + 20 + 40 bytes; it can only fail for a frame "
		 "shorter than ETH_HLEN after the shrink, which decap_checks rules out, and "
		 "PROG_TEST_RUN has no fault injection for it"},
		{STF_C_encap_redirect_failed,
		 "bpf_redirect(ifindex, 0) and bpf_redirect_neigh with a full-size bpf_redir_neigh "
		 "and flags 0 always return TC_ACT_REDIRECT; they return TC_ACT_SHOT only for bad "
		 "flags or parameter sizes, which the program never passes. The counter makes "
		 "\"encap\" count only packets whose redirect was accepted"},
	};
	return list;
}

const std::vector<Untriggerable> &written_by_slow_path()
{
	static const std::vector<Untriggerable> list = {
		{STF_C_slow_too_big, "tests/netns/test_slow_path.sh, case frag_too_big"},
		{STF_C_slow_failed, "tests/netns/test_slow_path.sh, the tunnel's peer set down"},
	};
	return list;
}

std::vector<uint32_t> uncovered(const std::set<uint32_t> &covered)
{
	std::vector<uint32_t> missing;
	for (const auto &c : counter_table()) {
		if (c.kind == STF_KIND_STAT || covered.count(c.id))
			continue;
		bool excused = false;
		for (const auto &u : untriggerable())
			excused |= u.id == c.id;
		for (const auto &u : written_by_slow_path())
			excused |= u.id == c.id;
		if (!excused)
			missing.push_back(c.id);
	}
	return missing;
}

uint32_t be32(uint32_t host)
{
	return htonl(host);
}

} // namespace stft
