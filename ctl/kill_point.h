// Deterministic `kill -9` for the tests: with STF_XDP_KILL_AT=NAME in the environment, the
// process sends itself SIGKILL at the point called NAME, exactly as a kill at that instant
// would, so tests can show that every point leaves the old or the new state and that the next
// invocation cleans up or completes (tests/netns/test_kill.sh). Without the variable a point
// costs one getenv. Points: the attach steps (AttachStep names), "detach_marked",
// "detach_xdp_removed", "config_written" (a change written, not yet selected).
#pragma once

namespace stf {

void kill_point(const char *name);

} // namespace stf
