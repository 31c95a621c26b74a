#include "dataplane.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "bpf_kernel.h"
#include "dataplane_impl.h"
#include "error.h"
#include "ifdev.h"
#include "kill_point.h"
#include "netlink.h"
#include "rollback.h"
#include "rules.h"
#include "slowpath.h"
#include "state.h"
#include "stf.skel.h"
#include "sysctl.h"
#include "xdp_dispatcher.h"

namespace stf {

using namespace impl;

namespace {

constexpr unsigned kPeerLinkMtu = 65535; // a veth's largest
// 2002::/16 (and ::/0) into the tunnel. A route that exists already belongs to another
// tunnel of this namespace: which one should carry 6to4 would be ambiguous.
void add_tunnel_route(const uint8_t (&prefix)[16], uint8_t len, uint32_t tun, unsigned mtu,
		      unsigned metric, const std::string &ctx)
{
	try {
		netlink::add_route6(prefix, len, tun, mtu, metric, false, kTunnelGateway);
	} catch (const Error &e) {
		if (e.sys_errno() != EEXIST)
			throw;
		throw Error(Exit::already_attached,
			    ctx + ": " + (len ? "2002::/16" : "::/0 at metric 2048") +
				    " is already routed in this network namespace (another "
				    "stf-xdp attachment or tunnel); one attachment per namespace");
	}
}

} // namespace

Skeleton::~Skeleton()
{
	if (skel_)
		stf_bpf__destroy(skel_);
}

Skeleton::Skeleton(Skeleton &&o) noexcept : skel_(o.skel_) { o.skel_ = nullptr; }

Skeleton &Skeleton::operator=(Skeleton &&o) noexcept
{
	if (this != &o) {
		if (skel_)
			stf_bpf__destroy(skel_);
		skel_ = o.skel_;
		o.skel_ = nullptr;
	}
	return *this;
}

const char *attach_step_name(AttachStep s)
{
	switch (s) {
	case AttachStep::tunnel_created: return "tunnel_created";
	case AttachStep::maps_written: return "maps_written";
	case AttachStep::encap_hooked: return "encap_hooked";
	case AttachStep::links_up: return "links_up";
	case AttachStep::route_6to4: return "route_6to4";
	case AttachStep::route_default: return "route_default";
	case AttachStep::lan_hooked: return "lan_hooked";
	case AttachStep::decap_hooked: return "decap_hooked";
	}
	return "?";
}

Dataplane::Dataplane(Dataplane &&) noexcept = default;
Dataplane &Dataplane::operator=(Dataplane &&) noexcept = default;
Dataplane::~Dataplane() = default;

Dataplane Dataplane::attach(const AttachOptions &opts, const AttachStepHook &after_step)
{
	return attach(opts, plan_attach(opts, netlink::read_snapshot()), after_step);
}

Dataplane Dataplane::attach(const AttachOptions &opts, const AttachPlan &plan,
			    const AttachStepHook &after_step)
{
	quiet_libbpf();
	auto done = [&after_step](AttachStep s) {
		if (after_step)
			after_step(s);
		kill_point(attach_step_name(s));
	};
	const std::string ctx = "attach " + opts.ifname;
	// The plan has made every check its snapshot allows (plan_attach).
	const uint32_t ifindex = plan.ifindex;
	const std::string tun = plan.tunnel;
	const bool decap = opts.mode != Mode::return_relay;
	if (plan.remove_leftover) // a killed attach or detach: finish removing it
		remove_incomplete(opts.ifname);
	// Once a leftover is gone (its own XDP program with it), the hook must be free, or be
	// libxdp's dispatcher when asked to join one (ctl/xdp_dispatcher.h).
	if (decap)
		dispatcher::check_hook(ifindex, opts.xdp_dispatcher, opts.xdp_mode, ctx);
	const unsigned tun_mtu = plan.tunnel_mtu;
	const std::vector<uint32_t> &bcasts = plan.broadcasts;

	Dataplane dp;
	dp.ifname_ = opts.ifname;
	dp.ifindex_ = ifindex;
	dp.skel_ = Skeleton(stf_bpf__open_and_load());
	if (!dp.skel_.get())
		sys_error(ctx + ": load BPF programs", errno);
	dp.maps_ = make_store(dp.skel_.get());

	// Declared after dp: the undo steps run while dp's skeleton (its program fds) still exists.
	Rollback rollback;
	// The peer's MTU is the largest so the slow path can transmit on it whatever it
	// reassembled (bpf/inject.bpf.c); the peer sends nothing else of its own.
	netlink::create_veth(tun, tunnel_peer_name(ifindex), tun_mtu, kPeerLinkMtu,
			     tunnel_alias(opts.ifname, false));
	uint32_t tun_ifindex = netlink::link_index(tun);
	rollback.add([tun_ifindex] { netlink::delete_link(tun_ifindex); });
	dp.tun_ifindex_ = tun_ifindex;
	// Both programs look up the FIB from the tunnel device (bpf/lib/fib.h), which the
	// helper allows only with IPv4 forwarding on there. The device carries no IPv4.
	set_ipv4_forwarding(tun, true);
	// Decapsulated frames are redirected into the peer and received on the tunnel device
	// (bpf/decap.bpf.c), addressed to its MAC; a veth takes XDP-redirected frames only with
	// its NAPI on, which GRO turns on.
	set_gro(tun, true);
	disable_ipv6(tunnel_peer_name(ifindex));
	const uint32_t peer_ifindex = netlink::link_index(tunnel_peer_name(ifindex));
	done(AttachStep::tunnel_created);

	// Configuration before hooks: no packet ever meets an unconfigured program.
	stf_config cfg = build_config(opts, ifindex, tun_ifindex, bcasts);
	cfg.tun_peer_ifindex = peer_ifindex;
	const Mac tun_mac = link_mac(tun);
	std::memcpy(cfg.tun_mac, tun_mac.data(), sizeof(cfg.tun_mac));
	dp.maps_->set_config(cfg);
	for (FilterKind k : kFilterKinds)
		for (const auto &p : filter_list(opts, k))
			filter_add(*dp.maps_, k, p);
	done(AttachStep::maps_written);

	// Encapsulation: tc egress on the tunnel device (clsact via netlink, as on 6.1).
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(tun_ifindex),
		    .attach_point = BPF_TC_EGRESS);
	int err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		sys_error(ctx + ": create clsact on " + tun, err);
	LIBBPF_OPTS(bpf_tc_opts, tc, .prog_fd = bpf_program__fd(dp.skel_->progs.stf_encap),
		    .handle = kTcHandle, .priority = kTcPriority);
	err = bpf_tc_attach(&hook, &tc);
	if (err)
		sys_error(ctx + ": attach tc program to " + tun, err);
	dp.tc_prog_id_ = tc.prog_id;
	// The slow path's way in: what the peer transmits is received on the tunnel device
	// without the veth's receive-side MTU check (bpf/inject.bpf.c).
	LIBBPF_OPTS(bpf_tc_hook, peer_hook, .ifindex = static_cast<int>(peer_ifindex),
		    .attach_point = BPF_TC_EGRESS);
	err = bpf_tc_hook_create(&peer_hook);
	if (err && err != -EEXIST)
		sys_error(ctx + ": create clsact on " + tunnel_peer_name(ifindex), err);
	LIBBPF_OPTS(bpf_tc_opts, inject, .prog_fd = bpf_program__fd(dp.skel_->progs.stf_inject),
		    .handle = kTcHandle, .priority = kTcPriority);
	err = bpf_tc_attach(&peer_hook, &inject);
	if (err)
		sys_error(ctx + ": attach tc program to " + tunnel_peer_name(ifindex), err);
	// No undo of their own: filters and clsact go with the tunnel pair.
	done(AttachStep::encap_hooked);

	netlink::set_link_up(peer_ifindex);
	netlink::set_link_up(tun_ifindex);
	done(AttachStep::links_up);
	// Routes through the tunnel go with the device as well.
	static const uint8_t six_to_four[16] = {0x20, 0x02};
	static const uint8_t any[16] = {};
	add_tunnel_route(six_to_four, 16, tun_ifindex, tun_mtu, kRoute6to4Metric, ctx);
	done(AttachStep::route_6to4);
	if (opts.relay) {
		add_tunnel_route(any, 0, tun_ifindex, tun_mtu, kRouteRelayMetric, ctx);
		done(AttachStep::route_default);
	}

	// The LAN side once the routes it looks up are there; before decapsulation, so the
	// replies to what arrives from the tunnel find it in place.
	if (!plan.lan.empty()) {
		dp.lan_ = attach_lan(dp.skel_.get(), plan.lan, opts.xdp_mode, rollback, ctx);
		done(AttachStep::lan_hooked);
	}

	// Decapsulation last: from here on packets arrive.
	if (decap && opts.xdp_dispatcher) {
		const uint32_t id = dispatcher::attach_decap(dp.skel_.get(), ifindex, opts.xdp_mode, ctx);
		rollback.add([ifindex, id, ctx] { dispatcher::detach_decap(ifindex, id, ctx); });
		dp.xdp_prog_id_ = id;
		dp.xdp_dispatcher_id_ = query_xdp(ifindex).prog_id;
		dp.xdp_mode_ = opts.xdp_mode;
		done(AttachStep::decap_hooked);
	} else if (decap) {
		__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST | xdp_flags(opts.xdp_mode);
		err = bpf_xdp_attach(static_cast<int>(ifindex),
				     bpf_program__fd(dp.skel_->progs.stf_decap), flags, nullptr);
		if (err == -EBUSY || err == -EEXIST)
			throw Error(Exit::already_attached,
				    ctx + ": the interface already has an XDP program", -err);
		if (err && opts.xdp_mode == XdpMode::native)
			throw Error(Exit::failure,
				    ctx + ": native XDP failed (driver support?); try --xdp-mode generic",
				    -err);
		if (err)
			sys_error(ctx + ": attach XDP program", err);
		// Unlike the other hooks the XDP program is on the interface, not on the tunnel
		// device: it needs an undo of its own.
		rollback.add([ifindex, ctx, fd = bpf_program__fd(dp.skel_->progs.stf_decap),
			      mode = opts.xdp_mode] { remove_own_xdp(ifindex, fd, mode, ctx); });
		XdpState x = query_xdp(ifindex);
		dp.xdp_prog_id_ = x.prog_id;
		dp.xdp_mode_ = opts.xdp_mode;
		done(AttachStep::decap_hooked);
	}
	// The one change that makes it an attachment, after which a kill leaves the new state.
	netlink::set_link_alias(tun_ifindex, tunnel_alias(opts.ifname, true));
	rollback.commit();
	return dp;
}

void Dataplane::detach()
{
	// First mark it: killed from here on, what is left is removed by the next invocation.
	const bool had_xdp = xdp_prog_id_ != 0;
	netlink::set_link_alias(tun_ifindex_, tunnel_alias(ifname_, false));
	{
		// Until the XDP program is gone, a failure leaves the attachment as it was; after,
		// the mark stays and the next invocation removes what is left.
		Rollback unmark;
		unmark.add([this] { netlink::set_link_alias(tun_ifindex_, tunnel_alias(ifname_, true)); });
		kill_point("detach_marked");
		if (xdp_prog_id_) {
			if (xdp_dispatcher_id_) {
				dispatcher::detach_decap(ifindex_, xdp_prog_id_, "detach " + ifname_);
			} else {
				Fd prog(bpf_prog_get_fd_by_id(xdp_prog_id_));
				remove_own_xdp(ifindex_, prog.get(),
					       xdp_mode_.value_or(XdpMode::native), "detach " + ifname_);
			}
			xdp_prog_id_ = 0;
		}
		unmark.commit();
	}
	if (had_xdp)
		kill_point("detach_xdp_removed");
	// Past the mark: a failure here leaves a leftover the next invocation removes, LAN
	// programs included (remove_incomplete).
	detach_lan(lan_, "detach " + ifname_);
	lan_.clear();
	// The tc filter, the clsact qdisc, the routes and the peer all go with the device.
	netlink::delete_link(tun_ifindex_);
	tun_ifindex_ = 0;
}

std::vector<std::string> Dataplane::follow_host()
{
	std::vector<std::string> changed;
	if (!ifindex_ || !tun_ifindex_)
		return changed;
	stf_config cfg = maps_->config();
	const unsigned link = netlink::link_mtu(ifindex_), now = netlink::link_mtu(tun_ifindex_);
	const std::optional<unsigned> fits = tunnel_mtu_for(link);
	if (fits && *fits != now) {
		const unsigned want = *fits;
		// The device and the routes through it: the routes' MTU is what Packet Too Big says.
		netlink::set_link_mtu(tun_ifindex_, want);
		static const uint8_t six_to_four[16] = {0x20, 0x02};
		static const uint8_t any[16] = {};
		netlink::add_route6(six_to_four, 16, tun_ifindex_, want, kRoute6to4Metric, true,
				    kTunnelGateway);
		if (cfg.relay)
			netlink::add_route6(any, 0, tun_ifindex_, want, kRouteRelayMetric, true,
					    kTunnelGateway);
		changed.push_back("tunnel mtu " + std::to_string(now) + " -> " + std::to_string(want));
	} else if (!fits && link) {
		changed.push_back("link mtu " + std::to_string(link) + " leaves a tunnel MTU below " +
				  std::to_string(kIpv6MinMtu) + ": tunnel mtu left at " +
				  std::to_string(now));
	}
	const std::vector<uint32_t> bcasts = netlink::read_snapshot().subnet_broadcasts();
	std::vector<uint32_t> had;
	for (unsigned k = 0; k < cfg.n_bcast && k < STF_MAX_BCAST; k++)
		had.push_back(ntohl(cfg.bcast[k]));
	const size_t n = std::min<size_t>(bcasts.size(), STF_MAX_BCAST);
	if (std::vector<uint32_t>(bcasts.begin(), bcasts.begin() + static_cast<long>(n)) != had) {
		for (size_t k = 0; k < STF_MAX_BCAST; k++)
			cfg.bcast[k] = k < n ? htonl(bcasts[k]) : 0;
		cfg.n_bcast = static_cast<__u8>(n);
		maps_->set_config(cfg);
		changed.push_back("subnet broadcasts refused as peers: " + std::to_string(had.size()) +
				  " -> " + std::to_string(n));
	}
	return changed;
}

AttachmentInfo Dataplane::info() const
{
	stf_config cfg = maps_->config();
	AttachmentInfo i;
	i.ifname = ifname_;
	i.ifindex = ifindex_;
	i.tunnel = netlink::link_name(tun_ifindex_);
	i.tun_ifindex = tun_ifindex_;
	i.tunnel_mtu = netlink::link_mtu(tun_ifindex_);
	i.tunnel_forwarding = !i.tunnel.empty() && ipv4_forwarding(i.tunnel);
	i.link_mtu = ifindex_ ? netlink::link_mtu(ifindex_) : 0;
	i.mode = static_cast<Mode>(cfg.mode);
	i.locals = config_locals(cfg);
	if (cfg.relay)
		i.relay = ntohl(cfg.relay);
	i.ttl = cfg.ttl;
	i.permit_private = cfg.flags & STF_F_PERMIT_PRIVATE;
	i.ingress_filter = cfg.flags & STF_F_INGRESS_FILTER;
	i.loop_guard = cfg.flags & STF_F_LOOP_GUARD;
	i.fast_path = cfg.flags & STF_F_FAST_PATH;
	i.lan = lan_info(bpf_map__fd(skel_->maps.stf_lan_v1), lan_);
	i.xdp_mode = xdp_prog_id_ ? xdp_mode_ : std::nullopt;
	i.xdp_prog_id = xdp_prog_id_;
	i.xdp_dispatcher_id = xdp_prog_id_ ? xdp_dispatcher_id_ : 0;
	if (xdp_prog_id_)
		i.slow_path = slowpath_running();
	i.tc_prog_id = tc_prog_id_;
	for (unsigned k = 0; k < cfg.n_bcast && k < STF_MAX_BCAST; k++)
		i.broadcasts.push_back(ntohl(cfg.bcast[k]));
	for (FilterKind k : kFilterKinds)
		filter_list(i, k) = filter_entries(*maps_, k);
	return i;
}

} // namespace stf
