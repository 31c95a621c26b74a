// Operations that change a running dataplane's configuration, written against MapStore so
// they are unit-tested with a fake. Each validates first and writes once, so a rejected
// change leaves the running state exactly as it was.
#pragma once

#include <cstdint>
#include <vector>

#include "maps.h"
#include "options.h"
#include "stf/contract.h"

namespace stf {

// The initial configuration of an attachment.
stf_config build_config(const AttachOptions &opts, uint32_t ifindex, uint32_t tun_ifindex,
			const std::vector<uint32_t> &broadcasts);

// Local V4ADDRs (host order) held in a config.
std::vector<uint32_t> config_locals(const stf_config &cfg);
// The subnet broadcasts refused as peers, host order.
std::vector<uint32_t> config_broadcasts(const stf_config &cfg);

// prefix add: validates the address (unicast, private only if permitted), rejects a
// duplicate or a full table (STF_MAX_LOCAL).
void prefix_add(MapStore &maps, uint32_t v4);
// prefix del: rejects an address that is not configured, and the last one (detach instead).
void prefix_del(MapStore &maps, uint32_t v4);

// filter add/del, keeping the config's has_allow/has_deny flags in step with the tables
// (the dataplane skips an empty table on that flag). The table entry is written before the
// flag is raised and the flag lowered before the last entry goes, so no packet sees a flag
// with an empty table.
void filter_add(MapStore &maps, FilterKind kind, const Ipv4Prefix &p);
void filter_del(MapStore &maps, FilterKind kind, const Ipv4Prefix &p);
// The filter entries in force: the table's entries while its flag is up, none while it is
// down (entries left by a killed change are not in force; the next filter_add removes them).
std::vector<Ipv4Prefix> filter_entries(const MapStore &maps, FilterKind kind);

} // namespace stf
