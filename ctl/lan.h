// The LAN side of the fast path (bpf/lan.bpf.c): stf_lan on the XDP hook of each interface
// `attach --lan` names, and its entry in stf_lan_v1 (the interface's MAC). Like the rest of an
// attachment it is found again from the kernel alone: the stf_lan programs on this
// namespace's interfaces that share maps with the attachment's encapsulator.
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model.h"
#include "options.h"
#include "rollback.h"

struct stf_bpf;

namespace stf {

struct LanHook {
	uint32_t ifindex = 0;
	uint32_t prog_id = 0;
	XdpMode mode = XdpMode::native;
};

// Writes each interface's entry, then hooks stf_lan on it (a program there is refused, as
// already attached); each hook gets its undo in rollback. The interfaces in ifindexes order.
std::vector<LanHook> attach_lan(stf_bpf *skel, const std::vector<uint32_t> &ifindexes,
				XdpMode mode, Rollback &rollback, const std::string &ctx);

// The stf_lan programs on this namespace's interfaces that share a map with encap_map_ids
// (the attachment's encapsulator's); lan_map_ids gets their map ids, to bind stf_lan_v1.
std::vector<LanHook> find_lan_hooks(const std::vector<__u32> &encap_map_ids,
				    std::vector<__u32> &lan_map_ids);

// Removes each hook's program while it is still ours (remove_own_xdp); an interface deleted
// meanwhile took its program with it, and a program replaced since is someone else's.
void detach_lan(const std::vector<LanHook> &hooks, const std::string &ctx);

// What status shows: every interface stf_lan_v1 names (map fd, -1 if unbound), with its
// hook if found; a hook without an entry too.
std::vector<LanInfo> lan_info(int lan_map_fd, const std::vector<LanHook> &hooks);

} // namespace stf
