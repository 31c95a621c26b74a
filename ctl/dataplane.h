// The running dataplane of one interface: its skeleton (programs and maps), its hooks and its
// tunnel device. Found again from the kernel alone (netlink, program ids, map ids), so a later
// invocation, a restarted control plane, or a call under `ip netns exec` sees the same state;
// nothing is pinned.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attach_plan.h"
#include "lan.h"
#include "maps.h"
#include "model.h"
#include "options.h"

struct stf_bpf;

namespace stf {

class Fd;

// Owns a stf_bpf skeleton (opened, loaded or bound to existing maps) and destroys it.
class Skeleton {
public:
	Skeleton() = default;
	explicit Skeleton(stf_bpf *skel) : skel_(skel) {}
	~Skeleton();
	Skeleton(Skeleton &&) noexcept;
	Skeleton &operator=(Skeleton &&) noexcept;
	Skeleton(const Skeleton &) = delete;
	Skeleton &operator=(const Skeleton &) = delete;
	stf_bpf *get() const { return skel_; }
	stf_bpf *operator->() const { return skel_; }

private:
	stf_bpf *skel_ = nullptr;
};

// The steps of an attach after which kernel state exists that a failure must undo, in the
// order attach takes them. route_default happens only with a relay, lan_hooked only with LAN
// interfaces, decap_hooked only in the modes that decapsulate (not return-relay).
enum class AttachStep {
	tunnel_created, // the veth pair stf<N>/stf<N>p, down
	maps_written,   // config and filters in the skeleton's maps
	encap_hooked,   // tc egress programs on the tunnel device (encap) and its peer (inject)
	links_up,       // both ends of the pair up
	route_6to4,     // 2002::/16 into the tunnel
	route_default,  // ::/0 at metric 2048 into the tunnel (relay set)
	lan_hooked,     // XDP programs on the LAN interfaces (--lan given)
	decap_hooked,   // XDP program on the interface
};

const char *attach_step_name(AttachStep s); // "tunnel_created", ...

// Called after each step that took place; whatever it throws fails the attach like a failure
// of the next step would. Production passes none; tests inject faults with it, so the
// rollback of every step can be exercised.
using AttachStepHook = std::function<void(AttachStep)>;

// The maps of `stf-xdp monitor` (monitor.h); -1 where a dataplane attached by an older
// stf-xdp lacks them.
struct MonitorMaps {
	int monitor = -1; // stf_monitor_v1: the lease and the rate
	int rate = -1;    // stf_evrate_v1: per-CPU rate limit state, suppressed and lost
	int events = -1;  // stf_events_v1: the ring buffer
};

class Dataplane {
public:
	// Carries out plan (plan_attach of opts and a snapshot): loads, configures and hooks
	// everything, or changes nothing: on any failure (including an exception from
	// after_step) every step already taken is undone before the exception propagates.
	static Dataplane attach(const AttachOptions &opts, const AttachPlan &plan,
				const AttachStepHook &after_step = {});
	// The same with a plan made from a fresh snapshot.
	static Dataplane attach(const AttachOptions &opts, const AttachStepHook &after_step = {});
	// The dataplane attached to ifname, or nullopt if stf-xdp is not attached there.
	// Throws Exit::no_interface if ifname does not exist.
	static std::optional<Dataplane> find(const std::string &ifname);
	// Every interface of this namespace with stf-xdp attached, and the orphans.
	static std::vector<Dataplane> find_all();
	// Removes what an attach or detach of ifname killed half-way left (kill -9, a crash):
	// a tunnel device still marked incomplete, with our XDP program if it is there. True if
	// there was such a thing. Such a leftover is not "attached": find() does not see it.
	static bool remove_incomplete(const std::string &ifname);
	// The tunnel left behind when ifname was deleted while attached (its alias names
	// ifname), or nullopt. Such a dataplane has no interface and no XDP program; detach()
	// removes the tunnel.
	static std::optional<Dataplane> find_orphan(const std::string &ifname);

	// Removes program, hooks, tunnel device and routes, in plan_detach's order. If the XDP
	// program cannot be removed, the attachment is left as it was.
	void detach();

	AttachmentInfo info() const;
	// What the host changed under the attachment, followed (run calls it on link and address
	// events): the tunnel MTU (device and routes) follows the interface's MTU, and the subnet
	// broadcasts refused as peers follow the host's IPv4 addresses. Returns one line per
	// change made (or refused: a link MTU too small for IPv6 over the tunnel).
	std::vector<std::string> follow_host();
	// Our XDP decapsulator on the interface (0: none, as in return-relay mode), and the
	// per-CPU counter map, for the slow path (slowpath.h).
	uint32_t xdp_prog_id() const { return xdp_prog_id_; }
	uint32_t xdp_dispatcher_id() const { return xdp_dispatcher_id_; } // libxdp's, or 0
	// The decapsulator for BPF_PROG_TEST_RUN: the attached program itself, or, when it runs
	// in libxdp's dispatcher (whose extension programs cannot be test-run), a plain XDP copy
	// on the same maps (ctl/xdp_dispatcher.h). Invalid (-1) without a decapsulator.
	Fd test_run_program();
	int counters_fd() const;
	MonitorMaps monitor_maps() const;
	// The interface's name (of an orphan: the one its tunnel's alias names).
	const std::string &ifname() const { return ifname_; }
	MapStore &maps() { return *maps_; }

	Dataplane(Dataplane &&) noexcept;
	Dataplane &operator=(Dataplane &&) noexcept;
	~Dataplane();

private:
	Dataplane() = default;
	// Binds to the running dataplane whose encapsulator is on tun_ifindex; ifindex 0 for an
	// orphan. nullopt if the device does not carry stf-xdp's encapsulator.
	static std::optional<Dataplane> bind(const std::string &ifname, uint32_t ifindex,
					     uint32_t tun_ifindex);
	std::string ifname_;
	uint32_t ifindex_ = 0;
	uint32_t tun_ifindex_ = 0;
	uint32_t xdp_prog_id_ = 0;
	uint32_t xdp_dispatcher_id_ = 0; // libxdp's dispatcher running xdp_prog_id_, or 0
	uint32_t tc_prog_id_ = 0;
	std::optional<XdpMode> xdp_mode_;
	std::vector<LanHook> lan_; // stf_lan on the LAN interfaces (lan.h)
	Skeleton skel_;
	std::unique_ptr<MapStore> maps_;
};

} // namespace stf
