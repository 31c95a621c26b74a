// `stf-xdp monitor`: sampled drop events from the dataplane's ring buffer (stf_events_v1,
// include/stf/contract.h), printed as they come until SIGINT or SIGTERM.
//
// The programs report drops only while the monitor's lease in stf_monitor_v1 is live: it is
// taken at the start, renewed every second and cleared at the end (also on SIGINT, SIGTERM
// and a closed output), and a monitor killed outright lets go when it runs out
// (STF_MONITOR_LEASE_NS). One monitor per attachment: a ring buffer's records go to one
// reader, so a second monitor of the same interface would see a random half; it is refused.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

namespace stf {

class Dataplane;

// Watches every dataplane in dps (one interface or all of the namespace), at most rate
// events per second per CPU for each. Returns when stopped; throws stf::Error if it cannot
// start (Exit::already_attached: another monitor watches one of them).
void run_monitor(std::vector<Dataplane> &dps, uint32_t rate, bool json, std::ostream &out);

} // namespace stf
