// -n NAME, as `ip -n NAME`: the process joins the named network namespace before a command
// runs. Everything stf-xdp reads or changes afterwards (netlink, /proc/sys/net, /proc/net,
// ioctls, BPF hooks) then belongs to that namespace; nothing it uses lives in /sys.
#pragma once

#include <string>

namespace stf {

// Joins /run/netns/NAME (where `ip netns add` puts it). Throws a usage Error for a name
// that cannot be one, Error(Exit::no_interface) if there is no such namespace.
void enter_netns(const std::string &name);

} // namespace stf
