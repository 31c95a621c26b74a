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

NetNs g_net;

namespace {

stf_bpf *g_skel = nullptr;

// Runs argv (no shell) and returns true on exit status 0; prints the command otherwise.
bool run(const std::vector<std::string> &argv)
{
	std::string line;
	for (const auto &a : argv)
		line += (line.empty() ? "" : " ") + a;
	pid_t pid = fork();
	if (pid < 0) {
		std::fprintf(stderr, "fork: %s\n", std::strerror(errno));
		return false;
	}
	if (pid == 0) {
		std::vector<char *> args;
		for (const auto &a : argv)
			args.push_back(const_cast<char *>(a.c_str()));
		args.push_back(nullptr);
		execvp(args[0], args.data());
		std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
		_exit(127);
	}
	int status = 0;
	if (waitpid(pid, &status, 0) < 0) {
		std::fprintf(stderr, "waitpid: %s\n", std::strerror(errno));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		std::fprintf(stderr, "netns setup failed: `%s` (status %d)\n", line.c_str(), status);
		return false;
	}
	return true;
}

bool ip(const std::string &args)
{
	std::vector<std::string> argv{"ip"};
	std::istringstream is(args);
	for (std::string w; is >> w;)
		argv.push_back(w);
	return run(argv);
}

// IPv6 on a device without addresses or multicast, so it sends nothing of its own.
bool ipv6_quietly_on(const std::string &dev)
{
	return ip("link set " + dev + " multicast off") && ip("link set " + dev + " addrgenmode none") &&
	       write_sysctl("net/ipv6/conf/" + dev + "/disable_ipv6", "0");
}

uint32_t ifindex_of(const char *name)
{
	uint32_t idx = if_nametoindex(name);
	if (!idx)
		std::fprintf(stderr, "if_nametoindex(%s): %s\n", name, std::strerror(errno));
	return idx;
}

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

bool write_sysctl(const std::string &rel_path, const std::string &value)
{
	std::ofstream f("/proc/sys/" + rel_path);
	f << value << "\n";
	f.flush();
	if (!f) {
		std::fprintf(stderr, "sysctl %s = %s failed\n", rel_path.c_str(), value.c_str());
		return false;
	}
	return true;
}

bool setup_netns()
{
	if (unshare(CLONE_NEWNET) != 0) {
		std::fprintf(stderr,
			     "unshare(CLONE_NEWNET): %s -- the BPF tests need root (CAP_SYS_ADMIN) "
			     "and network namespaces\n",
			     std::strerror(errno));
		return false;
	}
	// A fresh namespace has only lo, and it is down. IPv6 off everywhere: no DAD, MLD or
	// router solicitation can cross a hook the live tests attach while counters are compared
	// (the tests craft their IPv6 packets themselves).
	bool ok = write_sysctl("net/ipv6/conf/all/disable_ipv6", "1") &&
		  write_sysctl("net/ipv6/conf/default/disable_ipv6", "1") &&
		  ip("link set lo up") &&
		  // The attached interface: a gateway with a permanent neighbour entry, so the
		  // FIB lookup resolves the next hop without ARP.
		  ip("link add veth0 address 02:00:00:00:00:01 type veth peer name veth0p address "
		     "02:00:00:00:00:02") &&
		  ip("addr add 192.0.2.1/24 dev veth0") && ip("link set veth0 up") &&
		  ip("link set veth0p up") &&
		  ip("neigh add 192.0.2.254 lladdr 02:00:00:00:00:fe dev veth0 nud permanent") &&
		  ip("route add default via 192.0.2.254 dev veth0") &&
		  write_sysctl("net/ipv4/conf/veth0/forwarding", "1") &&
		  // The tunnel device the encap program would be attached to. Both programs look
		  // up the FIB from it, which needs IPv4 forwarding on there (as attach sets it).
		  ip("link add stft0 address 02:00:00:00:00:51 type veth peer name stft0p") &&
		  ip("link set stft0 up") &&
		  ip("link set stft0p up") && write_sysctl("net/ipv4/conf/stft0/forwarding", "1") &&
		  // Up, forwarding, but nothing routed through it.
		  ip("link add nort0 type veth peer name nort0p") && ip("link set nort0 up") &&
		  ip("link set nort0p up") && write_sysctl("net/ipv4/conf/nort0/forwarding", "1") &&
		  // A second interface, IPv4 forwarding off: its address is the host's but not a
		  // V4ADDR, and 198.51.100.128/25 routes out of it, not out of veth0.
		  ip("link add nofwd0 address 02:00:00:00:00:31 type veth peer name nofwd0p") &&
		  ip("addr add 198.51.100.65/28 dev nofwd0") && ip("link set nofwd0 up") &&
		  ip("link set nofwd0p up") &&
		  ip("neigh add 198.51.100.78 lladdr 02:00:00:00:00:3e dev nofwd0 nud permanent") &&
		  ip("route add 198.51.100.128/25 via 198.51.100.78 dev nofwd0") &&
		  write_sysctl("net/ipv4/conf/nofwd0/forwarding", "0") &&
		  // Sources nothing routes back to.
		  ip("route add unreachable 198.51.100.32/28") &&
		  ip("route add blackhole 198.51.100.48/28") &&
		  // IPv6 for the loop guard's lookups, on two devices only, silent (no addresses,
		  // no multicast): 2001:db8:99::/64 routes back into the tunnel, 2001:db8:1::/64
		  // out of nort0. The helper needs IPv6 forwarding on the device asked from.
		  ipv6_quietly_on("stft0") && ipv6_quietly_on("nort0") &&
		  write_sysctl("net/ipv6/conf/stft0/forwarding", "1") &&
		  ip("-6 route add 2001:db8:99::/64 dev stft0") &&
		  ip("-6 route add 2001:db8:1::/64 dev nort0") &&
		  // The fast path's LAN (tests/bpf/fast_path_test.cpp): MTU 1400, on-link
		  // 2002:c000:201:7::/64 with a permanent neighbour ::20, 2002:c000:201:8::/64 with
		  // none, a local route, an unreachable one, and 2002:c000:201:99::/64 back into the
		  // tunnel (with a neighbour, so the lookup itself succeeds).
		  ip("link add lan0 address 02:00:00:00:00:71 mtu 1400 type veth peer name lan0p") &&
		  ip("link set lan0 up") && ip("link set lan0p up") && ipv6_quietly_on("lan0") &&
		  ip("-6 route add 2002:c000:201:7::/64 dev lan0") &&
		  ip("-6 neigh add 2002:c000:201:7::20 lladdr 02:00:00:00:00:7e dev lan0 nud permanent") &&
		  ip("-6 route add 2002:c000:201:8::/64 dev lan0") &&
		  ip("-6 route add local 2002:c000:201:9::1 dev lan0") &&
		  ip("-6 route add unreachable 2002:c000:201:a::/64") &&
		  ip("-6 route add 2002:c000:201:99::/64 dev stft0") &&
		  ip("-6 neigh add 2002:c000:201:99::20 lladdr 02:00:00:00:00:9e dev stft0 nud permanent");
	if (!ok)
		return false;
	g_net.uplink = ifindex_of("veth0");
	g_net.tunnel = ifindex_of("stft0");
	g_net.tunnel_peer = ifindex_of("stft0p");
	g_net.noroute = ifindex_of("nort0");
	g_net.nofwd = ifindex_of("nofwd0");
	g_net.lan = ifindex_of("lan0");
	return g_net.uplink && g_net.tunnel && g_net.tunnel_peer && g_net.noroute && g_net.nofwd &&
	       g_net.lan;
}

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
