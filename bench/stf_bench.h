// stf-bench: what stf-xdp's programs cost per packet against bare programs, how the cost
// grows with the configuration, and what the tables and the control plane take in memory.
// bench/README.md says how to read it; ../shared/docs/benchmarking.md why it is built so.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace stfbench {

struct Settings {
	uint32_t runs = 2000; // program runs per measurement (one run per BPF_PROG_RUN call)
	int rounds = 20;      // ABBA rounds: median and quartiles are over these
	bool quick = false;   // --quick: a few runs, every case, for the smoke test
	std::string json_path;
};

enum class Hook { xdp, tc };

// One program on one frame, and what each run must answer for the run to count.
struct Probe {
	std::string prog; // program name, for the table
	int fd = -1;
	Hook hook = Hook::xdp;
	uint32_t ifindex = 0; // xdp_md.ingress_ifindex or __sk_buff.ifindex
	std::vector<uint8_t> frame;
	uint32_t want_retval = 0;
	int want_growth = 0; // output size minus input size (encap +20, decap -20)
};

// A case: the program under test against its bare baseline, alternated ABBA. `done` returns
// a counter that must grow by exactly one per run of `test` (every run did the work), or is
// empty where nothing counts (a non-tunnel packet passed untouched: the verdict and the
// unchanged size are the proof then).
struct Case {
	std::string group; // "decap", "encap", "encap-parts"
	std::string name;  // unique: the JSON's key and the smoke test's list
	std::string config;
	Probe base, test;
	std::function<uint64_t()> done;
};

struct Result {
	const Case *c = nullptr;
	double base_ns = 0, test_ns = 0;        // medians over rounds of the mean per run
	double delta_ns = 0, delta_q1 = 0, delta_q3 = 0; // paired (same round) differences
	uint64_t proven_runs = 0; // runs the counter proves did the work (0: no counter)
};

// Memory figures: one per map state or command.
struct Memory {
	std::string name;
	std::string what; // "map" (fdinfo memlock) or "rss" (ru_maxrss of a stf-xdp command)
	uint64_t bytes = 0;
};

// ---- stf_bench_run.cpp ----
// Warm-up, then `rounds` rounds, each timing every case ABBA against its baseline, `runs`
// runs each; exits with a message if any run answers differently or a counter disagrees.
std::vector<Result> measure(const std::vector<const Case *> &cases, const Settings &s);

// ---- stf_bench_frames.cpp ---- (addresses in the README's bench topology)
std::vector<uint8_t> frame_6to4(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				const char *outer_src, const char *outer_dst, const char *inner_src,
				const char *inner_dst);
std::vector<uint8_t> frame_udp4(const uint8_t dst_mac[6], const uint8_t src_mac[6]);
std::vector<uint8_t> frame_udp6(const uint8_t dst_mac[6], const uint8_t src_mac[6],
				const char *src, const char *dst);
// `n` distinct prefixes (/16 to /32) none of which covers 198.51.100.1 or 203.0.113.1
// (the senders), pseudo-random from a fixed seed so every run fills the same trie.
struct Prefix {
	uint32_t addr; // host order
	uint8_t len;
};
std::vector<Prefix> filler_prefixes(uint32_t n);

// ---- stf_bench_memory.cpp ----
// Peak RSS of the stf-xdp binary next to this one for attach and stats, each in this
// namespace; detaches afterwards. Returns false with a message if a command failed.
bool control_plane_rss(std::vector<Memory> &out);
// memlock (fdinfo) of the map named `map` among prog_id's maps, or of all of them (nullptr).
uint64_t map_memory(uint32_t prog_id, const char *map);

// ---- stf_bench_report.cpp ----
void print_table(const std::vector<Result> &results, const std::vector<Memory> &memory,
		 const Settings &s);
bool write_json(const std::string &path, const std::vector<Result> &results,
		const std::vector<Memory> &memory, const Settings &s);

} // namespace stfbench
