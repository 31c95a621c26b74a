#include "maps.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "error.h"
#include "kill_point.h"

namespace stf {

namespace {

stf_lpm4_key lpm_key(const Ipv4Prefix &p)
{
	stf_lpm4_key k{};
	k.prefixlen = p.len;
	k.addr = htonl(p.addr);
	return k;
}

std::string filter_text(FilterKind kind, const Ipv4Prefix &p)
{
	return std::string("filter ") + filter_kind_name(kind) + " " + format_ipv4_prefix(p);
}

void require_fd(int fd, FilterKind kind)
{
	if (fd < 0)
		throw Error(Exit::usage, std::string("the ") + filter_kind_name(kind) +
						 " filter belongs to decapsulation, and this attachment "
						 "decapsulates nothing (return-relay mode)");
}

// Returns once every BPF program that may have read the old selector has finished. The
// programs run inside RCU read-side sections, and MEMBARRIER_CMD_GLOBAL is synchronize_rcu()
// in the kernel. Where it is refused (nohz_full kernels), a pause far longer than any one
// run of the programs (microseconds) stands in for it.
void wait_for_readers()
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

} // namespace

__u32 BpfMapStore::live_slot() const
{
	__u32 key = 0, slot = 0;
	if (bpf_map_lookup_elem(selector_fd_, &key, &slot))
		sys_error("read stf_cfgsel_v1", errno);
	return slot & 1;
}

stf_config BpfMapStore::config() const
{
	__u32 slot = live_slot();
	stf_config cfg{};
	if (bpf_map_lookup_elem(config_fd_, &slot, &cfg))
		sys_error("read stf_config_v2", errno);
	return cfg;
}

void BpfMapStore::set_config(const stf_config &cfg)
{
	__u32 key = 0, next = live_slot() ^ 1;
	if (bpf_map_update_elem(config_fd_, &next, &cfg, BPF_ANY))
		sys_error("write stf_config_v2", errno);
	kill_point("config_written"); // killed here: the idle slot changed, packets see the old
	// One aligned 4-byte value: a program reads the old slot number or the new one.
	if (bpf_map_update_elem(selector_fd_, &key, &next, BPF_ANY))
		sys_error("write stf_cfgsel_v1", errno);
	wait_for_readers(); // the old slot is free to be written by the next change
}

CounterValues BpfMapStore::counters() const
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		sys_error("count possible CPUs", ncpu);
	std::vector<stf_counter> per_cpu(static_cast<size_t>(ncpu));
	CounterValues totals(STF_COUNTER_COUNT_);
	for (__u32 id = 0; id < STF_COUNTER_COUNT_; id++) {
		if (bpf_map_lookup_elem(counters_fd_, &id, per_cpu.data()))
			sys_error("read stf_counters_v1", errno);
		for (const stf_counter &c : per_cpu) {
			totals[id].packets += c.packets;
			totals[id].bytes += c.bytes;
		}
	}
	return totals;
}

std::vector<Ipv4Prefix> BpfMapStore::filters(FilterKind kind) const
{
	std::vector<Ipv4Prefix> out;
	int fd = lpm_fd(kind);
	if (fd < 0)
		return out; // return-relay: no decapsulation, no filter tables
	stf_lpm4_key key{}, next{};
	const void *prev = nullptr;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		out.push_back(Ipv4Prefix{ntohl(next.addr), static_cast<uint8_t>(next.prefixlen)});
		key = next;
		prev = &key;
	}
	if (errno != ENOENT)
		sys_error("list the " + std::string(filter_kind_name(kind)) + " filter", errno);
	return out;
}

void BpfMapStore::filter_add(FilterKind kind, const Ipv4Prefix &p)
{
	require_fd(lpm_fd(kind), kind);
	stf_lpm4_key k = lpm_key(p);
	__u8 one = 1;
	if (bpf_map_update_elem(lpm_fd(kind), &k, &one, BPF_NOEXIST)) {
		if (errno == EEXIST)
			usage_error(filter_text(kind, p) + " already exists");
		sys_error("add " + filter_text(kind, p), errno);
	}
}

void BpfMapStore::filter_del(FilterKind kind, const Ipv4Prefix &p)
{
	require_fd(lpm_fd(kind), kind);
	stf_lpm4_key k = lpm_key(p);
	if (bpf_map_delete_elem(lpm_fd(kind), &k)) {
		if (errno == ENOENT)
			usage_error(filter_text(kind, p) + " does not exist");
		sys_error("delete " + filter_text(kind, p), errno);
	}
}

} // namespace stf
