#include "attach_plan.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "error.h"
#include "rules.h"

namespace stf {

namespace {

const std::array<uint8_t, 16> k6to4Prefix = {0x20, 0x02};
const std::array<uint8_t, 16> kAnyPrefix = {};

std::string join(const std::vector<std::string> &v)
{
	std::string out;
	for (const std::string &s : v)
		out += (out.empty() ? "" : ", ") + s;
	return out;
}

std::string route6_text(const Route6State &r)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, r.dst.data(), buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(r.len);
}

} // namespace

std::string tunnel_name(uint32_t ifindex) { return "stf" + std::to_string(ifindex); }
std::string tunnel_peer_name(uint32_t ifindex) { return tunnel_name(ifindex) + "p"; }

std::string tunnel_alias(const std::string &ifname, bool complete)
{
	return kAliasPrefix + ifname + (complete ? "" : kIncomplete);
}

const LinkState &validate_attach(const AttachOptions &opts, const HostSnapshot &snap)
{
	const LinkState *link = snap.link(opts.ifname);
	if (!link)
		throw Error(Exit::no_interface, "no such interface: " + opts.ifname);
	require_tunnel_mtu(link->mtu, "attach " + opts.ifname);
	require_no_broadcast(opts.locals, opts.relay, snap.subnet_broadcasts());
	return *link;
}

AttachPlan plan_attach(const AttachOptions &opts, const HostSnapshot &snap)
{
	const std::string ctx = "attach " + opts.ifname;
	const LinkState &link = validate_attach(opts, snap);
	AttachPlan p;
	p.ifname = opts.ifname;
	p.ifindex = link.index;
	p.tunnel = tunnel_name(link.index);
	p.peer = tunnel_peer_name(link.index);
	p.tunnel_mtu = *tunnel_mtu_for(link.mtu);
	p.broadcasts = snap.subnet_broadcasts();

	const LinkState *tun = snap.link(p.tunnel);
	p.remove_leftover = tun && tun->alias == tunnel_alias(opts.ifname, false);
	if (p.remove_leftover)
		p.steps.push_back("remove " + p.tunnel + ", left incomplete by a killed attach or detach");
	else if (tun || snap.link(p.peer))
		throw Error(Exit::already_attached,
			    ctx + ": device " + p.tunnel + " or " + p.peer +
				    " exists and is not a working stf-xdp tunnel; remove it first");
	const bool decap = opts.mode != Mode::return_relay;
	// The LAN interfaces: each must exist and have a free XDP hook (stf_lan owns it; another
	// program there is someone else's, and replacing it would break their traffic).
	for (const std::string &name : opts.lan) {
		const LinkState *l = snap.link(name);
		if (!l)
			throw Error(Exit::no_interface, ctx + ": no such interface: " + name + " (--lan)");
		if (name == p.tunnel || name == p.peer)
			throw Error(Exit::usage, ctx + ": " + name + " is the tunnel, not a LAN interface");
		if (l->xdp_prog_id)
			throw Error(Exit::already_attached,
				    ctx + ": LAN interface " + name + " already has an XDP program (id " +
					    std::to_string(l->xdp_prog_id) +
					    "); the fast path needs its XDP hook");
		p.lan.push_back(l->index);
	}
	// A leftover's own XDP program goes with it; attach looks again once it is removed.
	// With --xdp-dispatcher a program there may be libxdp's dispatcher to join: attach asks
	// libxdp (dispatcher::check_hook), which the snapshot's netlink dump cannot.
	if (decap && link.xdp_prog_id && !p.remove_leftover && !opts.xdp_dispatcher)
		throw Error(Exit::already_attached,
			    ctx + ": the interface already has an XDP program (id " +
				    std::to_string(link.xdp_prog_id) +
				    "); if it is libxdp's dispatcher, attach with --xdp-dispatcher to "
				    "run beside its programs");
	// A route that exists already belongs to another tunnel of this namespace: which one
	// should carry 6to4 would be ambiguous. Checked here so nothing is made before the
	// refusal; the route step still fails safely if one appears in between. The leftover's
	// routes go with it.
	auto routed = [&](const std::array<uint8_t, 16> &dst, uint8_t len, unsigned metric,
			  const char *what) {
		const Route6State *r = snap.route6(dst, len, metric);
		if (r && !(p.remove_leftover && r->oif == tun->index))
			throw Error(Exit::already_attached,
				    ctx + ": " + what +
					    " is already routed in this network namespace (another "
					    "stf-xdp attachment or tunnel); one attachment per namespace");
	};
	routed(k6to4Prefix, 16, kRoute6to4Metric, "2002::/16");
	if (opts.relay)
		routed(kAnyPrefix, 0, kRouteRelayMetric, "::/0 at metric 2048");

	const std::string mtu = std::to_string(p.tunnel_mtu);
	p.steps.push_back("create " + p.tunnel + " (peer " + p.peer + "), mtu " + mtu);
	std::vector<std::string> cfg = {std::string("mode ") + mode_name(opts.mode),
					"ttl " + std::to_string(opts.ttl)};
	for (uint32_t a : opts.locals)
		cfg.push_back("local " + format_ipv4(a));
	if (opts.relay)
		cfg.push_back("relay " + format_ipv4(*opts.relay));
	p.steps.push_back("config " + join(cfg));
	for (FilterKind k : kFilterKinds)
		for (const Ipv4Prefix &x : filter_list(opts, k))
			p.steps.push_back(std::string("filter ") + filter_kind_name(k) + " +" +
					  format_ipv4_prefix(x));
	p.steps.push_back("encapsulate: tc egress on " + p.tunnel + " and " + p.peer);
	p.steps.push_back("up " + p.tunnel + " and " + p.peer);
	p.steps.push_back("route 2002::/16 into the tunnel (metric " +
			  std::to_string(kRoute6to4Metric) + ", mtu " + mtu + ")");
	if (opts.relay)
		p.steps.push_back("route ::/0 into the tunnel (metric " +
				  std::to_string(kRouteRelayMetric) + ", mtu " + mtu + ")");
	for (const std::string &name : opts.lan)
		p.steps.push_back(std::string("fast path: XDP (") + xdp_mode_name(opts.xdp_mode) +
				  ") on LAN " + name);
	if (decap)
		p.steps.push_back(std::string("decapsulate: XDP (") + xdp_mode_name(opts.xdp_mode) +
				  ") on " + opts.ifname);
	p.steps.push_back("mark " + p.tunnel + " attached to " + opts.ifname);
	return p;
}

DetachPlan plan_detach(const AttachmentInfo &info, const HostSnapshot &snap)
{
	DetachPlan p;
	p.ifname = info.ifname;
	p.ifindex = info.ifindex;
	p.tun_ifindex = info.tun_ifindex;
	const LinkState *tun = snap.link(info.tun_ifindex);
	const std::string name = tun ? tun->name : info.tunnel;
	p.steps.push_back("mark " + name + " incomplete");
	if (info.xdp_prog_id)
		p.steps.push_back("remove XDP program " + std::to_string(info.xdp_prog_id) + " from " +
				  info.ifname);
	for (const LanInfo &l : info.lan)
		if (l.xdp_prog_id && !l.ifname.empty())
			p.steps.push_back("remove XDP program " + std::to_string(l.xdp_prog_id) +
					  " from LAN " + l.ifname);
	std::vector<std::string> routes;
	for (const Route6State &r : snap.routes6_via(info.tun_ifindex))
		if (r.table == RT_TABLE_MAIN)
			routes.push_back(route6_text(r));
	std::string with = "its peer and tc programs";
	if (!routes.empty())
		with += ", routes " + join(routes);
	p.steps.push_back("delete " + name + " (with " + with + ")");
	return p;
}

std::optional<DetachPlan> plan_remove_leftover(const std::string &ifname, const HostSnapshot &snap)
{
	const LinkState *link = snap.link(ifname);
	const LinkState *tun = link ? snap.link(tunnel_name(link->index)) : nullptr;
	if (!tun || tun->alias != tunnel_alias(ifname, false))
		return std::nullopt;
	DetachPlan p;
	p.ifname = ifname;
	p.ifindex = link->index;
	p.tun_ifindex = tun->index;
	p.leftover = true;
	p.steps.push_back("remove " + tun->name + ", left incomplete by a killed attach or detach" +
			  (link->xdp_prog_id ? " (and its XDP program on " + ifname + ", if ours)" : ""));
	return p;
}

} // namespace stf
