// Per-device sysctls stf-xdp sets on the devices it owns, never on anyone else's.
#pragma once

#include <string>

namespace stf {

// net.ipv4.conf.<ifname>.forwarding of this network namespace. The BPF programs' FIB
// lookups are made from the tunnel device (bpf/lib/fib.h), and bpf_fib_lookup refuses to look
// up from a device with IPv4 forwarding off. Throws Error with errno and the path on failure.
void set_ipv4_forwarding(const std::string &ifname, bool on);
bool ipv4_forwarding(const std::string &ifname); // false if it cannot be read

// net.ipv6.conf.<ifname>.disable_ipv6 = 1: for the tunnel pair's peer, which only transmits
// the frames decapsulation redirects into it and must send nothing of its own (no MLD).
void disable_ipv6(const std::string &ifname);

} // namespace stf
