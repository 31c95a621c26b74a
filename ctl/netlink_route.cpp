// IPv6 routes into the tunnel device (main table, with an MTU metric), over the libmnl core.
#include "netlink.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "error.h"
#include "netlink_core.h"

namespace stf::netlink {

using core::Request;

namespace {

std::string prefix_text(const uint8_t prefix[16], uint8_t len)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, prefix, buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(len);
}

// An IPv6 route of the main table out of ifindex at metric, as add and delete name it.
Request route6(uint16_t type, uint16_t flags, const uint8_t prefix[16], uint8_t len,
	       uint32_t ifindex, unsigned metric)
{
	Request req(type, flags);
	auto rtm = req.header<rtmsg>();
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = len;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE; // delete: any scope
	}
	mnl_attr_put(req.nlh(), RTA_DST, 16, prefix);
	mnl_attr_put_u32(req.nlh(), RTA_OIF, ifindex);
	mnl_attr_put_u32(req.nlh(), RTA_PRIORITY, metric);
	return req;
}

} // namespace

void add_route6(const uint8_t prefix[16], uint8_t len, uint32_t ifindex, unsigned mtu,
		unsigned metric, bool replace, const uint8_t *gateway)
{
	const std::string route = prefix_text(prefix, len);
	const std::string context = std::string("netlink: ") + (replace ? "replace" : "add") +
				    " route " + route + " dev #" + std::to_string(ifindex);
	Request req = route6(RTM_NEWROUTE,
			     NLM_F_ACK | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL),
			     prefix, len, ifindex, metric);
	if (gateway)
		mnl_attr_put(req.nlh(), RTA_GATEWAY, 16, gateway);
	nlattr *metrics = mnl_attr_nest_start(req.nlh(), RTA_METRICS);
	mnl_attr_put_u32(req.nlh(), RTAX_MTU, mtu);
	mnl_attr_nest_end(req.nlh(), metrics);

	if (core::change(req, context, EEXIST) == EEXIST)
		sys_error("netlink: route " + route + " already exists", EEXIST);
}

void del_route6(const uint8_t prefix[16], uint8_t len, uint32_t ifindex, unsigned metric)
{
	Request req = route6(RTM_DELROUTE, NLM_F_ACK, prefix, len, ifindex, metric);
	core::change(req, "netlink: delete route " + prefix_text(prefix, len) + " dev #" +
				  std::to_string(ifindex));
}

} // namespace stf::netlink
