// Wakes the service (run) when the host's links or IPv4 addresses change: an rtnetlink socket
// subscribed to RTMGRP_LINK and RTMGRP_IPV4_IFADDR. The messages themselves are not parsed:
// the service re-reads what it follows (Dataplane::follow_host), so a lost or coalesced event
// (a full socket buffer) costs nothing but a later wake-up.
#pragma once

#include "bpf_kernel.h"

namespace stf {

class LinkEvents {
public:
	LinkEvents(); // throws Error on failure
	int fd() const { return fd_.get(); }
	void drain(); // reads and discards what is queued

private:
	Fd fd_;
};

} // namespace stf
