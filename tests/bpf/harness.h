// Shared plumbing of the BPF tests: the one skeleton of this test binary, the network
// namespace main.cpp builds, BPF_PROG_TEST_RUN wrappers, per-CPU counter snapshots and the
// coverage registry that proves every drop and pass reason of the contract has a case.
//
// Topology of the private network namespace (built by main.cpp before any test runs):
//
//   veth0 (02:00:00:00:00:01, 192.0.2.1/24, IPv4 forwarding on)  <-->  veth0p (up)
//     default via 192.0.2.254, neighbour 192.0.2.254 lladdr 02:00:00:00:00:fe permanent
//   stft0 (02:00:00:00:00:51) <--> stft0p
//                        stands in for the tunnel device tc encap runs on (ctx ifindex;
//                        EncapLive attaches stf_encap to its egress for one test)
//   IPv6 is disabled on every device: nothing but the tests sends packets
//   nort0 <--> nort0p    up, forwarding on, no address and no route: FIB lookups fail
//   stft0 has IPv4 forwarding on: the programs' FIB lookups are made from it
//   nofwd0 <--> nofwd0p  up, 198.51.100.65/28 (an address of the host, not a V4ADDR),
//                        neighbour 198.51.100.78 permanent, route 198.51.100.128/25 via
//                        198.51.100.78, IPv4 forwarding OFF
//   unreachable 198.51.100.32/28, blackhole 198.51.100.48/28: no way back
//   IPv6 on stft0 (forwarding on) and nort0 only, no addresses, no multicast:
//   2001:db8:99::/64 dev stft0 (back into the tunnel), 2001:db8:1::/64 dev nort0
//   lan0 <--> lan0p      the fast path's LAN, IPv6 only, MTU 1400 (routes: harness.cpp)
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <linux/bpf.h>

#include "packet.h"
#include "stf/contract.h"

struct stf_bpf;

namespace stft {

// ---- the namespace -------------------------------------------------------------------------
struct NetNs {
	uint32_t uplink = 0;  // veth0
	uint32_t tunnel = 0;  // stft0
	uint32_t tunnel_peer = 0; // stft0p: decapsulated frames are redirected here
	uint32_t noroute = 0; // nort0
	uint32_t nofwd = 0;   // nofwd0
	uint32_t lan = 0;     // lan0: where the fast path forwards
	pkt::Mac uplink_mac = {0x02, 0, 0, 0, 0, 0x01};
	pkt::Mac tunnel_mac = {0x02, 0, 0, 0, 0, 0x51}; // stft0's address
	pkt::Mac gateway_mac = {0x02, 0, 0, 0, 0, 0xfe};
	pkt::Mac nofwd_mac = {0x02, 0, 0, 0, 0, 0x31};
	pkt::Mac nofwd_gw_mac = {0x02, 0, 0, 0, 0, 0x3e};
	pkt::Mac lan_mac = {0x02, 0, 0, 0, 0, 0x71};
	pkt::Mac lan_host_mac = {0x02, 0, 0, 0, 0, 0x7e}; // 2002:c000:201:7::20's neighbour entry
};
extern NetNs g_net;

// unshare(CLONE_NEWNET) and build the topology above; false with a message on stderr.
bool setup_netns();
// Writes a sysctl under /proc/sys (path relative to it, e.g. "net/ipv4/conf/x/forwarding").
bool write_sysctl(const std::string &rel_path, const std::string &value);

// ---- the skeleton --------------------------------------------------------------------------
bool load_skeleton();   // once per binary, from main(); false with a message on stderr
// Both of the above, as every binary using the harness starts; false with a FATAL message.
bool setup_all();
// The configuration both the tables and the fuzzer start from: attached to veth0, the
// tunnel stft0 (peer, MAC), router mode, default TTL, the control plane's default switches.
stf_config tunnel_base_config();
void unload_skeleton();
stf_bpf *skel();

// Writes slot 0 of stf_config_v2 and selects it. Returns false (and a gtest failure) on error.
bool write_config(const stf_config &cfg);

struct Prefix {
	const char *addr; // dotted quad
	uint32_t len;
};
// Empties stf_allow_v1 and stf_deny_v1, then inserts the given prefixes.
bool write_filters(const std::vector<Prefix> &allow, const std::vector<Prefix> &deny,
		   const std::vector<Prefix> &relays = {}, const std::vector<Prefix> &except = {});

// ---- PROG_TEST_RUN -------------------------------------------------------------------------
struct RunResult {
	int err = 0;      // bpf_prog_test_run_opts() result (0 or -errno)
	uint32_t retval = 0;
	pkt::Bytes out;
};
RunResult run_xdp(const pkt::Bytes &in);
// As received on ingress_ifindex (xdp_md.ingress_ifindex); run_xdp runs as received on lo.
RunResult run_xdp_from(const pkt::Bytes &in, uint32_t ingress_ifindex);
// The LAN side's stf_lan, as received on ingress_ifindex.
RunResult run_lan_from(const pkt::Bytes &in, uint32_t ingress_ifindex);
// tc: `ctx` is passed as struct __sk_buff (ifindex, gso_size, ...).
RunResult run_tc(const pkt::Bytes &in, const __sk_buff &ctx);

// ---- counters ------------------------------------------------------------------------------
// Sum over every possible CPU of the per-CPU stf_counters_v1, indexed by counter id.
std::vector<stf_counter> read_counters();
// gtest expectations: exactly counter `id` moved by one packet of `bytes` bytes and nothing
// else moved (`id` empty: nothing moved at all).
void expect_counter_delta(const std::vector<stf_counter> &before,
			  const std::vector<stf_counter> &after, std::optional<uint32_t> id,
			  uint64_t bytes);

const char *counter_name(uint32_t id);
stf_counter_kind counter_kind(uint32_t id);

// ---- coverage ------------------------------------------------------------------------------
// Every table entry declares its expected counter at static initialisation (so the check
// also works when ctest runs one test per process); record_hit() notes that a case expecting
// `id` ran and passed its counter check (checked in main after an unfiltered run).
void declare_expected(uint32_t id);
void record_hit(uint32_t id);
const std::set<uint32_t> &declared_ids();
const std::set<uint32_t> &hit_ids();

// Reasons no PROG_TEST_RUN case can reach, each with the reason why. Kept explicit so that a
// new untriggerable counter has to be argued here, not silently skipped.
struct Untriggerable {
	uint32_t id;
	const char *why;
};
const std::vector<Untriggerable> &untriggerable();

// Reasons no BPF program writes: the slow path service counts them (ctl/slowpath.cpp), and
// the test named here sends the packets that do.
const std::vector<Untriggerable> &written_by_slow_path();

// DROP and PASS ids that are neither declared by some case nor listed as untriggerable or
// written by the slow path.
std::vector<uint32_t> uncovered(const std::set<uint32_t> &covered);

// ---- config helpers ------------------------------------------------------------------------
uint32_t be32(uint32_t host); // host-order IPv4 -> the __be32 the config stores

} // namespace stft
