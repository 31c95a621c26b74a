#include "lan.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include <algorithm>
#include <cstring>

#include "bpf_kernel.h"
#include "error.h"
#include "ifdev.h"
#include "netlink.h"
#include "stf.skel.h"

namespace stf {

namespace {

bool shares_a_map(const std::vector<__u32> &a, const std::vector<__u32> &b)
{
	return std::find_first_of(a.begin(), a.end(), b.begin(), b.end()) != a.end();
}

} // namespace

std::vector<LanHook> attach_lan(stf_bpf *skel, const std::vector<uint32_t> &ifindexes,
				XdpMode mode, Rollback &rollback, const std::string &ctx)
{
	std::vector<LanHook> hooks;
	const int map_fd = bpf_map__fd(skel->maps.stf_lan_v1);
	const int prog_fd = bpf_program__fd(skel->progs.stf_lan);
	for (uint32_t ifindex : ifindexes) {
		const std::string name = netlink::link_name(ifindex);
		if (name.empty())
			throw Error(Exit::no_interface,
				    ctx + ": LAN interface ifindex " + std::to_string(ifindex) +
					    " is gone");
		// The entry first: the program takes only frames addressed to this MAC.
		stf_lan v{};
		const Mac mac = link_mac(name);
		std::memcpy(v.mac, mac.data(), sizeof(v.mac));
		if (bpf_map_update_elem(map_fd, &ifindex, &v, BPF_ANY))
			sys_error(ctx + ": write the LAN entry of " + name, errno);
		int err = bpf_xdp_attach(static_cast<int>(ifindex), prog_fd,
					 XDP_FLAGS_UPDATE_IF_NOEXIST | xdp_flags(mode), nullptr);
		if (err == -EBUSY || err == -EEXIST)
			throw Error(Exit::already_attached,
				    ctx + ": LAN interface " + name + " already has an XDP program", -err);
		if (err && mode == XdpMode::native)
			throw Error(Exit::failure,
				    ctx + ": native XDP failed on LAN interface " + name +
					    " (driver support?); try --xdp-mode generic",
				    -err);
		if (err)
			sys_error(ctx + ": attach XDP program to LAN interface " + name, err);
		rollback.add([ifindex, prog_fd, mode, ctx] { remove_own_xdp(ifindex, prog_fd, mode, ctx); });
		hooks.push_back(LanHook{ifindex, query_xdp(ifindex).prog_id, mode});
	}
	return hooks;
}

std::vector<LanHook> find_lan_hooks(const std::vector<__u32> &encap_map_ids,
				    std::vector<__u32> &lan_map_ids)
{
	std::vector<LanHook> hooks;
	struct if_nameindex *list = if_nameindex();
	if (!list)
		sys_error("list interfaces", errno);
	std::vector<uint32_t> indexes;
	for (auto *i = list; i->if_index; i++)
		indexes.push_back(i->if_index);
	if_freenameindex(list);
	for (uint32_t ifindex : indexes) {
		XdpState x;
		try {
			x = query_xdp(ifindex);
		} catch (const Error &) {
			continue; // deleted since the listing
		}
		if (!x.prog_id || !x.mode)
			continue;
		ProgInfo p = prog_info(x.prog_id);
		if (p.name != "stf_lan" || !shares_a_map(p.map_ids, encap_map_ids))
			continue;
		hooks.push_back(LanHook{ifindex, x.prog_id, *x.mode});
		lan_map_ids.insert(lan_map_ids.end(), p.map_ids.begin(), p.map_ids.end());
	}
	return hooks;
}

void detach_lan(const std::vector<LanHook> &hooks, const std::string &ctx)
{
	for (const LanHook &h : hooks) {
		if (netlink::link_name(h.ifindex).empty())
			continue;
		// Replaced since it was found: someone else's program now, which stays.
		if (query_xdp(h.ifindex).prog_id != h.prog_id)
			continue;
		Fd prog(bpf_prog_get_fd_by_id(h.prog_id));
		if (prog.get() < 0)
			continue; // gone with its interface, or removed by someone else
		remove_own_xdp(h.ifindex, prog.get(), h.mode, ctx);
	}
}

std::vector<LanInfo> lan_info(int lan_map_fd, const std::vector<LanHook> &hooks)
{
	std::vector<uint32_t> ifindexes;
	for (const LanHook &h : hooks)
		ifindexes.push_back(h.ifindex);
	if (lan_map_fd >= 0) {
		__u32 key = 0, next = 0;
		__u32 *prev = nullptr;
		while (bpf_map_get_next_key(lan_map_fd, prev, &next) == 0) {
			ifindexes.push_back(next);
			key = next;
			prev = &key;
		}
	}
	std::sort(ifindexes.begin(), ifindexes.end());
	ifindexes.erase(std::unique(ifindexes.begin(), ifindexes.end()), ifindexes.end());
	std::vector<LanInfo> out;
	for (uint32_t ifindex : ifindexes) {
		LanInfo l;
		l.ifindex = ifindex;
		l.ifname = netlink::link_name(ifindex);
		for (const LanHook &h : hooks)
			if (h.ifindex == ifindex) {
				l.xdp_prog_id = h.prog_id;
				l.xdp_mode = h.mode;
			}
		out.push_back(l);
	}
	return out;
}

} // namespace stf
