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
#include "error.h"
#include "ifdev.h"
#include "kill_point.h"
#include "netlink.h"
#include "state.h"
#include "stf.skel.h"
#include "stf/addr_class.h"
#include "sysctl.h"

namespace stf {

namespace {

// Our tc filter on the tunnel device. The device is ours alone, so fixed values are safe and
// let a later invocation find the filter with bpf_tc_query.
constexpr __u32 kTcHandle = 1;
constexpr __u32 kTcPriority = 1;
constexpr unsigned kIpv6MinMtu = 1280;   // RFC 8200
constexpr unsigned kRoute6toMetric = 1024;
constexpr unsigned kRouteRelayMetric = 2048; // behind any native default route
// The tunnel's IFLA_IFALIAS names its interface, so the tunnel can be found (and removed)
// even after the interface, and with it the ifindex in the tunnel's name, is gone.
const std::string kAliasPrefix = "stf-xdp tunnel of ";
// Until attach has finished, and from the moment detach starts, the alias carries this mark:
// a process killed in between leaves a device the next invocation recognises as a leftover
// to remove, never as an attachment (the kernel state is the only state there is).
const std::string kIncomplete = " (incomplete)";

bool ends_with(const std::string &s, const std::string &tail)
{
	return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// ifindex N if name is exactly "stf<N>" (a tunnel, not its peer), else 0.
uint32_t tunnel_ifindex_in_name(const std::string &name)
{
	if (name.size() < 4 || name.compare(0, 3, "stf") != 0)
		return 0;
	if (name.find_first_not_of("0123456789", 3) != std::string::npos)
		return 0;
	return static_cast<uint32_t>(std::stoul(name.substr(3)));
}

// 2002::/16 (and ::/0) into the tunnel. A route that exists already belongs to another
// tunnel of this namespace: which one should carry 6to4 would be ambiguous.
void add_tunnel_route(const uint8_t (&prefix)[16], uint8_t len, uint32_t tun, unsigned mtu,
		      unsigned metric, const std::string &ctx)
{
	try {
		netlink::add_route6(prefix, len, tun, mtu, metric);
	} catch (const Error &e) {
		if (e.sys_errno() != EEXIST)
			throw;
		throw Error(Exit::already_attached,
			    ctx + ": " + (len ? "2002::/16" : "::/0 at metric 2048") +
				    " is already routed in this network namespace (another "
				    "stf-xdp attachment or tunnel); one attachment per namespace");
	}
}

// Undoes one attach step unless the attach as a whole succeeded (commit()).
class Rollback {
public:
	template <typename F> void add(F undo) { undo_.emplace_back(std::move(undo)); }
	void commit() { undo_.clear(); }
	~Rollback()
	{
		for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
			try {
				(*it)();
			} catch (const std::exception &e) {
				fprintf(stderr, "stf-xdp: rollback: %s\n", e.what());
			}
		}
	}

private:
	std::vector<std::function<void()>> undo_;
};

// Broadcasts that the constant ranges do not already reject (lo's 127.255.255.255 is
// loopback anyway): each entry costs a compare per packet.
std::vector<uint32_t> subnet_broadcasts()
{
	std::vector<uint32_t> out;
	for (const auto &a : netlink::ipv4_addresses()) {
		auto b = subnet_broadcast(a.addr, a.prefixlen);
		if (b && stf_addr4_class(*b, true) == STF_ADDR_OK &&
		    std::find(out.begin(), out.end(), *b) == out.end())
			out.push_back(*b);
	}
	return out;
}

std::unique_ptr<MapStore> make_store(stf_bpf *skel)
{
	return std::make_unique<BpfMapStore>(bpf_map__fd(skel->maps.stf_config_v2),
					     bpf_map__fd(skel->maps.stf_cfgsel_v1),
					     bpf_map__fd(skel->maps.stf_counters_v1),
					     std::array<int, 4>{bpf_map__fd(skel->maps.stf_allow_v1),
								bpf_map__fd(skel->maps.stf_deny_v1),
								bpf_map__fd(skel->maps.stf_relays_v1),
								bpf_map__fd(skel->maps.stf_except_v1)});
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
	case AttachStep::decap_hooked: return "decap_hooked";
	}
	return "?";
}

std::string tunnel_name(uint32_t ifindex) { return "stf" + std::to_string(ifindex); }
std::string tunnel_peer_name(uint32_t ifindex) { return tunnel_name(ifindex) + "p"; }

Dataplane::Dataplane(Dataplane &&) noexcept = default;
Dataplane &Dataplane::operator=(Dataplane &&) noexcept = default;
Dataplane::~Dataplane() = default;

Dataplane Dataplane::attach(const AttachOptions &opts, const AttachStepHook &after_step)
{
	quiet_libbpf();
	auto done = [&after_step](AttachStep s) {
		if (after_step)
			after_step(s);
		kill_point(attach_step_name(s));
	};
	const std::string ctx = "attach " + opts.ifname;
	uint32_t ifindex = netlink::link_index(opts.ifname);
	if (!ifindex)
		throw Error(Exit::no_interface, "no such interface: " + opts.ifname);
	const std::string tun = tunnel_name(ifindex);
	remove_incomplete(opts.ifname); // a killed attach or detach: finish removing it
	if (netlink::link_index(tun) || netlink::link_index(tunnel_peer_name(ifindex)))
		throw Error(Exit::already_attached,
			    ctx + ": device " + tun + " or " + tunnel_peer_name(ifindex) +
				    " exists and is not a working stf-xdp tunnel; remove it first");
	const bool decap = opts.mode != Mode::return_relay;
	if (decap) {
		XdpState x = query_xdp(ifindex);
		if (x.prog_id)
			throw Error(Exit::already_attached,
				    ctx + ": the interface already has an XDP program (id " +
					    std::to_string(x.prog_id) + ")");
	}
	unsigned link_mtu = netlink::link_mtu(ifindex);
	if (link_mtu < kIpv6MinMtu + kTunnelOverheadBytes)
		usage_error(ctx + ": MTU " + std::to_string(link_mtu) +
			    " leaves a tunnel MTU below IPv6's minimum of 1280");
	const unsigned tun_mtu = link_mtu - kTunnelOverheadBytes;
	// Addresses merge_options cannot judge without the kernel: a connected subnet's
	// broadcast is dropped by the dataplane both ways, so as a V4ADDR or relay it is a
	// mistake to report now, not a silence to debug later.
	const std::vector<uint32_t> bcasts = subnet_broadcasts();
	auto is_bcast = [&bcasts](uint32_t a) {
		return std::find(bcasts.begin(), bcasts.end(), a) != bcasts.end();
	};
	for (uint32_t a : opts.locals)
		if (is_bcast(a))
			usage_error("local address " + format_ipv4(a) +
				    " is the broadcast address of a connected subnet");
	if (opts.relay && is_bcast(*opts.relay))
		usage_error("relay " + format_ipv4(*opts.relay) +
			    " is the broadcast address of a connected subnet");

	Dataplane dp;
	dp.ifname_ = opts.ifname;
	dp.ifindex_ = ifindex;
	dp.skel_ = Skeleton(stf_bpf__open_and_load());
	if (!dp.skel_.get())
		sys_error(ctx + ": load BPF programs", errno);
	dp.maps_ = make_store(dp.skel_.get());

	// Declared after dp: the undo steps run while dp's skeleton (its program fds) still exists.
	Rollback rollback;
	netlink::create_veth(tun, tunnel_peer_name(ifindex), tun_mtu,
			     kAliasPrefix + opts.ifname + kIncomplete);
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
	// No undo of its own: the filter and clsact go with the tunnel device.
	done(AttachStep::encap_hooked);

	netlink::set_link_up(peer_ifindex);
	netlink::set_link_up(tun_ifindex);
	done(AttachStep::links_up);
	// Routes through the tunnel go with the device as well.
	static const uint8_t six_to_four[16] = {0x20, 0x02};
	static const uint8_t any[16] = {};
	add_tunnel_route(six_to_four, 16, tun_ifindex, tun_mtu, kRoute6toMetric, ctx);
	done(AttachStep::route_6to4);
	if (opts.relay) {
		add_tunnel_route(any, 0, tun_ifindex, tun_mtu, kRouteRelayMetric, ctx);
		done(AttachStep::route_default);
	}

	// Decapsulation last: from here on packets arrive.
	if (decap) {
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
	netlink::set_link_alias(tun_ifindex, kAliasPrefix + opts.ifname);
	rollback.commit();
	return dp;
}

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
	if (x.prog_id) {
		ProgInfo decap = prog_info(x.prog_id);
		// Ours only if it is our decapsulator and shares this attachment's maps.
		bool shares = std::find_first_of(decap.map_ids.begin(), decap.map_ids.end(),
						 encap.map_ids.begin(), encap.map_ids.end()) !=
			      decap.map_ids.end();
		if (decap.name == bpf_program__name(dp.skel_->progs.stf_decap) && shares) {
			dp.xdp_prog_id_ = x.prog_id;
			dp.xdp_mode_ = x.mode;
			map_ids.insert(map_ids.end(), decap.map_ids.begin(), decap.map_ids.end());
		}
	}
	bind_maps(dp.skel_->obj, map_ids);
	dp.maps_ = make_store(dp.skel_.get());
	if (bpf_map__fd(dp.skel_->maps.stf_config_v2) < 0 ||
	    bpf_map__fd(dp.skel_->maps.stf_cfgsel_v1) < 0 ||
	    bpf_map__fd(dp.skel_->maps.stf_counters_v1) < 0)
		throw Error(Exit::failure, "the dataplane on " + ifname + " lacks its maps");
	return dp;
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
	if (!err && x.prog_id) {
		ProgInfo encap = prog_info(tc.prog_id), decap = prog_info(x.prog_id);
		bool shares = std::find_first_of(decap.map_ids.begin(), decap.map_ids.end(),
						 encap.map_ids.begin(), encap.map_ids.end()) !=
			      decap.map_ids.end();
		if (shares && decap.name == "stf_decap") {
			Fd prog(bpf_prog_get_fd_by_id(x.prog_id));
			remove_own_xdp(ifindex, prog.get(), x.mode.value_or(XdpMode::native),
				       "remove the incomplete attachment of " + ifname);
		}
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

void Dataplane::detach()
{
	// First mark it: killed from here on, what is left is removed by the next invocation.
	netlink::set_link_alias(tun_ifindex_, kAliasPrefix + ifname_ + kIncomplete);
	kill_point("detach_marked");
	if (xdp_prog_id_) {
		Fd prog(bpf_prog_get_fd_by_id(xdp_prog_id_));
		remove_own_xdp(ifindex_, prog.get(), xdp_mode_.value_or(XdpMode::native),
			       "detach " + ifname_);
		xdp_prog_id_ = 0;
		kill_point("detach_xdp_removed");
	}
	// The tc filter, the clsact qdisc, the routes and the peer all go with the device.
	netlink::delete_link(tun_ifindex_);
	tun_ifindex_ = 0;
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
	i.link_mtu = ifindex_ ? netlink::link_mtu(ifindex_) : 0;
	i.mode = static_cast<Mode>(cfg.mode);
	i.locals = config_locals(cfg);
	if (cfg.relay)
		i.relay = ntohl(cfg.relay);
	i.ttl = cfg.ttl;
	i.permit_private = cfg.flags & STF_F_PERMIT_PRIVATE;
	i.ingress_filter = cfg.flags & STF_F_INGRESS_FILTER;
	i.loop_guard = cfg.flags & STF_F_LOOP_GUARD;
	i.xdp_mode = xdp_prog_id_ ? xdp_mode_ : std::nullopt;
	i.xdp_prog_id = xdp_prog_id_;
	i.tc_prog_id = tc_prog_id_;
	for (unsigned k = 0; k < cfg.n_bcast && k < STF_MAX_BCAST; k++)
		i.broadcasts.push_back(ntohl(cfg.bcast[k]));
	for (FilterKind k : kFilterKinds)
		filter_list(i, k) = filter_entries(*maps_, k);
	return i;
}

} // namespace stf
