// What ctl/dataplane.cpp (attach, detach, info) and ctl/discovery.cpp (finding a running
// dataplane again) share: the marks stf-xdp leaves in the kernel to recognise its own state.
// Not for other users of Dataplane.
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "attach_plan.h"
#include "maps.h"

struct stf_bpf;

namespace stf::impl {

// Our tc filter on the tunnel device. The device is ours alone, so fixed values are safe and
// let a later invocation find the filter with bpf_tc_query.
constexpr __u32 kTcHandle = 1;
constexpr __u32 kTcPriority = 1;

// The alias marks (kAliasPrefix, kIncomplete) are in attach_plan.h.

bool ends_with(const std::string &s, const std::string &tail);

// ifindex N if name is exactly "stf<N>" (a tunnel, not its peer), else 0.
uint32_t tunnel_ifindex_in_name(const std::string &name);

// The MapStore over a skeleton's maps (opened or bound to a running dataplane's).
std::unique_ptr<MapStore> make_store(stf_bpf *skel);

} // namespace stf::impl
