// Finding a running dataplane again from the kernel alone: the tunnel device stf<ifindex>
// of an interface, its tc program (our encapsulator?), the interface's XDP program (ours, if
// it shares the encapsulator's maps; in libxdp's dispatcher, the dispatcher's program of our
// name, from libxdp's pins in bpffs), and the maps, bound into a fresh skeleton. Also the
// leftovers of a killed attach or detach, which are not attachments.
#include "dataplane.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include <algorithm>

#include "bpf_kernel.h"
#include "dataplane_impl.h"
#include "error.h"
#include "netlink.h"
#include "stf.skel.h"
#include "xdp_dispatcher.h"

namespace stf {

using namespace impl;

namespace {

// The program on ifindex's XDP hook that may be our decapsulator: the hook's program itself,
// or, when that is libxdp's dispatcher, its program named stf_decap (read from libxdp's pins;
// 0 if it runs none). Whether it is ours (shares our maps) is the caller's check.
uint32_t decap_candidate(uint32_t ifindex, const XdpState &x)
{
	if (!x.prog_id || !dispatcher::is_dispatcher(x.prog_id))
		return x.prog_id;
	return dispatcher::component(ifindex, "stf_decap");
}

} // namespace

std::optional<Dataplane> Dataplane::find(const std::string &ifname)
{
	quiet_libbpf();
	uint32_t ifindex = netlink::link_index(ifname);
	if (!ifindex)
		throw Error(Exit::no_interface, "no such interface: " + ifname);
	uint32_t tun_ifindex = netlink::link_index(tunnel_name(ifindex));
	if (!tun_ifindex)
		return std::nullopt;
	return bind(ifname, ifindex, tun_ifindex);
}

std::optional<Dataplane> Dataplane::bind(const std::string &ifname, uint32_t ifindex,
					 uint32_t tun_ifindex)
{
	const std::string tun = netlink::link_name(tun_ifindex);
	Dataplane dp;
	dp.ifname_ = ifname;
	dp.ifindex_ = ifindex;
	dp.tun_ifindex_ = tun_ifindex;
	dp.skel_ = Skeleton(stf_bpf__open());
	if (!dp.skel_.get())
		sys_error("open BPF skeleton", errno);

	// Half made or half removed (a killed attach or detach): a leftover, not an attachment.
	if (ends_with(netlink::link_alias(tun_ifindex), kIncomplete))
		return std::nullopt;
	// A device of that name without our encapsulator is someone else's: not attached.
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(tun_ifindex),
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc, .handle = kTcHandle, .priority = kTcPriority);
	int err;
	{
		SilentLibbpf silent;
		err = bpf_tc_query(&hook, &tc);
	}
	if (err)
		return std::nullopt;
	ProgInfo encap = prog_info(tc.prog_id);
	if (encap.name != bpf_program__name(dp.skel_->progs.stf_encap))
		return std::nullopt;
	dp.tc_prog_id_ = tc.prog_id;
	std::vector<__u32> map_ids = encap.map_ids;

	XdpState x = ifindex ? query_xdp(ifindex) : XdpState{};
	const uint32_t decap_id = decap_candidate(ifindex, x);
	if (decap_id) {
		ProgInfo decap = prog_info(decap_id);
		// Ours only if it is our decapsulator and shares this attachment's maps.
		bool shares = std::find_first_of(decap.map_ids.begin(), decap.map_ids.end(),
						 encap.map_ids.begin(), encap.map_ids.end()) !=
			      decap.map_ids.end();
		if (decap.name == bpf_program__name(dp.skel_->progs.stf_decap) && shares) {
			dp.xdp_prog_id_ = decap_id;
			dp.xdp_dispatcher_id_ = decap_id != x.prog_id ? x.prog_id : 0;
			dp.xdp_mode_ = x.mode;
			map_ids.insert(map_ids.end(), decap.map_ids.begin(), decap.map_ids.end());
		}
	}
	// The LAN side's programs carry stf_lan_v1, which neither of the others uses.
	dp.lan_ = find_lan_hooks(encap.map_ids, map_ids);
	bind_maps(dp.skel_->obj, map_ids);
	dp.maps_ = make_store(dp.skel_.get());
	if (bpf_map__fd(dp.skel_->maps.stf_config_v2) < 0 ||
	    bpf_map__fd(dp.skel_->maps.stf_cfgsel_v1) < 0 ||
	    bpf_map__fd(dp.skel_->maps.stf_counters_v1) < 0)
		throw Error(Exit::failure, "the dataplane on " + ifname + " lacks its maps");
	return dp;
}

Fd Dataplane::test_run_program()
{
	if (!xdp_prog_id_)
		return Fd();
	if (xdp_dispatcher_id_)
		return dispatcher::load_test_run_copy(skel_.get());
	return Fd(bpf_prog_get_fd_by_id(xdp_prog_id_));
}

int Dataplane::counters_fd() const { return bpf_map__fd(skel_->maps.stf_counters_v1); }

MonitorMaps Dataplane::monitor_maps() const
{
	return MonitorMaps{bpf_map__fd(skel_->maps.stf_monitor_v1),
			   bpf_map__fd(skel_->maps.stf_evrate_v1),
			   bpf_map__fd(skel_->maps.stf_events_v1)};
}

std::vector<Dataplane> Dataplane::find_all()
{
	struct if_nameindex *list = if_nameindex();
	if (!list)
		sys_error("list interfaces", errno);
	std::vector<std::pair<std::string, uint32_t>> links;
	for (auto *i = list; i->if_index; i++)
		links.emplace_back(i->if_name, i->if_index);
	if_freenameindex(list);

	std::vector<Dataplane> out;
	for (const auto &[name, index] : links) {
		uint32_t parent = tunnel_ifindex_in_name(name);
		if (parent && netlink::link_name(parent).empty()) {
			std::string alias = netlink::link_alias(index);
			if (alias.rfind(kAliasPrefix, 0) == 0 && !ends_with(alias, kIncomplete))
				if (auto dp = bind(alias.substr(kAliasPrefix.size()), 0, index))
					out.push_back(std::move(*dp));
		} else if (uint32_t tun = netlink::link_index(tunnel_name(index))) {
			if (auto dp = bind(name, index, tun))
				out.push_back(std::move(*dp));
		}
	}
	return out;
}

bool Dataplane::remove_incomplete(const std::string &ifname)
{
	quiet_libbpf();
	const uint32_t ifindex = netlink::link_index(ifname);
	const uint32_t tun = ifindex ? netlink::link_index(tunnel_name(ifindex)) : 0;
	if (!tun || netlink::link_alias(tun) != kAliasPrefix + ifname + kIncomplete)
		return false;
	// Our XDP program is the decapsulator that shares maps with this tunnel's encapsulator;
	// anything else on the interface is someone else's and stays.
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(tun), .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc, .handle = kTcHandle, .priority = kTcPriority);
	int err;
	{
		SilentLibbpf silent;
		err = bpf_tc_query(&hook, &tc);
	}
	XdpState x = query_xdp(ifindex);
	const uint32_t decap_id = decap_candidate(ifindex, x);
	if (!err && decap_id) {
		ProgInfo encap = prog_info(tc.prog_id), decap = prog_info(decap_id);
		bool shares = std::find_first_of(decap.map_ids.begin(), decap.map_ids.end(),
						 encap.map_ids.begin(), encap.map_ids.end()) !=
			      decap.map_ids.end();
		const std::string ctx = "remove the incomplete attachment of " + ifname;
		if (shares && decap.name == "stf_decap" && decap_id != x.prog_id) {
			dispatcher::detach_decap(ifindex, decap_id, ctx);
		} else if (shares && decap.name == "stf_decap") {
			Fd prog(bpf_prog_get_fd_by_id(x.prog_id));
			remove_own_xdp(ifindex, prog.get(), x.mode.value_or(XdpMode::native), ctx);
		}
	}
	if (!err) {
		std::vector<__u32> unused;
		detach_lan(find_lan_hooks(prog_info(tc.prog_id).map_ids, unused),
			   "remove the incomplete attachment of " + ifname);
	}
	netlink::delete_link(tun);
	return true;
}

std::optional<Dataplane> Dataplane::find_orphan(const std::string &ifname)
{
	quiet_libbpf();
	for (Dataplane &dp : find_all())
		if (dp.ifindex_ == 0 && dp.ifname_ == ifname)
			return std::move(dp);
	return std::nullopt;
}

} // namespace stf
