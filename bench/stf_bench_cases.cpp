// The configurations stf-bench attaches and the cases it times in each: the programs as
// `stf-xdp attach` hooks them, the bare baselines hooked the same way.
#include "stf_bench_cases.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <net/if.h>

#include "bench_net.h"
#include "bpf_kernel.h"
#include "error.h"
#include "ifdev.h"
#include "stf_bench_parts.skel.h"

namespace stfbench {

namespace {

constexpr uint32_t kLocal1 = 0xc0000201; // 192.0.2.1
constexpr uint32_t kRelay = 0xcb007101;  // 203.0.113.1

uint64_t counter(stf::Dataplane &dp, uint32_t id)
{
	return dp.maps().counters().at(id).packets;
}

uint64_t part_runs(int map_fd, uint32_t part)
{
	const int ncpu = libbpf_num_possible_cpus();
	std::vector<uint64_t> v(size_t(ncpu > 0 ? ncpu : 1));
	uint64_t sum = 0;
	if (bpf_map_lookup_elem(map_fd, &part, v.data()) == 0)
		for (uint64_t x : v)
			sum += x;
	return sum;
}

} // namespace

std::vector<Config> configurations()
{
	std::vector<Config> out;
	stf::AttachOptions base;
	base.ifname = "eth0";
	base.locals = {kLocal1};
	base.relay = kRelay;
	out.push_back({"default", "1 local, relay, ingress filter and loop guard on", base,
		       Filter::none, 0, true});
	// The encapsulating fast path (stf_lan on lan0). Without a relay, so that native IPv6
	// shows stf_lan's early exit (with one, native IPv6 is the relay's and pays the lookups).
	stf::AttachOptions lan = base;
	lan.relay.reset();
	lan.lan = {"lan0"};
	lan.fast_path = true;
	out.push_back({"LAN fast path", "--lan lan0 --fast-path on, no relay", lan, Filter::none, 0,
		       false});
	stf::AttachOptions eight = base;
	for (uint32_t i = 2; i <= 8; i++)
		eight.locals.push_back(kLocal1 - 1 + i); // 192.0.2.2 .. 192.0.2.8
	out.push_back({"8 locals", "8 locals; packets to/from the last", eight, Filter::none, 0,
		       true});
	stf::AttachOptions off = base;
	off.ingress_filter = false;
	out.push_back({"ingress filter off", "--ingress-filter off", off, Filter::none, 0, false});
	off = base;
	off.loop_guard = false;
	out.push_back({"loop guard off", "--loop-guard off", off, Filter::none, 0, false});
	off = base;
	off.permit_private = true;
	out.push_back({"permit private", "--permit-private", off, Filter::none, 0, false});
	for (Filter f : {Filter::deny, Filter::allow})
		for (uint32_t n : {10u, 1000u, 100000u}) {
			const char *kind = f == Filter::deny ? "deny" : "allow";
			std::string name = std::string(kind) + " " + std::to_string(n);
			std::string what = std::to_string(n) + " " + kind + " prefixes" +
					   (f == Filter::allow ? " (one covers the sender)" : "");
			out.push_back({name, what, base, f, n, false});
		}
	return out;
}

Bench::Bench(const Config &cfg)
{
	dp_.emplace(stf::Dataplane::attach(cfg.opts));
	info_ = dp_->info();
	if (cfg.filter != Filter::none) {
		const stf::FilterKind kind =
			cfg.filter == Filter::deny ? stf::FilterKind::deny : stf::FilterKind::allow;
		std::vector<Prefix> ps = filler_prefixes(cfg.prefixes - (kind == stf::FilterKind::allow));
		if (kind == stf::FilterKind::allow)
			ps.push_back(Prefix{0xc6336400, 24}); // 198.51.100.0/24: the sender
		for (const Prefix &p : ps)
			dp_->maps().filter_add(kind, stf::Ipv4Prefix{p.addr, p.len});
	}
	skel_ = stf_bench_parts_bpf__open();
	if (!skel_)
		throw stf::Error(stf::Exit::failure, "open stf-bench's BPF object", errno);
	// The parts read the configuration attach wrote: same maps, by the same names.
	stf::bind_maps(skel_->obj, stf::prog_info(info_.tc_prog_id).map_ids);
	if (int err = stf_bench_parts_bpf__load(skel_))
		throw stf::Error(stf::Exit::failure, "load stf-bench's BPF object", -err);
	// The baselines are hooked as stf-xdp's programs are: an XDP program that is only
	// loaded is called through a retpoline, an attached one directly by the dispatcher.
	hook_xdp("bench0", bpf_program__fd(skel_->progs.bare_xdp_pass));
	hook_xdp("bench1", bpf_program__fd(skel_->progs.bare_xdp_drop));
	tc_hook_ = bpf_tc_hook{};
	tc_hook_.sz = sizeof(tc_hook_);
	tc_hook_.ifindex = if_nametoindex("bench0");
	tc_hook_.attach_point = BPF_TC_EGRESS;
	bpf_tc_hook_create(&tc_hook_);
	bpf_tc_opts o{};
	o.sz = sizeof(o);
	o.prog_fd = bpf_program__fd(skel_->progs.bare_tc_ok);
	if (int err = bpf_tc_attach(&tc_hook_, &o))
		throw stf::Error(stf::Exit::failure, "hook bare_tc_ok on bench0", -err);
	decap_fd_ = stf::Fd(bpf_prog_get_fd_by_id(dp_->xdp_prog_id()));
	encap_fd_ = stf::Fd(bpf_prog_get_fd_by_id(info_.tc_prog_id));
	if (decap_fd_.get() < 0 || encap_fd_.get() < 0)
		throw stf::Error(stf::Exit::failure, "open stf-xdp's programs", errno);
	if (!info_.lan.empty()) {
		lan_fd_ = stf::Fd(bpf_prog_get_fd_by_id(info_.lan.front().xdp_prog_id));
		if (lan_fd_.get() < 0)
			throw stf::Error(stf::Exit::failure, "open stf-xdp's stf_lan", errno);
	}
}

Bench::~Bench()
{
	for (uint32_t ifindex : xdp_hooked_)
		bpf_xdp_detach(int(ifindex), XDP_FLAGS_DRV_MODE, nullptr);
	tc_hook_.attach_point = bpf_tc_attach_point(BPF_TC_EGRESS | BPF_TC_INGRESS); // the qdisc
	bpf_tc_hook_destroy(&tc_hook_);
	decap_fd_ = stf::Fd();
	encap_fd_ = stf::Fd();
	lan_fd_ = stf::Fd();
	stf_bench_parts_bpf__destroy(skel_);
	if (dp_)
		dp_->detach();
}

void Bench::hook_xdp(const char *ifname, int fd)
{
	const uint32_t ifindex = if_nametoindex(ifname);
	if (bpf_xdp_attach(int(ifindex), fd, XDP_FLAGS_DRV_MODE, nullptr))
		throw stf::Error(stf::Exit::failure, std::string("hook XDP on ") + ifname, errno);
	xdp_hooked_.push_back(ifindex);
}

uint64_t Bench::map_bytes(const char *map) const
{
	return map_memory(dp_->xdp_prog_id(), map);
}

// stf_lan as attach hooks it on lan0, on frames from a LAN host to lan0's MAC, against the
// bare XDP_PASS: one it encapsulates (the tunnel's route and the IPv4 next hop resolved) and
// native IPv6, which leaves at the first check when there is no relay.
void Bench::add_lan_cases(const Config &cfg, std::deque<Case> &out)
{
	const uint32_t lan0 = if_nametoindex("lan0");
	const stf::Mac mac = stf::link_mac("lan0"), host = stf::link_mac("lan0p");
	stf::Dataplane *dp = &*dp_;
	Probe pass{"XDP_PASS", bpf_program__fd(skel_->progs.bare_xdp_pass), Hook::xdp, lan0,
		   {}, XDP_PASS, 0};
	Probe lan{"stf_lan", lan_fd_.get(), Hook::xdp, lan0, {}, XDP_REDIRECT, 20};
	lan.frame = pass.frame = frame_udp6(mac.data(), host.data(), "2002:c000:201:1::10",
					    "2002:c633:6401::1");
	out.push_back({"lan", "LAN encap to 2002:: (fast path)", cfg.what, pass, lan,
		       [dp] { return counter(*dp, STF_C_fast_encap); }});
	Probe native = lan;
	native.frame = pass.frame = frame_udp6(mac.data(), host.data(), "2002:c000:201:1::10",
					       "2001:db8:2::1");
	native.want_retval = XDP_PASS, native.want_growth = 0;
	out.push_back({"lan", "LAN non-tunnel IPv6 (no relay)", cfg.what, pass, native, {}});
}

void Bench::add_cases(const Config &cfg, std::deque<Case> &out)
{
	if (!cfg.opts.lan.empty()) // the LAN fast path's configuration times stf_lan alone
		return add_lan_cases(cfg, out);
	const uint32_t eth0 = if_nametoindex("eth0");
	const stf::Mac mac = stf::link_mac("eth0"), peer = stf::link_mac("eth0p");
	const stf::Mac tun = stf::link_mac(info_.tunnel);
	const bool eight = cfg.opts.locals.size() == 8;
	const char *local = eight ? "192.0.2.8" : "192.0.2.1";
	const char *site = eight ? "2002:c000:208:1::10" : "2002:c000:201:1::10";
	const std::string sfx = cfg.name == "default" ? "" : ", " + cfg.name;
	stf::Dataplane *dp = &*dp_;
	auto proof = [dp](uint32_t id) { return [dp, id] { return counter(*dp, id); }; };

	Probe pass{"XDP_PASS", bpf_program__fd(skel_->progs.bare_xdp_pass), Hook::xdp, eth0,
		   {}, XDP_PASS, 0};
	Probe drop = pass;
	drop.prog = "XDP_DROP", drop.fd = bpf_program__fd(skel_->progs.bare_xdp_drop);
	drop.want_retval = XDP_DROP;
	Probe decap{"stf_decap", decap_fd_.get(), Hook::xdp, eth0, {}, XDP_REDIRECT, -20};
	decap.frame = frame_6to4(mac.data(), peer.data(), "198.51.100.1", local,
				 "2002:c633:6401::1", site);
	pass.frame = drop.frame = decap.frame;
	out.push_back({"decap", "decap valid" + sfx, cfg.what, pass, decap, proof(STF_C_decap)});
	if (!cfg.full)
		return;

	Probe spoof = decap;
	spoof.frame = frame_6to4(mac.data(), peer.data(), "198.51.100.1", local,
				 "2002:cb00:7101::1", site); // inner source embeds another IPv4
	spoof.want_retval = XDP_DROP, spoof.want_growth = 0;
	drop.frame = spoof.frame;
	out.push_back({"decap", "decap dropped (inner_src_spoofed)" + sfx, cfg.what, drop, spoof,
		       proof(STF_C_inner_src_spoofed)});
	if (!eight) {
		Probe v4 = decap;
		v4.frame = pass.frame = frame_udp4(mac.data(), peer.data());
		v4.want_retval = XDP_PASS, v4.want_growth = 0;
		out.push_back({"decap", "non-tunnel IPv4" + sfx, cfg.what, pass, v4, {}});
		Probe v6 = v4;
		v6.frame = pass.frame =
			frame_udp6(mac.data(), peer.data(), "2001:db8:1::1", "2001:db8:2::1");
		out.push_back({"decap", "non-tunnel IPv6" + sfx, cfg.what, pass, v6, {}});
	}

	Probe ok{"TC_ACT_OK", bpf_program__fd(skel_->progs.bare_tc_ok), Hook::tc,
		 info_.tun_ifindex, {}, TC_ACT_OK, 0};
	Probe encap{"stf_encap", encap_fd_.get(), Hook::tc, info_.tun_ifindex, {},
		    TC_ACT_REDIRECT, 20};
	const char *from = eight ? "2002:c000:208::1" : "2002:c000:201::1";
	encap.frame = ok.frame = frame_udp6(tun.data(), tun.data(), from, "2002:c633:6401::1");
	out.push_back({"encap", "encap to 2002::" + sfx, cfg.what, ok, encap, proof(STF_C_encap)});
	if (eight)
		return;
	const std::vector<uint8_t> to_2002 = encap.frame;
	Probe relay = encap;
	relay.frame = ok.frame = frame_udp6(tun.data(), tun.data(), from, "2001:db8:2::1");
	out.push_back({"encap", "encap via the relay" + sfx, cfg.what, ok, relay,
		       proof(STF_C_encap)});
	Probe mcast = encap;
	mcast.frame = ok.frame = frame_udp6(tun.data(), tun.data(), "fe80::1", "ff02::16");
	mcast.want_retval = TC_ACT_SHOT, mcast.want_growth = 0;
	out.push_back({"encap", "non-tunnel egress (ff02::16)" + sfx, cfg.what, ok, mcast,
		       proof(STF_C_encap_inner_multicast)});

	// stf_encap taken apart: each part a prefix of its work, on the 2002:: frame.
	const struct {
		const char *name;
		bpf_program *prog;
		int growth;
	} parts[] = {
		// In enum bench_part's order: i is also the part's index in bench_runs.
		{"checks", skel_->progs.part_checks, 0},
		{"+ FIB lookup", skel_->progs.part_fib, 0},
		{"+ FIB, adjust_room", skel_->progs.part_room, 20},
		{"old: + check_mtu, 4 store_bytes", skel_->progs.part_old, 20},
		{"new: FIB, adjust_room, direct stores", skel_->progs.part_new, 20},
	};
	ok.frame = to_2002;
	const int runs_fd = bpf_map__fd(skel_->maps.bench_runs);
	for (uint32_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		Probe p{std::string("part: ") + parts[i].name, bpf_program__fd(parts[i].prog),
			Hook::tc, info_.tun_ifindex, to_2002, TC_ACT_OK, parts[i].growth};
		out.push_back({"encap-parts", std::string("encap part: ") + parts[i].name, cfg.what,
			       ok, p, [runs_fd, i] { return part_runs(runs_fd, i); }});
	}
}

} // namespace stfbench
