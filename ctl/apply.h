// Carries out a Plan (plan.h) on a running attachment, in the plan's order, as one
// transaction: if a step fails, the steps already made are undone in reverse and the error
// propagates. The configuration changes are one atomic config write (the double-buffered
// config, maps.h), so no packet sees half of them; filters change entry by entry in the order
// the plan gives (additions first). Written against MapStore and RouteOps so the order and
// the rollback are unit-tested with fakes.
#pragma once

#include "maps.h"
#include "plan.h"

namespace stf {

// The default route into the tunnel, which a relay needs (::/0 at metric 2048).
class RouteOps {
public:
	virtual ~RouteOps() = default;
	virtual void add_default() = 0;
	virtual void del_default() = 0;
};

// Checks the plan against the running config (a new local or relay must not be a connected
// subnet's broadcast): a usage Error before anything changes. Then applies it.
void apply_plan(const Plan &plan, MapStore &maps, RouteOps &routes);

} // namespace stf
