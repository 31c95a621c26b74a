// stf-bench's configurations and the environment of one: stf-xdp attached with it, the
// benchmark's own programs loaded and hooked, and the cases to time there.
#pragma once

#include <bpf/libbpf.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "bpf_kernel.h"
#include "dataplane.h"
#include "stf_bench.h"

struct stf_bench_parts_bpf;

namespace stfbench {

enum class Filter { none, deny, allow };

struct Config {
	std::string name; // appended to the case names ("deny 1000")
	std::string what; // the JSON's "config"
	stf::AttachOptions opts;
	Filter filter = Filter::none;
	uint32_t prefixes = 0; // in the filter table
	bool full = false;     // every case, or only the valid decap
};

// Every configuration, the default first.
std::vector<Config> configurations();

class Bench {
public:
	// Attaches; throws stf::Error. What a failure part-way leaves is left to the benchmark's
	// private network namespace, which dies with the process (main exits on any error).
	explicit Bench(const Config &cfg);
	~Bench();                          // detaches
	Bench(const Bench &) = delete;
	Bench &operator=(const Bench &) = delete;

	// Appends this configuration's cases; they stay valid while *this lives.
	void add_cases(const Config &cfg, std::deque<Case> &out);
	uint64_t map_bytes(const char *map) const; // the dataplane's map, fdinfo memlock

private:
	void hook_xdp(const char *ifname, int fd);
	void add_lan_cases(const Config &cfg, std::deque<Case> &out);
	std::optional<stf::Dataplane> dp_;
	stf::AttachmentInfo info_;
	stf_bench_parts_bpf *skel_ = nullptr;
	bpf_tc_hook tc_hook_{};
	std::vector<uint32_t> xdp_hooked_;
	stf::Fd decap_fd_, encap_fd_, lan_fd_; // lan_fd_: stf_lan, with --lan
};

} // namespace stfbench
