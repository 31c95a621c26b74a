#include "link_events.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "error.h"

namespace stf {

LinkEvents::LinkEvents() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE))
{
	if (fd_.get() < 0)
		sys_error("netlink socket for link events", errno);
	sockaddr_nl sa{};
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR;
	if (::bind(fd_.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
		sys_error("subscribe to link and address events", errno);
}

void LinkEvents::drain()
{
	char buf[8192];
	for (;;) {
		ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), MSG_DONTWAIT);
		// ENOBUFS: events were lost; the caller re-reads everything anyway.
		if (n == 0 || (n < 0 && errno != ENOBUFS))
			return;
	}
}

} // namespace stf
