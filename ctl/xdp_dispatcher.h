// stf-xdp's decapsulator as one program among others on an interface's XDP hook, through
// libxdp's multi-program dispatcher (attach --xdp-dispatcher). libxdp loads our program as an
// extension (freplace) of its dispatcher and keeps the state in bpffs
// (<bpffs>/xdp/dispatch-<ifindex>-<dispatcher id>/), which is where a later invocation finds
// it again: the kernel alone does not say which programs a dispatcher runs.
//
// The default attach (no dispatcher) does not use this file beyond recognising a dispatcher
// that someone else put on the interface.
#pragma once

#include <cstdint>
#include <string>

#include "bpf_kernel.h"
#include "options.h"

struct stf_bpf;

namespace stf::dispatcher {

// Where stf-xdp's decapsulator runs among the dispatcher's programs (lower runs first; libxdp's
// default is 50, xdp-filter's 10): after the programs loaded at the default priority, so a
// filter or counter sees the tunnel's packets before they are decapsulated. What we redirect
// ends the chain; what we pass (XDP_PASS: not protocol 41 to one of our V4ADDRs) goes on to
// the next program.
constexpr unsigned kRunPriority = 100;

// The name libxdp gives its dispatcher program.
inline const std::string kDispatcherName = "xdp_dispatcher";

// True if prog_id is a libxdp dispatcher (by its name; the kernel alone can tell that much).
bool is_dispatcher(uint32_t prog_id);

// The id of the program named name among the dispatcher's on ifindex, or 0. Throws if the
// dispatcher's programs cannot be read (no bpffs where libxdp keeps them).
uint32_t component(uint32_t ifindex, const std::string &name);

// What attach must refuse on ifindex's XDP hook before changing anything: any program when
// want_dispatcher is false (as always), and with it a program that is not a libxdp dispatcher,
// a dispatcher in the other XDP mode, or one that already runs stf-xdp's decapsulator.
void check_hook(uint32_t ifindex, bool want_dispatcher, XdpMode mode, const std::string &ctx);

// Loads skel's decapsulator (sharing skel's maps) into ifindex's dispatcher, creating the
// dispatcher if there is none; returns the program's id. Refuses, leaving the hook as it was,
// when libxdp could only attach it without a dispatcher (no bpffs, or a kernel that refuses
// freplace programs).
uint32_t attach_decap(stf_bpf *skel, uint32_t ifindex, XdpMode mode, const std::string &ctx);

// Removes program prog_id from ifindex's dispatcher, leaving the others running (and the
// dispatcher gone if it was the last).
void detach_decap(uint32_t ifindex, uint32_t prog_id, const std::string &ctx);

// A plain XDP copy of the decapsulator of skel (a skeleton opened and bound to a running
// dataplane's maps, not loaded), for BPF_PROG_TEST_RUN: the kernel cannot test-run an
// extension program. Same checks, same maps, same counters.
Fd load_test_run_copy(stf_bpf *skel);

} // namespace stf::dispatcher
