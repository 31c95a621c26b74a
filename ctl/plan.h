// apply's plan: the changes that take a running attachment to a desired configuration, as a
// pure function of the two, so it is unit-tested without a kernel and printed by --dry-run
// exactly as it will be applied (apply.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model.h"
#include "options.h"

namespace stf {

struct Plan {
	// What cannot change in place (the XDP program would have to be added, removed or
	// re-hooked): non-empty means nothing is applied; detach and attach instead.
	std::vector<std::string> refused;
	// One line per change, in the order apply makes them.
	std::vector<std::string> steps;

	std::vector<std::pair<FilterKind, Ipv4Prefix>> filter_adds, filter_dels;
	bool config_changed = false; // mode, ttl, relay, locals or a switch differ
	AttachOptions target;        // the desired configuration
	int default_route = 0;       // +1: add ::/0 into the tunnel (a relay appears), -1: remove

	bool empty() const { return steps.empty(); }
};

// The running configuration, as apply compares it.
AttachOptions running_options(const AttachmentInfo &info);

// running -> desired. desired has been validated (merge_options) and its locals filled in.
Plan make_plan(const AttachOptions &running, const AttachOptions &desired);

} // namespace stf
