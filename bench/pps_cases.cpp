// stf-bench-pps's world (namespaces, stf-xdp, sit, receivers) and its table of cases.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <optional>

#include "bench_net.h"
#include "counters.h"
#include "dataplane.h"
#include "error.h"
#include "pps.h"
#include "stf_bench_pps.skel.h"

namespace stfbench::pps {

namespace {

// Fixed MACs (pps_topo.cpp), the same in every namespace, so one frame fits all.
const uint8_t kWan[6] = {2, 0, 0, 0, 1, 1}, kWanPeer[6] = {2, 0, 0, 0, 1, 2};
const uint8_t kLan[6] = {2, 0, 0, 0, 2, 1}, kLanPeer[6] = {2, 0, 0, 0, 2, 2};
constexpr size_t kPayload = 64; // a small packet, where the per-packet cost shows

// One namespace's devices and receivers.
struct Site {
	std::shared_ptr<Netns> ns;
	std::unique_ptr<UdpReceiver> sock;
	std::vector<stf::Fd> sinks;    // pps_sink on the receiving ends
	uint32_t wan0p = 0, lan0p = 0; // where the generator sends WAN and LAN traffic
	uint32_t slot_wan0p = 0, slot_lan0p = 0, slot_bare0 = 0; // their sink counters
	uint32_t bare0p = 0;
};

} // namespace

struct World {
	stf_bench_pps_bpf *skel = nullptr;
	Site stf, sit;
	bool has_sit = false;
	std::optional<stf::Dataplane> dp;
	std::string tun;       // stf-xdp's tunnel device, stf<N>
	uint32_t slot_tun = 0; // its sink counter, while decap + drop runs
	stf::Fd drop_on_tun;   // pps_sink on the tunnel device during decap + drop
};

void WorldDeleter::operator()(World *w) const
{
	if (w->dp) {
		w->stf.ns->enter();
		w->dp->detach();
	}
	delete w;
}

namespace {

uint64_t sink_count(const World &w, uint32_t slot)
{
	std::vector<uint64_t> v(static_cast<size_t>(libbpf_num_possible_cpus()));
	if (bpf_map_lookup_elem(bpf_map__fd(w.skel->maps.pps_seen), &slot, v.data()) != 0)
		throw stf::Error(stf::Exit::failure, "read pps_seen", errno);
	uint64_t sum = 0;
	for (uint64_t x : v)
		sum += x;
	return sum;
}

void build_site(Site &s, stf_bench_pps_bpf *skel, const char *name)
{
	s.ns = std::make_shared<Netns>(name);
	build_topology();
	const int sink = bpf_program__fd(skel->progs.pps_sink);
	for (const char *d : {"wan0p", "lan0p", "bare0"})
		s.sinks.push_back(attach_xdp(sink, d));
	s.wan0p = ifindex("wan0p"), s.lan0p = ifindex("lan0p"), s.bare0p = ifindex("bare0p");
	s.slot_wan0p = s.wan0p % 64, s.slot_lan0p = s.lan0p % 64;
	s.slot_bare0 = ifindex("bare0") % 64;
	s.sock = std::make_unique<UdpReceiver>();
}

Check sink_check(World &w, uint32_t slot, const std::string &dev)
{
	return {"frames " + dev + " received", [&w, slot] { return sink_count(w, slot); }, 1};
}

Check stf_counter(World &w, stf_counter_id id, uint64_t per_packet)
{
	return {std::string("stf-xdp ") + stf::counter_table()[id].name,
		[&w, id] { return w.dp->maps().counters()[id].packets; }, per_packet};
}

// stf-xdp's drop reasons of one direction (the encapsulator's are encap_*), summed: must not
// move. Left out: the other direction's, and encap_inner_multicast: the tunnel device's own
// MLD reports (to ff02::16, sent up to a second after a hook changes on it, as decap + drop
// does every run) are the encapsulator's to drop, and the benchmark's frames are unicast.
Check stf_drops(World &w, bool encap)
{
	return {std::string("stf-xdp ") + (encap ? "encap" : "decap") + " drops",
		[&w, encap] {
			uint64_t n = 0;
			const auto v = w.dp->maps().counters();
			for (const auto &c : stf::counter_table())
				if (c.kind == stf::CounterKind::drop &&
				    c.id != STF_C_encap_inner_multicast &&
				    (std::string_view(c.name).rfind("encap_", 0) == 0) == encap)
					n += v[c.id].packets;
			return n;
		},
		0};
}

Check snmp(const char *name, uint64_t per_packet)
{
	return {name, [name] { return snmp6(name); }, per_packet};
}

Check socket_check(Site &s)
{
	UdpReceiver *r = s.sock.get();
	return {"datagrams the UDP socket read", [r] { return r->received(); }, 1};
}

void set_fast_path(World &w, bool on)
{
	stf_config c = w.dp->maps().config();
	c.flags = on ? (c.flags | STF_F_FAST_PATH) : (c.flags & ~uint32_t(STF_F_FAST_PATH));
	w.dp->maps().set_config(c);
}

std::vector<uint8_t> ip6(const uint8_t *dst, const uint8_t *src, const char *s, const char *d)
{
	return stfbench::ipv6_udp_frame(dst, src, s, d, kPayload);
}

std::vector<uint8_t> sixtofour(const char *inner_dst)
{
	return stfbench::encapsulate(ip6(kWan, kWanPeer, "2002:c633:6401::1", inner_dst),
				     "198.51.100.1", "192.0.2.1");
}

// A router's two directions, each with its fast path (WAN->LAN: bpf/lib/forward.h in
// stf_decap; LAN->WAN: stf_lan on lan0) and the targets against sit.
struct Direction {
	const char *name;
	bool wan_in;        // arrives on the WAN (decap) or on the LAN (encap)
	bool fast;          // stf-xdp has a fast path for it
	double sit_fast;    // target of the ratio to sit, fast path on (0: none)
	double sit_slow;    // and off
	stf_counter_id fast_counter; // what counts the fast path's packets
};
const Direction kDirections[] = {
	{"WAN->LAN (decap)", true, true, 3.0, 0, STF_C_fast_forward},
	{"LAN->WAN (encap)", false, true, 1.2, 1.2, STF_C_fast_encap},
};

// stf-xdp routing one direction, with its fast path on or off.
Side stf_router(World &w, const Direction &d, bool fast)
{
	Side s;
	s.name = std::string("stf-xdp, fast path ") + (fast ? "on" : "off");
	s.ns = w.stf.ns;
	if (d.wan_in) {
		s.frame = sixtofour("2002:c000:201:1::10");
		s.into = w.stf.wan0p;
		s.checks = {sink_check(w, w.stf.slot_lan0p, "lan0p"),
			    stf_counter(w, STF_C_decap, 1)};
	} else {
		s.frame = ip6(kLan, kLanPeer, "2002:c000:201:1::10", "2002:c633:6401:1::10");
		s.into = w.stf.lan0p;
		s.checks = {sink_check(w, w.stf.slot_wan0p, "wan0p"),
			    stf_counter(w, STF_C_encap, 1)};
	}
	s.checks.push_back(stf_counter(w, d.fast_counter, fast ? 1 : 0));
	// The kernel forwarded it, or (fast path) did not see it.
	s.checks.push_back(snmp("Ip6OutForwDatagrams", fast ? 0 : 1));
	s.checks.push_back(stf_drops(w, !d.wan_in));
	if (fast) {
		s.before = [&w] { set_fast_path(w, true); };
		s.after = [&w] { set_fast_path(w, false); };
	}
	return s;
}

// sit routing one direction.
Side sit_router(World &w, const Direction &d)
{
	Side s;
	s.name = "sit";
	s.ns = w.sit.ns;
	if (d.wan_in) {
		s.frame = sixtofour("2002:c000:201:1::10");
		s.into = w.sit.wan0p;
		s.checks = {sink_check(w, w.sit.slot_lan0p, "lan0p"),
			    {"tun6to4 received", [] { return dev_rx_packets("tun6to4"); }, 1}};
	} else {
		s.frame = ip6(kLan, kLanPeer, "2002:c000:201:1::10", "2002:c633:6401:1::10");
		s.into = w.sit.lan0p;
		s.checks = {sink_check(w, w.sit.slot_wan0p, "wan0p"),
			    {"tun6to4 sent", [] { return dev_tx_packets("tun6to4"); }, 1}};
	}
	s.checks.push_back(snmp("Ip6OutForwDatagrams", 1));
	return s;
}

// The native IPv6 the router forwards without a tunnel, as a baseline: out of the WAN.
Side plain_out(World &w)
{
	Side s{"plain IPv6 forwarded LAN->WAN",
	       w.stf.ns,
	       ip6(kLan, kLanPeer, "2002:c000:201:1::10", "2001:db8:ffff::10"),
	       w.stf.lan0p,
	       {},
	       {},
	       {}};
	s.checks = {sink_check(w, w.stf.slot_wan0p, "wan0p"), snmp("Ip6OutForwDatagrams", 1),
		    stf_counter(w, STF_C_encap, 0)};
	return s;
}

// Delivery to the UDP socket on [::]:5555 (2002:c000:201:2::1 on lo), in site `site`.
Side to_socket(Site &site, const std::string &name, std::vector<uint8_t> frame)
{
	Side s{name, site.ns, std::move(frame), site.wan0p, {}, {}, {}};
	s.checks = {socket_check(site), snmp("Udp6InDatagrams", 1), snmp("Udp6RcvbufErrors", 0)};
	return s;
}

} // namespace

std::unique_ptr<World, WorldDeleter> make_world(bool sit, bool require_sit, stf_bench_pps_bpf *skel,
						bool &sit_ok)
{
	std::unique_ptr<World, WorldDeleter> w(new World);
	w->skel = skel;
	sit_ok = false;
	if (sit) {
		build_site(w->sit, skel, "sit");
		sit_ok = add_sit();
		if (!sit_ok && require_sit)
			throw stf::Error(stf::Exit::failure,
					 "--sit: this kernel cannot make a sit device (ip link add "
					 "... type sit failed)");
		if (!sit_ok)
			w->sit = Site{}; // its namespace dies with its last fd
	}
	w->has_sit = sit_ok;
	build_site(w->stf, skel, "stf");
	stf::AttachOptions o;
	o.ifname = "wan0";
	o.locals = {0xc0000201}; // 192.0.2.1
	o.lan = {"lan0"};        // stf_lan, acting only while a case turns the fast path on
	w->dp.emplace(stf::Dataplane::attach(o));
	w->tun = w->dp->info().tunnel;
	w->slot_tun = ifindex(w->tun) % 64;
	return w;
}

std::vector<Case> make_cases(World &w, bool sit)
{
	std::vector<Case> cases;
	const std::vector<uint8_t> to_lan = sixtofour("2002:c000:201:1::10");

	// veth: stf-xdp's own work against the kernel's cheapest receive.
	Side bare{"bare XDP_DROP", w.stf.ns, to_lan, w.stf.bare0p, {}, {}, {}};
	bare.checks = {sink_check(w, w.stf.slot_bare0, "bare0")};
	Side drop{
		"stf-xdp decap + XDP_DROP on " + w.tun, w.stf.ns, to_lan, w.stf.wan0p, {}, {}, {}};
	drop.checks = {sink_check(w, w.slot_tun, w.tun), stf_counter(w, STF_C_decap, 1),
		       stf_drops(w, false)};
	drop.before = [&w] {
		w.drop_on_tun = attach_xdp(bpf_program__fd(w.skel->progs.pps_sink), w.tun);
	};
	drop.after = [&w] { w.drop_on_tun = stf::Fd(); };
	cases.push_back({"veth", "decap + drop vs bare XDP_DROP", drop, bare, 0.90});

	Side plain = to_socket(w.stf, "plain IPv6 to the socket",
			       ip6(kWan, kWanPeer, "2002:c633:6401::1", "2002:c000:201:2::1"));
	plain.checks.push_back(stf_counter(w, STF_C_decap, 0));
	Side deliver = to_socket(w.stf, "stf-xdp decap, delivered via " + w.tun,
				 sixtofour("2002:c000:201:2::1"));
	deliver.checks.push_back(stf_counter(w, STF_C_decap, 1));
	deliver.checks.push_back(stf_drops(w, false));
	cases.push_back(
		{"veth", "decap + delivery to a UDP socket vs plain IPv6", deliver, plain, 0.95});

	// The router, both directions: the fast path's gain where there is one, and the
	// encapsulating slow path against the kernel forwarding native IPv6 out of the WAN.
	for (const Direction &d : kDirections) {
		if (d.fast)
			cases.push_back({"router",
					 std::string("router ") + d.name + ": fast path on vs off",
					 stf_router(w, d, true), stf_router(w, d, false), 0});
		if (!d.wan_in)
			cases.push_back({"router",
					 std::string("router ") + d.name +
						 ": stf-xdp vs plain IPv6 forwarding",
					 stf_router(w, d, false), plain_out(w), 0});
	}

	if (!sit || !w.has_sit)
		return cases;
	cases.push_back({"sit", "vs sit: receive (decap, delivered to the UDP socket)", deliver,
			 to_socket(w.sit, "sit tun6to4", sixtofour("2002:c000:201:2::1")), 1.3});
	for (const Direction &d : kDirections) {
		// Receive into a LAN or transmit from it: the router's encapsulating direction is
		// also the transmit figure (frames from a LAN veth, routed into the tunnel).
		const std::string what = d.wan_in ? std::string("router ") + d.name
						  : std::string("transmit = router ") + d.name;
		if (d.fast)
			cases.push_back({"sit", "vs sit: " + what + ", fast path on",
					 stf_router(w, d, true), sit_router(w, d), d.sit_fast});
		cases.push_back({"sit", "vs sit: " + what + (d.fast ? ", fast path off" : ""),
				 stf_router(w, d, false), sit_router(w, d), d.sit_slow});
	}
	return cases;
}

} // namespace stfbench::pps
