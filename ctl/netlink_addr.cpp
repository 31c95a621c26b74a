// The host's IPv4 addresses (one dump), over the libmnl core.
#include "netlink.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink_core.h"

namespace stf::netlink {

std::vector<Ipv4Address> ipv4_addresses(uint32_t ifindex)
{
	core::Request req(RTM_GETADDR, NLM_F_DUMP);
	req.header<ifaddrmsg>()->ifa_family = AF_INET;

	std::vector<Ipv4Address> out;
	for (const auto &m : core::dump(req, "netlink: list IPv4 addresses")) {
		auto nlh = reinterpret_cast<const nlmsghdr *>(m.data());
		if (nlh->nlmsg_type != RTM_NEWADDR)
			continue;
		auto hdr = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(nlh));
		// Without strict checking the kernel ignores ifa_index in a dump: filter here.
		if (hdr->ifa_family != AF_INET || (ifindex && hdr->ifa_index != ifindex))
			continue;
		auto tb = core::parse(nlh, sizeof(ifaddrmsg), IFA_MAX);
		// IFA_LOCAL is our address; IFA_ADDRESS is the peer's on point-to-point links.
		const nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
		if (!a || mnl_attr_get_payload_len(a) < 4)
			continue;
		out.push_back({hdr->ifa_index, ntohl(core::attr_u32(a)), hdr->ifa_prefixlen});
	}
	return out;
}

} // namespace stf::netlink
