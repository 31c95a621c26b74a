#include "commands.h"

#include <iostream>

#include "command_table.h"
#include "apply.h"
#include "attach_plan.h"
#include "bpf_kernel.h"
#include "config_file.h"
#include "dataplane.h"
#include "error.h"
#include "lock.h"
#include "monitor.h"
#include "netlink.h"
#include "netns.h"
#include "output.h"
#include "plan.h"
#include "slowpath.h"
#include "state.h"

namespace stf {

namespace {

// The dataplane on ifname: Exit::no_interface if there is no such interface (from find),
// Exit::not_attached if stf-xdp is not there.
Dataplane attached_to(const std::string &ifname)
{
	std::optional<Dataplane> dp = Dataplane::find(ifname);
	if (!dp)
		throw Error(Exit::not_attached, "stf-xdp is not attached to " + ifname);
	return std::move(*dp);
}

// The read commands' scope: one named interface, or every attachment in the namespace.
std::vector<Dataplane> selected(const Invocation &inv)
{
	if (inv.ifname.empty())
		return Dataplane::find_all();
	std::vector<Dataplane> one;
	one.push_back(attached_to(inv.ifname));
	return one;
}

std::vector<AttachmentInfo> infos(const Invocation &inv)
{
	std::vector<AttachmentInfo> out;
	for (const Dataplane &dp : selected(inv))
		out.push_back(dp.info());
	return out;
}

// The V4ADDR when --local is not given: the interface's IPv4 address, if it has exactly one.
// Guessing among several would pick the prefix the whole site is numbered from.
uint32_t interface_address(const std::string &ifname, uint32_t ifindex, const HostSnapshot &snap)
{
	std::vector<uint32_t> addrs;
	for (const AddressState &a : snap.addresses)
		if (a.ifindex == ifindex)
			addrs.push_back(a.addr);
	if (addrs.size() == 1)
		return addrs[0];
	if (addrs.empty())
		usage_error(ifname + " has no IPv4 address; pass --local A.B.C.D");
	std::string list;
	for (uint32_t a : addrs)
		list += (list.empty() ? "" : ", ") + format_ipv4(a);
	usage_error(ifname + " has several IPv4 addresses (" + list +
		    "); pass --local A.B.C.D to choose (repeat it for several)");
}


// The configuration attach and apply aim for: the file, the command line over it, and the
// interface's own address as the V4ADDR when none is given. All usage errors come out here,
// before the state is looked at (README, exit codes). snap is the kernel state it was judged
// against, for the plan.
AttachOptions desired_options(const std::string &ifname, const AttachRequest &file,
			      const AttachRequest &cli, const HostSnapshot &snap)
{
	AttachOptions opts = merge_options(ifname, file, cli);
	const LinkState *link = snap.link(ifname);
	if (!link)
		throw Error(Exit::no_interface, "no such interface: " + ifname);
	if (opts.locals.empty()) {
		// Validated exactly as if it had been given with --local, and before the state
		// check: a relay equal to the interface's address is a usage error either way.
		AttachRequest with_local = cli;
		with_local.locals = std::vector<uint32_t>{interface_address(ifname, link->index, snap)};
		opts = merge_options(ifname, file, with_local);
	}
	validate_attach(opts, snap);
	return opts;
}

// Routes apply changes: the relay's ::/0 into the attachment's tunnel.
class TunnelRoutes final : public RouteOps {
public:
	TunnelRoutes(uint32_t tun_ifindex, unsigned mtu) : tun_(tun_ifindex), mtu_(mtu) {}
	void add_default() override
	{
		static const uint8_t any[16] = {};
		netlink::add_route6(any, 0, tun_, mtu_, kRouteRelayMetric, false, kTunnelGateway);
	}
	void del_default() override
	{
		static const uint8_t any[16] = {};
		netlink::del_route6(any, 0, tun_, kRouteRelayMetric);
	}

private:
	uint32_t tun_;
	unsigned mtu_;
};

} // namespace

void attach_command(const Invocation &inv, std::ostream &out)
{
	StateLock lock;
	AttachRequest file = inv.config_path ? load_config_file(*inv.config_path) : AttachRequest{};
	const HostSnapshot snap = netlink::read_snapshot();
	AttachOptions opts = desired_options(inv.ifname, file, inv.request, snap);
	if (Dataplane::find(inv.ifname))
		throw Error(Exit::already_attached,
			    "stf-xdp is already attached to " + inv.ifname + " (detach it first)");
	const AttachPlan plan = plan_attach(opts, snap);
	if (inv.dry_run)
		return print_steps(out, inv.ifname, plan.steps, {}, true, inv.json);
	Dataplane dp = Dataplane::attach(opts, plan);
	print_attached(out, dp.info(), inv.json);
}

void apply_config(const std::string &ifname, const std::string &path, std::ostream &out,
		  bool json, bool dry_run)
{
	StateLock lock;
	const HostSnapshot snap = netlink::read_snapshot();
	AttachOptions want = desired_options(ifname, load_config_file(path), {}, snap);
	std::optional<Dataplane> dp = Dataplane::find(ifname);
	if (!dp) {
		const AttachPlan attach = plan_attach(want, snap);
		if (dry_run)
			return print_steps(out, ifname, attach.steps, {}, true, json);
		Dataplane fresh = Dataplane::attach(want, attach);
		return print_attached(out, fresh.info(), json);
	}
	const AttachmentInfo now = dp->info();
	Plan plan = make_plan(running_options(now), want);
	if (dry_run) {
		print_plan(out, ifname, plan, true, json);
		if (!plan.refused.empty())
			usage_error("cannot change in place: " + plan.refused.front() +
				    "; detach and attach instead");
		return;
	}
	TunnelRoutes routes(now.tun_ifindex, now.tunnel_mtu);
	apply_plan(plan, dp->maps(), routes);
	print_plan(out, ifname, plan, false, json);
}

void apply_command(const Invocation &inv, std::ostream &out)
{
	apply_config(inv.ifname, *inv.config_path, out, inv.json, inv.dry_run);
}

void detach_command(const Invocation &inv, std::ostream &out)
{
	StateLock lock;
	const HostSnapshot snap = netlink::read_snapshot();
	// What a killed attach or detach left is not an attachment; detach finishes removing it.
	if (std::optional<DetachPlan> leftover = plan_remove_leftover(inv.ifname, snap)) {
		if (inv.dry_run)
			return print_steps(out, inv.ifname, leftover->steps, {}, true, inv.json);
		Dataplane::remove_incomplete(inv.ifname);
		return print_detached(out, inv.ifname, inv.json);
	}
	std::optional<Dataplane> dp;
	try {
		dp = attached_to(inv.ifname);
	} catch (const Error &e) {
		// The interface was deleted while attached: remove the tunnel it left behind.
		if (e.code() != Exit::no_interface)
			throw;
		dp = Dataplane::find_orphan(inv.ifname);
		if (!dp)
			throw;
	}
	const DetachPlan plan = plan_detach(dp->info(), snap);
	if (inv.dry_run)
		return print_steps(out, inv.ifname, plan.steps, {}, true, inv.json);
	dp->detach();
	print_detached(out, inv.ifname, inv.json);
}

void status_command(const Invocation &inv, std::ostream &out)
{
	print_status(out, infos(inv), inv.json);
}

void stats_command(const Invocation &inv, std::ostream &out)
{
	std::vector<AttachmentStats> stats;
	for (Dataplane &dp : selected(inv))
		stats.push_back({dp.info().ifname, dp.maps().counters()});
	if (inv.prometheus)
		return print_prometheus(out, stats);
	print_stats(out, stats, inv.json);
}

void prefix_add_command(const Invocation &inv, std::ostream &out)
{
	StateLock lock;
	Dataplane dp = attached_to(inv.ifname);
	prefix_add(dp.maps(), inv.address);
	print_prefix_changed(out, dp.info(), inv.address, true, inv.json);
}

void prefix_del_command(const Invocation &inv, std::ostream &out)
{
	StateLock lock;
	Dataplane dp = attached_to(inv.ifname);
	prefix_del(dp.maps(), inv.address);
	print_prefix_changed(out, dp.info(), inv.address, false, inv.json);
}

void prefix_list_command(const Invocation &inv, std::ostream &out)
{
	print_prefixes(out, infos(inv), inv.json);
}

void filter_add_command(const Invocation &inv, std::ostream &out)
{
	StateLock lock;
	Dataplane dp = attached_to(inv.ifname);
	filter_add(dp.maps(), inv.filter_kind, inv.filter_prefix);
	print_filter_changed(out, dp.info(), inv.filter_kind, inv.filter_prefix, true, inv.json);
}

void filter_del_command(const Invocation &inv, std::ostream &out)
{
	StateLock lock;
	Dataplane dp = attached_to(inv.ifname);
	filter_del(dp.maps(), inv.filter_kind, inv.filter_prefix);
	print_filter_changed(out, dp.info(), inv.filter_kind, inv.filter_prefix, false, inv.json);
}

void filter_list_command(const Invocation &inv, std::ostream &out)
{
	print_filters(out, infos(inv), inv.json);
}

void slowpath_command(const Invocation &, std::ostream &)
{
	// Its log is for the journal; standard output stays free for nothing.
	run_slowpath(std::cerr);
}

void monitor_command(const Invocation &inv, std::ostream &out)
{
	std::vector<Dataplane> dps = selected(inv);
	run_monitor(dps, inv.rate, inv.json, out);
}

void check_command(const Invocation &inv, std::ostream &out)
{
	AttachRequest file = load_config_file(*inv.config_path);
	// The interface is not known here: the name only labels messages.
	AttachOptions opts = merge_options("IFACE", file, AttachRequest{});
	print_checked(out, *inv.config_path, opts, inv.json);
}

void run_command(const Invocation &inv, std::ostream &out)
{
	if (inv.command == Command::help || inv.command == Command::version) {
		out << inv.text;
		return;
	}
	if (inv.verbose)
		verbose_libbpf();
	if (!inv.netns.empty())
		enter_netns(inv.netns);
	command_spec(inv.command).run(inv, out);
}

} // namespace stf
