// Hand-written rtnetlink over NETLINK_ROUTE: a socket per call (so no state survives a call
// and every call acts in the caller's current network namespace), requests acknowledged with
// NLM_F_ACK, dumps read until NLMSG_DONE. Kernel errors come back as positive errnos plus the
// kernel's extended-ACK text, which ends up in the stf::Error message.
#include "netlink.h"

#include "error.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace stf::netlink {
namespace {

// One request: nlmsghdr, a family header (ifinfomsg, rtmsg, ...), then attributes, which may
// nest. Offsets rather than pointers, because appending may reallocate.
class Message {
public:
	Message(uint16_t type, uint16_t flags) : buf_(NLMSG_HDRLEN, 0)
	{
		nlmsghdr hdr{};
		hdr.nlmsg_type = type;
		hdr.nlmsg_flags = NLM_F_REQUEST | flags;
		std::memcpy(buf_.data(), &hdr, sizeof(hdr));
	}

	// Appends a fixed header (ifinfomsg, ...) or raw payload, padded to NLMSG_ALIGNTO.
	void put(const void *data, size_t len)
	{
		size_t off = buf_.size();
		buf_.resize(off + NLMSG_ALIGN(len), 0);
		std::memcpy(buf_.data() + off, data, len);
	}
	template <typename T> void put(const T &header) { put(&header, sizeof(header)); }

	void attr(uint16_t type, const void *data, size_t len)
	{
		rtattr rta{};
		rta.rta_type = type;
		rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
		put(&rta, sizeof(rta)); // sizeof(rtattr) == RTA_LENGTH(0): already aligned
		put(data, len);
	}
	void attr_u8(uint16_t type, uint8_t v) { attr(type, &v, sizeof(v)); }
	void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof(v)); }
	void attr_str(uint16_t type, const std::string &s) { attr(type, s.c_str(), s.size() + 1); }

	// begin_nest() returns a token for end_nest(), which fixes the nest's length.
	size_t begin_nest(uint16_t type)
	{
		size_t off = buf_.size();
		attr(type | NLA_F_NESTED, nullptr, 0);
		return off;
	}
	void end_nest(size_t off)
	{
		auto len = static_cast<unsigned short>(buf_.size() - off);
		std::memcpy(buf_.data() + off + offsetof(rtattr, rta_len), &len, sizeof(len));
	}

	// Stamps length and sequence number; returns the bytes to send.
	const std::vector<char> &finish(uint32_t seq)
	{
		auto len = static_cast<uint32_t>(buf_.size());
		std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof(len));
		std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof(seq));
		return buf_;
	}

private:
	std::vector<char> buf_;
};

struct Reply {
	int err = 0;                          // positive errno the kernel answered, 0 for success
	std::string extack;                   // the kernel's explanation, when it gave one
	std::vector<std::vector<char>> msgs;  // data messages (a get's answer, a dump's entries)
	bool interrupted = false;             // NLM_F_DUMP_INTR: the table changed during the dump
};

// "context (kernel: extack): strerror (ENAME)".
[[noreturn]] void fail(const std::string &context, const Reply &r)
{
	sys_error(r.extack.empty() ? context : context + " (kernel: " + r.extack + ")", r.err);
}

// Attributes in [data, data+len) indexed by type (nested flag stripped); absent ones are null.
std::vector<const rtattr *> parse_attrs(const void *data, size_t len, unsigned max)
{
	std::vector<const rtattr *> tb(max + 1, nullptr);
	auto rta = static_cast<const rtattr *>(data);
	for (auto left = static_cast<unsigned>(len); RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		unsigned type = rta->rta_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = rta;
	}
	return tb;
}

// The attributes following a message's family header T.
template <typename T>
std::vector<const rtattr *> message_attrs(const std::vector<char> &msg, unsigned max)
{
	auto nlh = reinterpret_cast<const nlmsghdr *>(msg.data());
	size_t off = NLMSG_SPACE(sizeof(T));
	if (nlh->nlmsg_len < off)
		return std::vector<const rtattr *>(max + 1, nullptr);
	return parse_attrs(msg.data() + off, nlh->nlmsg_len - off, max);
}

template <typename T> const T *family_header(const std::vector<char> &msg)
{
	return static_cast<const T *>(NLMSG_DATA(reinterpret_cast<const nlmsghdr *>(msg.data())));
}

uint32_t attr_u32(const rtattr *rta)
{
	uint32_t v = 0;
	if (rta && RTA_PAYLOAD(rta) >= sizeof(v))
		std::memcpy(&v, RTA_DATA(rta), sizeof(v));
	return v;
}

class Socket {
public:
	explicit Socket(const std::string &context) : context_(context)
	{
		fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd_ < 0)
			sys_error(context_ + ": netlink socket", errno);
		// Best effort: extended ACKs give the kernel's reason for a refusal, and capped ACKs
		// spare us the echo of our own request.
		int one = 1;
		::setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
		::setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
		sockaddr_nl sa{};
		sa.nl_family = AF_NETLINK;
		if (::bind(fd_, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0) {
			int err = errno;
			::close(fd_);
			sys_error(context_ + ": netlink bind", err);
		}
	}
	~Socket() { ::close(fd_); }
	Socket(const Socket &) = delete;
	Socket &operator=(const Socket &) = delete;

	// Sends msg and collects the answer up to its ACK/error (requests) or NLMSG_DONE (dumps).
	// Socket-level failures throw; the kernel's verdict is returned in Reply::err.
	Reply transact(Message &msg)
	{
		const uint32_t seq = ++seq_;
		const std::vector<char> &req = msg.finish(seq);
		sockaddr_nl kernel{};
		kernel.nl_family = AF_NETLINK;
		ssize_t n;
		do
			n = ::sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<sockaddr *>(&kernel),
				     sizeof(kernel));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			sys_error(context_ + ": netlink send", errno);

		Reply reply;
		// Dump parts are at most ~32 KiB (the kernel sizes them by our largest buffer).
		std::vector<char> buf(64 * 1024);
		for (;;) {
			sockaddr_nl from{};
			socklen_t fromlen = sizeof(from);
			n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC,
				       reinterpret_cast<sockaddr *>(&from), &fromlen);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				sys_error(context_ + ": netlink receive", errno);
			if (static_cast<size_t>(n) > buf.size())
				sys_error(context_ + ": netlink receive: message truncated", EMSGSIZE);
			if (from.nl_pid != 0)
				continue; // not from the kernel

			auto left = static_cast<unsigned>(n);
			for (auto nlh = reinterpret_cast<const nlmsghdr *>(buf.data()); NLMSG_OK(nlh, left);
			     nlh = NLMSG_NEXT(nlh, left)) {
				if (nlh->nlmsg_seq != seq)
					continue; // a stale answer, not ours
				if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
					reply.interrupted = true;
				if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
					parse_status(nlh, reply);
					return reply;
				}
				auto p = reinterpret_cast<const char *>(nlh);
				reply.msgs.emplace_back(p, p + nlh->nlmsg_len);
			}
		}
	}

private:
	// NLMSG_ERROR carries nlmsgerr (error 0 is the ACK); NLMSG_DONE carries an int status.
	// Either may be followed by extended-ACK attributes when NLM_F_ACK_TLVS is set.
	static void parse_status(const nlmsghdr *nlh, Reply &reply)
	{
		size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
		size_t skip;
		int status;
		if (payload < sizeof(int)) {
			reply.err = EPROTO;
			return;
		}
		std::memcpy(&status, NLMSG_DATA(nlh), sizeof(status));
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (payload < sizeof(nlmsgerr)) {
				reply.err = EPROTO;
				return;
			}
			auto err = static_cast<const nlmsgerr *>(NLMSG_DATA(nlh));
			skip = sizeof(nlmsgerr);
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) // our request is echoed: skip it
				skip += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
		} else {
			skip = NLMSG_ALIGN(sizeof(int));
		}
		reply.err = status < 0 ? -status : status;
		if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || skip >= payload)
			return;
		auto tb = parse_attrs(static_cast<const char *>(NLMSG_DATA(nlh)) + skip, payload - skip,
				      NLMSGERR_ATTR_MAX);
		if (const rtattr *msg = tb[NLMSGERR_ATTR_MSG])
			reply.extack.assign(static_cast<const char *>(RTA_DATA(msg)),
					    strnlen(static_cast<const char *>(RTA_DATA(msg)), RTA_PAYLOAD(msg)));
	}

	std::string context_;
	int fd_ = -1;
	uint32_t seq_ = 0;
};

// Runs a request that changes state; throws on any refusal except the errno `tolerated`.
// Returns the kernel's errno (0 or `tolerated`).
int change(Message &msg, const std::string &context, int tolerated = 0)
{
	Socket sock(context);
	Reply r = sock.transact(msg);
	if (r.err && r.err != tolerated)
		fail(context, r);
	return r.err;
}

// A dump, restarted when the kernel reports the table changed while we read it.
std::vector<std::vector<char>> dump(Message &msg, const std::string &context)
{
	Socket sock(context);
	for (int attempt = 0;; ++attempt) {
		Reply r = sock.transact(msg);
		if (r.err)
			fail(context, r);
		if (!r.interrupted || attempt == 4)
			return std::move(r.msgs);
	}
}

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
	Message msg(RTM_GETLINK, NLM_F_ACK);
	ifinfomsg ifi{};
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = static_cast<int>(ifindex);
	msg.put(ifi);
	if (!name.empty())
		msg.attr_str(IFLA_IFNAME, name);
	msg.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS); // we do not need the counters

	Socket sock(context);
	Reply r = sock.transact(msg);
	if (r.err == ENODEV)
		return std::nullopt;
	if (r.err)
		fail(context, r);
	for (const auto &m : r.msgs) {
		if (reinterpret_cast<const nlmsghdr *>(m.data())->nlmsg_type != RTM_NEWLINK)
			continue;
		auto tb = message_attrs<ifinfomsg>(m, IFLA_MAX);
		Link link{static_cast<uint32_t>(family_header<ifinfomsg>(m)->ifi_index), "",
			  attr_u32(tb[IFLA_MTU])};
		if (const rtattr *n = tb[IFLA_IFNAME])
			link.name.assign(static_cast<const char *>(RTA_DATA(n)),
					 strnlen(static_cast<const char *>(RTA_DATA(n)), RTA_PAYLOAD(n)));
		if (const rtattr *a = tb[IFLA_IFALIAS])
			link.alias.assign(static_cast<const char *>(RTA_DATA(a)),
					  strnlen(static_cast<const char *>(RTA_DATA(a)), RTA_PAYLOAD(a)));
		return link;
	}
	sys_error(context + ": no RTM_NEWLINK in the answer", EPROTO);
}

// IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE = NONE } }: no link-local address.
void put_addr_gen_mode_none(Message &msg)
{
	size_t spec = msg.begin_nest(IFLA_AF_SPEC);
	size_t inet6 = msg.begin_nest(AF_INET6);
	msg.attr_u8(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	msg.end_nest(inet6);
	msg.end_nest(spec);
}

Message setlink(uint32_t ifindex, unsigned flags, unsigned change_mask)
{
	Message msg(RTM_NEWLINK, NLM_F_ACK);
	ifinfomsg ifi{};
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = static_cast<int>(ifindex);
	ifi.ifi_flags = flags;
	ifi.ifi_change = change_mask;
	msg.put(ifi);
	return msg;
}

std::string prefix_text(const uint8_t prefix[16], uint8_t len)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, prefix, buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(len);
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
	if (ifindex == 0 || ifindex > INT_MAX)
		return "";
	auto link = get_link(ifindex, "");
	return link ? link->name : "";
}

std::string link_alias(uint32_t ifindex)
{
	if (ifindex == 0 || ifindex > INT_MAX)
		return "";
	auto link = get_link(ifindex, "");
	return link ? link->alias : "";
}

unsigned link_mtu(uint32_t ifindex)
{
	auto link = ifindex && ifindex <= INT_MAX ? get_link(ifindex, "") : std::nullopt;
	if (!link)
		sys_error("netlink: mtu of link #" + std::to_string(ifindex), ENODEV);
	return link->mtu;
}

void create_veth(const std::string &name, const std::string &peer, unsigned mtu,
		 unsigned peer_mtu, const std::string &alias)
{
	const std::string context = "netlink: create veth " + name + "/" + peer;
	Message msg(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifinfomsg ifi{};
	ifi.ifi_family = AF_UNSPEC;
	// NOARP and no MULTICAST, as sit gives its tunnels: the IPv6 stack never solicits
	// neighbours there and joins no further groups when forwarding changes. (The groups it
	// joins at registration, before these flags apply, are reported once when it comes up.)
	ifi.ifi_flags = IFF_NOARP;
	ifi.ifi_change = IFF_NOARP | IFF_MULTICAST;
	msg.put(ifi);
	msg.attr_str(IFLA_IFNAME, name);
	msg.attr_u32(IFLA_MTU, mtu);
	size_t linkinfo = msg.begin_nest(IFLA_LINKINFO);
	msg.attr_str(IFLA_INFO_KIND, "veth");
	size_t data = msg.begin_nest(IFLA_INFO_DATA);
	size_t peer_info = msg.begin_nest(VETH_INFO_PEER);
	ifinfomsg peer_ifi{}; // the peer's own header and attributes, as in a RTM_NEWLINK
	peer_ifi.ifi_family = AF_UNSPEC;
	msg.put(peer_ifi);
	msg.attr_str(IFLA_IFNAME, peer);
	msg.attr_u32(IFLA_MTU, peer_mtu);
	msg.end_nest(peer_info);
	msg.end_nest(data);
	msg.end_nest(linkinfo);

	Socket sock(context);
	Reply r = sock.transact(msg);
	if (r.err == EEXIST)
		throw Error(Exit::already_attached, context + ": a link with either name exists", EEXIST);
	if (r.err)
		fail(context, r);

	// The creating RTM_NEWLINK cannot carry the rest: the kernel refuses IFLA_AF_SPEC there
	// (EAFNOSUPPORT, seen on 6.18) and silently drops IFLA_IFALIAS. Set them on the
	// new, still down links, before anything brings them up and generates a link-local.
	// On failure, delete the half-configured pair (the peer goes with it).
	const uint32_t index = link_index(name), peer_index = link_index(peer);
	try {
		if (!index || !peer_index)
			sys_error(context + ": the new links vanished", ENODEV);
		Message main_end = setlink(index, 0, 0);
		put_addr_gen_mode_none(main_end);
		if (!alias.empty()) // sent without its NUL, as iproute2 does
			main_end.attr(IFLA_IFALIAS, alias.data(), alias.size());
		change(main_end, context + ": configure " + name);
		Message peer_end = setlink(peer_index, 0, 0);
		put_addr_gen_mode_none(peer_end);
		change(peer_end, context + ": configure " + peer);
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
	Message msg = setlink(ifindex, 0, 0);
	msg.attr(IFLA_IFALIAS, alias.data(), alias.size()); // without its NUL, as iproute2 does
	change(msg, "netlink: set the alias of link #" + std::to_string(ifindex));
}

void set_link_up(uint32_t ifindex)
{
	Message msg = setlink(ifindex, IFF_UP, IFF_UP);
	change(msg, "netlink: set link #" + std::to_string(ifindex) + " up");
}

void set_link_mtu(uint32_t ifindex, unsigned mtu)
{
	Message msg = setlink(ifindex, 0, 0);
	msg.attr_u32(IFLA_MTU, mtu);
	change(msg, "netlink: set link #" + std::to_string(ifindex) + " mtu " + std::to_string(mtu));
}

void delete_link(uint32_t ifindex)
{
	Message msg(RTM_DELLINK, NLM_F_ACK);
	ifinfomsg ifi{};
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = static_cast<int>(ifindex);
	msg.put(ifi);
	change(msg, "netlink: delete link #" + std::to_string(ifindex), ENODEV);
}

namespace {

// An IPv6 route of the main table out of ifindex at metric, as add and delete name it.
Message route6_msg(uint16_t type, uint16_t flags, const uint8_t prefix[16], uint8_t len,
		   uint32_t ifindex, unsigned metric)
{
	Message msg(type, flags);
	rtmsg rtm{};
	rtm.rtm_family = AF_INET6;
	rtm.rtm_dst_len = len;
	rtm.rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		rtm.rtm_protocol = RTPROT_STATIC;
		rtm.rtm_scope = RT_SCOPE_UNIVERSE;
		rtm.rtm_type = RTN_UNICAST;
	} else {
		rtm.rtm_scope = RT_SCOPE_NOWHERE; // delete: any scope
	}
	msg.put(rtm);
	msg.attr(RTA_DST, prefix, 16);
	msg.attr_u32(RTA_OIF, ifindex);
	msg.attr_u32(RTA_PRIORITY, metric);
	return msg;
}

} // namespace

void add_route6(const uint8_t prefix[16], uint8_t len, uint32_t ifindex, unsigned mtu,
		unsigned metric, bool replace)
{
	const std::string route = prefix_text(prefix, len);
	const std::string context = std::string("netlink: ") + (replace ? "replace" : "add") +
				    " route " + route + " dev #" + std::to_string(ifindex);
	Message msg = route6_msg(RTM_NEWROUTE,
				 NLM_F_ACK | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL),
				 prefix, len, ifindex, metric);
	size_t metrics = msg.begin_nest(RTA_METRICS);
	msg.attr_u32(RTAX_MTU, mtu);
	msg.end_nest(metrics);

	if (change(msg, context, EEXIST) == EEXIST)
		sys_error("netlink: route " + route + " already exists", EEXIST);
}

void del_route6(const uint8_t prefix[16], uint8_t len, uint32_t ifindex, unsigned metric)
{
	Message msg = route6_msg(RTM_DELROUTE, NLM_F_ACK, prefix, len, ifindex, metric);
	change(msg, "netlink: delete route " + prefix_text(prefix, len) + " dev #" +
			    std::to_string(ifindex));
}

std::vector<Ipv4Address> ipv4_addresses(uint32_t ifindex)
{
	Message msg(RTM_GETADDR, NLM_F_DUMP);
	ifaddrmsg ifa{};
	ifa.ifa_family = AF_INET;
	msg.put(ifa);

	std::vector<Ipv4Address> out;
	for (const auto &m : dump(msg, "netlink: list IPv4 addresses")) {
		if (reinterpret_cast<const nlmsghdr *>(m.data())->nlmsg_type != RTM_NEWADDR)
			continue;
		const ifaddrmsg *hdr = family_header<ifaddrmsg>(m);
		// Without strict checking the kernel ignores ifa_index in a dump: filter here.
		if (hdr->ifa_family != AF_INET || (ifindex && hdr->ifa_index != ifindex))
			continue;
		auto tb = message_attrs<ifaddrmsg>(m, IFA_MAX);
		// IFA_LOCAL is our address; IFA_ADDRESS is the peer's on point-to-point links.
		const rtattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
		if (!a || RTA_PAYLOAD(a) < 4)
			continue;
		out.push_back({hdr->ifa_index, ntohl(attr_u32(a)), hdr->ifa_prefixlen});
	}
	return out;
}

} // namespace stf::netlink
