// Memory: what the kernel charges for a map (fdinfo's memlock, which kernels since 6.4
// compute from the map's contents, so a trie's figure grows with its prefixes), and the
// control plane's peak RSS for the commands an operator runs (ru_maxrss of the real binary).
#include <bpf/bpf.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "bpf_kernel.h"
#include "stf_bench.h"

namespace stfbench {

namespace {

std::string stf_xdp_path()
{
	char self[PATH_MAX] = {};
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		return "stf-xdp";
	std::string dir(self);
	return dir.substr(0, dir.rfind('/')) + "/stf-xdp";
}

// Runs stf-xdp ARGS with stdout discarded; the child's peak RSS in bytes, or 0 if it failed.
uint64_t peak_rss(const std::vector<std::string> &args)
{
	const std::string bin = stf_xdp_path();
	pid_t pid = fork();
	if (pid == 0) {
		std::vector<char *> argv{const_cast<char *>(bin.c_str())};
		for (const auto &a : args)
			argv.push_back(const_cast<char *>(a.c_str()));
		argv.push_back(nullptr);
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(bin.c_str(), argv.data());
		_exit(127);
	}
	int status = 0;
	rusage ru{};
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		std::string line = bin;
		for (const auto &a : args)
			line += " " + a;
		std::fprintf(stderr, "stf-bench: failed: %s\n", line.c_str());
		return 0;
	}
	return uint64_t(ru.ru_maxrss) * 1024; // Linux reports KiB
}

// A config file attaching 192.0.2.1 with n deny prefixes; its path, or "" on failure.
std::string config_with_deny(uint32_t n)
{
	char path[] = "/tmp/stf-bench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return "";
	close(fd);
	std::ofstream f(path);
	f << "{\"local\": [\"192.0.2.1\"], \"filters\": {\"deny\": [";
	const std::vector<Prefix> ps = filler_prefixes(n);
	for (size_t i = 0; i < ps.size(); i++) {
		const uint32_t a = ps[i].addr;
		f << (i ? ", " : "") << '"' << (a >> 24) << '.' << (a >> 16 & 255) << '.'
		  << (a >> 8 & 255) << '.' << (a & 255) << '/' << int(ps[i].len) << '"';
	}
	f << "]}}\n";
	return f ? std::string(path) : "";
}

} // namespace

bool control_plane_rss(std::vector<Memory> &out)
{
	struct Step {
		const char *name;
		std::vector<std::string> args;
		bool record;
	};
	const std::string cfg = config_with_deny(1000);
	if (cfg.empty())
		return false;
	const Step steps[] = {
		{"rss: attach", {"attach", "eth0", "--local", "192.0.2.1"}, true},
		{"rss: stats", {"stats", "eth0"}, true},
		{"rss: stats -j", {"-j", "stats", "eth0"}, true},
		{"rss: detach", {"detach", "eth0"}, true},
		{"rss: attach, 1000 deny prefixes", {"attach", "eth0", "--config", cfg}, true},
		{"rss: stats, 1000 deny prefixes", {"stats", "eth0"}, true},
		{"", {"detach", "eth0"}, false},
	};
	bool ok = true;
	for (const Step &s : steps) {
		const uint64_t rss = peak_rss(s.args);
		ok &= rss != 0;
		if (s.record)
			out.push_back(Memory{s.name, "rss", rss});
	}
	unlink(cfg.c_str());
	return ok;
}

uint64_t map_memory(uint32_t prog_id, const char *map)
{
	uint64_t total = 0;
	for (__u32 id : stf::prog_info(prog_id).map_ids) {
		stf::Fd fd(bpf_map_get_fd_by_id(id));
		bpf_map_info info{};
		__u32 len = sizeof(info);
		if (fd.get() < 0 || bpf_obj_get_info_by_fd(fd.get(), &info, &len) ||
		    (map && std::strcmp(info.name, map) != 0))
			continue;
		std::ifstream f("/proc/self/fdinfo/" + std::to_string(fd.get()));
		for (std::string key; f >> key;) {
			uint64_t v = 0;
			if (key == "memlock:" && f >> v)
				total += v;
		}
	}
	return total;
}

} // namespace stfbench
