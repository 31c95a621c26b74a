#include "bpf_kernel.h"

#include <bpf/bpf.h>
#include <linux/if_link.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "error.h"

namespace stf {

namespace {

bool g_verbose = false;

int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN || g_verbose ? vfprintf(stderr, fmt, args) : 0;
}

int libbpf_silent(enum libbpf_print_level, const char *, va_list) { return 0; }

} // namespace

void quiet_libbpf()
{
	static bool done = false;
	if (!done) {
		libbpf_set_print(libbpf_print);
		done = true;
	}
}

void verbose_libbpf()
{
	g_verbose = true;
	libbpf_set_print(libbpf_print);
}

bool libbpf_verbose() { return g_verbose; }

// Verbose: even the probes' expected failures are shown, which is what -v is for.
SilentLibbpf::SilentLibbpf() : prev_(libbpf_set_print(g_verbose ? libbpf_print : libbpf_silent)) {}
SilentLibbpf::~SilentLibbpf() { libbpf_set_print(prev_); }

__u32 xdp_flags(XdpMode mode)
{
	return mode == XdpMode::native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

void remove_own_xdp(uint32_t ifindex, int prog_fd, XdpMode mode, const std::string &ctx)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = prog_fd);
	int err = bpf_xdp_detach(static_cast<int>(ifindex), XDP_FLAGS_REPLACE | xdp_flags(mode), &o);
	if (err)
		sys_error(ctx + ": remove XDP program", err);
}

XdpState query_xdp(uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err = bpf_xdp_query(static_cast<int>(ifindex), 0, &q);
	if (err)
		sys_error("query XDP on ifindex " + std::to_string(ifindex), err);
	XdpState st;
	if (q.attach_mode == XDP_ATTACHED_DRV) {
		st.prog_id = q.drv_prog_id ? q.drv_prog_id : q.prog_id;
		st.mode = XdpMode::native;
	} else if (q.attach_mode == XDP_ATTACHED_SKB) {
		st.prog_id = q.skb_prog_id ? q.skb_prog_id : q.prog_id;
		st.mode = XdpMode::generic;
	} else if (q.attach_mode != XDP_ATTACHED_NONE) {
		st.prog_id = q.prog_id; // offloaded or several modes: not ours
	}
	return st;
}

ProgInfo prog_info(__u32 prog_id)
{
	Fd fd(bpf_prog_get_fd_by_id(prog_id));
	if (fd.get() < 0)
		sys_error("open BPF program " + std::to_string(prog_id), errno);
	bpf_prog_info info{};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd.get(), &info, &len))
		sys_error("read BPF program " + std::to_string(prog_id), errno);
	std::vector<__u32> ids(info.nr_map_ids);
	bpf_prog_info again{};
	again.nr_map_ids = static_cast<__u32>(ids.size());
	again.map_ids = reinterpret_cast<__u64>(ids.data());
	len = sizeof(again);
	if (!ids.empty() && bpf_obj_get_info_by_fd(fd.get(), &again, &len))
		sys_error("read maps of BPF program " + std::to_string(prog_id), errno);
	ids.resize(std::min<size_t>(ids.size(), again.nr_map_ids));
	return ProgInfo{info.name, ids};
}

void bind_maps(bpf_object *obj, const std::vector<__u32> &map_ids)
{
	bpf_map *map;
	bpf_object__for_each_map(map, obj)
	{
		for (__u32 id : map_ids) {
			Fd fd(bpf_map_get_fd_by_id(id));
			if (fd.get() < 0)
				continue;
			bpf_map_info info{};
			__u32 len = sizeof(info);
			if (bpf_obj_get_info_by_fd(fd.get(), &info, &len))
				continue;
			if (strcmp(info.name, bpf_map__name(map)) != 0)
				continue;
			if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
			    info.value_size != bpf_map__value_size(map))
				throw Error(Exit::failure,
					    std::string("map ") + info.name +
						    " of the running dataplane has another layout; "
						    "detach with the stf-xdp version that attached it");
			// An array's size is its layout too: a running dataplane from before a counter
			// was added has a smaller counter map, and its program knows none of the
			// newer switches (STF_F_FAST_PATH), so adopting it would mislead.
			if (info.type != BPF_MAP_TYPE_LPM_TRIE &&
			    info.max_entries != bpf_map__max_entries(map))
				throw Error(Exit::failure,
					    std::string("map ") + info.name + " of the running dataplane has " +
						    std::to_string(info.max_entries) + " entries, this version " +
						    std::to_string(bpf_map__max_entries(map)) +
						    "; detach with the stf-xdp version that attached it");
			int err = bpf_map__reuse_fd(map, fd.get());
			if (err)
				sys_error(std::string("bind map ") + info.name, err);
			break;
		}
	}
}

} // namespace stf
