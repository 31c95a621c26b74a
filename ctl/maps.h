// Narrow access to the dataplane's maps. MapStore is the interface the state operations use
// (state.h), so a unit test can run them against FakeMapStore without a kernel.
#pragma once

#include <array>
#include <vector>

#include "addr.h"
#include "counters.h"
#include "options.h"
#include "stf/contract.h"

namespace stf {

class MapStore {
public:
	virtual ~MapStore() = default;
	virtual stf_config config() const = 0;
	virtual void set_config(const stf_config &cfg) = 0;
	virtual CounterValues counters() const = 0; // summed over CPUs
	virtual std::vector<Ipv4Prefix> filters(FilterKind kind) const = 0;
	virtual void filter_add(FilterKind kind, const Ipv4Prefix &p) = 0; // EEXIST -> usage Error
	virtual void filter_del(FilterKind kind, const Ipv4Prefix &p) = 0; // ENOENT -> usage Error
};

// The real maps, by file descriptor (owned by the skeleton; the store does not close them).
// The configuration is double-buffered (include/stf/contract.h): set_config writes the slot
// no packet reads, flips the selector, then waits until no packet can still be reading the
// old slot, so every packet sees one whole configuration, old or new.
class BpfMapStore final : public MapStore {
public:
	// lpm_fds in FilterKind order (allow, deny, relay, exception).
	BpfMapStore(int config_fd, int selector_fd, int counters_fd, std::array<int, 4> lpm_fds)
		: config_fd_(config_fd), selector_fd_(selector_fd), counters_fd_(counters_fd),
		  lpm_fds_(lpm_fds)
	{
	}
	stf_config config() const override;
	void set_config(const stf_config &cfg) override;
	CounterValues counters() const override;
	std::vector<Ipv4Prefix> filters(FilterKind kind) const override;
	void filter_add(FilterKind kind, const Ipv4Prefix &p) override;
	void filter_del(FilterKind kind, const Ipv4Prefix &p) override;

private:
	int lpm_fd(FilterKind kind) const { return lpm_fds_[static_cast<size_t>(kind)]; }
	__u32 live_slot() const;
	int config_fd_, selector_fd_, counters_fd_;
	std::array<int, 4> lpm_fds_;
};

} // namespace stf
