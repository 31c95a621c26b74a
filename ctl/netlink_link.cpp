// Links: look-ups by index or name, the veth pair that is stf-xdp's tunnel device, and the
// few settings changed on it (up, MTU, alias), over the libmnl core (netlink_core.h).
#include "netlink.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>

#include <climits>
#include <optional>

#include "error.h"
#include "netlink_core.h"

namespace stf::netlink {

using core::Request;

namespace {

struct Link {
	uint32_t index;
	std::string name;
	unsigned mtu;
	std::string alias;
};

// RTM_GETLINK by index (name empty) or by name (index 0); nullopt if there is no such link.
std::optional<Link> get_link(uint32_t ifindex, const std::string &name)
{
	const std::string context =
		"netlink: get link " + (name.empty() ? "#" + std::to_string(ifindex) : name);
	Request req(RTM_GETLINK, NLM_F_ACK);
	auto ifi = req.header<ifinfomsg>();
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = static_cast<int>(ifindex);
	if (!name.empty())
		mnl_attr_put_strz(req.nlh(), IFLA_IFNAME, name.c_str());
	mnl_attr_put_u32(req.nlh(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS); // no counters

	std::optional<Link> link;
	core::Verdict v = core::transact(req, context, [&link](const nlmsghdr *nlh) {
		if (nlh->nlmsg_type != RTM_NEWLINK || link)
			return;
		auto tb = core::parse(nlh, sizeof(ifinfomsg), IFLA_MAX);
		auto hdr = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(nlh));
		link = Link{static_cast<uint32_t>(hdr->ifi_index), core::attr_string(tb[IFLA_IFNAME]),
			    core::attr_u32(tb[IFLA_MTU]), core::attr_string(tb[IFLA_IFALIAS])};
	});
	if (v.err == ENODEV)
		return std::nullopt;
	if (v.err)
		core::fail(context, v);
	if (!link)
		sys_error(context + ": no RTM_NEWLINK in the answer", EPROTO);
	return link;
}

bool valid_index(uint32_t ifindex) { return ifindex && ifindex <= INT_MAX; }

// IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE = NONE } }: no link-local address.
void put_addr_gen_mode_none(nlmsghdr *nlh)
{
	nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	nlattr *inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
}

// RTM_NEWLINK on an existing link: the flags in change_mask set to flags, attributes to add.
Request setlink(uint32_t ifindex, unsigned flags, unsigned change_mask)
{
	Request req(RTM_NEWLINK, NLM_F_ACK);
	auto ifi = req.header<ifinfomsg>();
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = static_cast<int>(ifindex);
	ifi->ifi_flags = flags;
	ifi->ifi_change = change_mask;
	return req;
}

// IFLA_IFALIAS is sent without its NUL, as iproute2 does.
void put_alias(nlmsghdr *nlh, const std::string &alias)
{
	mnl_attr_put(nlh, IFLA_IFALIAS, alias.size(), alias.data());
}

} // namespace

uint32_t link_index(const std::string &name)
{
	if (name.empty() || name.size() >= IFNAMSIZ)
		return 0; // no link can have this name (and the kernel would call it invalid)
	auto link = get_link(0, name);
	return link ? link->index : 0;
}

std::string link_name(uint32_t ifindex)
{
	auto link = valid_index(ifindex) ? get_link(ifindex, "") : std::nullopt;
	return link ? link->name : "";
}

std::string link_alias(uint32_t ifindex)
{
	auto link = valid_index(ifindex) ? get_link(ifindex, "") : std::nullopt;
	return link ? link->alias : "";
}

unsigned link_mtu(uint32_t ifindex)
{
	auto link = valid_index(ifindex) ? get_link(ifindex, "") : std::nullopt;
	if (!link)
		sys_error("netlink: mtu of link #" + std::to_string(ifindex), ENODEV);
	return link->mtu;
}

void create_veth(const std::string &name, const std::string &peer, unsigned mtu,
		 unsigned peer_mtu, const std::string &alias)
{
	const std::string context = "netlink: create veth " + name + "/" + peer;
	Request req(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	nlmsghdr *nlh = req.nlh();
	auto ifi = req.header<ifinfomsg>();
	ifi->ifi_family = AF_UNSPEC;
	// NOARP and no MULTICAST, as sit gives its tunnels: the IPv6 stack never solicits
	// neighbours there and joins no further groups when forwarding changes. (The groups it
	// joins at registration, before these flags apply, are reported once when it comes up.)
	ifi->ifi_flags = IFF_NOARP;
	ifi->ifi_change = IFF_NOARP | IFF_MULTICAST;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	nlattr *peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	// The peer's own header and attributes, as in a RTM_NEWLINK of its own.
	auto peer_ifi = static_cast<ifinfomsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
	peer_ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer.c_str());
	mnl_attr_put_u32(nlh, IFLA_MTU, peer_mtu);
	mnl_attr_nest_end(nlh, peer_info);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);

	core::Verdict v = core::transact(req, context);
	if (v.err == EEXIST)
		throw Error(Exit::already_attached, context + ": a link with either name exists", EEXIST);
	if (v.err)
		core::fail(context, v);

	// The creating RTM_NEWLINK cannot carry the rest: the kernel refuses IFLA_AF_SPEC there
	// (EAFNOSUPPORT, seen on 6.18) and silently drops IFLA_IFALIAS. Set them on the
	// new, still down links, before anything brings them up and generates a link-local.
	// On failure, delete the half-configured pair (the peer goes with it).
	const uint32_t index = link_index(name), peer_index = link_index(peer);
	try {
		if (!index || !peer_index)
			sys_error(context + ": the new links vanished", ENODEV);
		Request main_end = setlink(index, 0, 0);
		put_addr_gen_mode_none(main_end.nlh());
		if (!alias.empty())
			put_alias(main_end.nlh(), alias);
		core::change(main_end, context + ": configure " + name);
		Request peer_end = setlink(peer_index, 0, 0);
		put_addr_gen_mode_none(peer_end.nlh());
		core::change(peer_end, context + ": configure " + peer);
	} catch (const Error &) {
		try {
			if (index)
				delete_link(index);
		} catch (const Error &) {
			// keep the first error: it says why
		}
		throw;
	}
}

void set_link_alias(uint32_t ifindex, const std::string &alias)
{
	Request req = setlink(ifindex, 0, 0);
	put_alias(req.nlh(), alias);
	core::change(req, "netlink: set the alias of link #" + std::to_string(ifindex));
}

void set_link_up(uint32_t ifindex)
{
	Request req = setlink(ifindex, IFF_UP, IFF_UP);
	core::change(req, "netlink: set link #" + std::to_string(ifindex) + " up");
}

void set_link_mtu(uint32_t ifindex, unsigned mtu)
{
	Request req = setlink(ifindex, 0, 0);
	mnl_attr_put_u32(req.nlh(), IFLA_MTU, mtu);
	core::change(req, "netlink: set link #" + std::to_string(ifindex) + " mtu " +
				  std::to_string(mtu));
}

void delete_link(uint32_t ifindex)
{
	Request req(RTM_DELLINK, NLM_F_ACK);
	auto ifi = req.header<ifinfomsg>();
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = static_cast<int>(ifindex);
	core::change(req, "netlink: delete link #" + std::to_string(ifindex), ENODEV);
}

} // namespace stf::netlink
