// The snapshot (snapshot.h): one dump each of links, IPv4 addresses and IPv6 routes.
#include "netlink.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "netlink_core.h"

namespace stf::netlink {

namespace {

std::vector<LinkState> links()
{
	core::Request req(RTM_GETLINK, NLM_F_DUMP);
	req.header<ifinfomsg>()->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(req.nlh(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS); // no counters
	std::vector<LinkState> out;
	for (const auto &m : core::dump(req, "netlink: list links")) {
		auto nlh = reinterpret_cast<const nlmsghdr *>(m.data());
		if (nlh->nlmsg_type != RTM_NEWLINK)
			continue;
		auto hdr = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(nlh));
		auto tb = core::parse(nlh, sizeof(ifinfomsg), IFLA_MAX);
		auto xdp = core::parse_nested(tb[IFLA_XDP], IFLA_XDP_MAX);
		out.push_back({static_cast<uint32_t>(hdr->ifi_index), core::attr_string(tb[IFLA_IFNAME]),
			       core::attr_u32(tb[IFLA_MTU]), core::attr_string(tb[IFLA_IFALIAS]),
			       core::attr_u32(xdp[IFLA_XDP_PROG_ID])});
	}
	return out;
}

std::vector<Route6State> routes6()
{
	core::Request req(RTM_GETROUTE, NLM_F_DUMP);
	req.header<rtmsg>()->rtm_family = AF_INET6;
	std::vector<Route6State> out;
	for (const auto &m : core::dump(req, "netlink: list IPv6 routes")) {
		auto nlh = reinterpret_cast<const nlmsghdr *>(m.data());
		if (nlh->nlmsg_type != RTM_NEWROUTE)
			continue;
		auto rtm = static_cast<const rtmsg *>(mnl_nlmsg_get_payload(nlh));
		if (rtm->rtm_family != AF_INET6)
			continue;
		auto tb = core::parse(nlh, sizeof(rtmsg), RTA_MAX);
		Route6State r;
		r.len = rtm->rtm_dst_len;
		if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) == r.dst.size())
			std::memcpy(r.dst.data(), mnl_attr_get_payload(tb[RTA_DST]), r.dst.size());
		r.oif = core::attr_u32(tb[RTA_OIF]);
		r.metric = core::attr_u32(tb[RTA_PRIORITY]);
		r.table = tb[RTA_TABLE] ? core::attr_u32(tb[RTA_TABLE]) : rtm->rtm_table;
		out.push_back(r);
	}
	return out;
}

} // namespace

HostSnapshot read_snapshot()
{
	HostSnapshot s;
	s.links = links();
	for (const Ipv4Address &a : ipv4_addresses())
		s.addresses.push_back({a.ifindex, a.addr, a.prefixlen});
	s.routes6 = routes6();
	return s;
}

} // namespace stf::netlink
