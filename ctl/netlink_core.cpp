#include "netlink_core.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "error.h"

namespace stf::netlink::core {

namespace {

// Large enough for any single request we build (a veth with its peer is ~100 bytes).
constexpr size_t kRequestBytes = 1024;
// Dump parts are at most ~32 KiB (the kernel sizes them by the reader's buffer).
constexpr size_t kReceiveBytes = 64 * 1024;
constexpr int kDumpAttempts = 5;

struct SocketCloser {
	void operator()(mnl_socket *s) const { mnl_socket_close(s); }
};
using Socket = std::unique_ptr<mnl_socket, SocketCloser>;

Socket open_socket(const std::string &context)
{
	Socket s(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
	if (!s)
		sys_error(context + ": netlink socket", errno);
	// Best effort: extended ACKs give the kernel's reason for a refusal, and capped ACKs
	// spare us the echo of our own request.
	int one = 1;
	mnl_socket_setsockopt(s.get(), NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s.get(), NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0)
		sys_error(context + ": netlink bind", errno);
	return s;
}

struct Answer {
	const OnMessage *each;
	Verdict verdict;
};

int on_data(const nlmsghdr *nlh, void *data)
{
	auto *a = static_cast<Answer *>(data);
	if (*a->each)
		(*a->each)(nlh);
	return MNL_CB_OK;
}

int on_extack_attr(const nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
		*static_cast<std::string *>(data) = attr_string(attr);
	return MNL_CB_OK;
}

// NLMSG_ERROR carries nlmsgerr (error 0 is the ACK); NLMSG_DONE carries an int status.
// Either may be followed by extended-ACK attributes when NLM_F_ACK_TLVS is set. libmnl's own
// handlers keep only the errno, so these replace them to keep the kernel's text as well.
int on_status(const nlmsghdr *nlh, void *data)
{
	Verdict &v = static_cast<Answer *>(data)->verdict;
	const size_t payload = mnl_nlmsg_get_payload_len(nlh);
	const char *p = static_cast<const char *>(mnl_nlmsg_get_payload(nlh));
	int status = 0;
	if (payload < sizeof(int)) {
		v.err = EPROTO;
		return MNL_CB_STOP;
	}
	std::memcpy(&status, p, sizeof(status));
	size_t skip = MNL_ALIGN(sizeof(int));
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (payload < sizeof(nlmsgerr)) {
			v.err = EPROTO;
			return MNL_CB_STOP;
		}
		auto err = reinterpret_cast<const nlmsgerr *>(p);
		skip = sizeof(nlmsgerr);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) // our request is echoed: skip it
			skip += MNL_ALIGN(err->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	}
	v.err = std::abs(status);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && skip < payload)
		mnl_attr_parse_payload(p + skip, payload - skip, on_extack_attr, &v.extack);
	return MNL_CB_STOP;
}

// Returns false if the kernel flagged the dump as interrupted (libmnl: EINTR).
bool run(Request &req, const std::string &context, const OnMessage &each, Verdict &out)
{
	Socket sock = open_socket(context);
	nlmsghdr *nlh = req.nlh();
	nlh->nlmsg_seq = 1; // a fresh socket: nothing else can answer
	if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
		sys_error(context + ": netlink send", errno);

	const unsigned portid = mnl_socket_get_portid(sock.get());
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {};
	ctl[NLMSG_ERROR] = on_status;
	ctl[NLMSG_DONE] = on_status;
	Answer answer{&each, {}};
	std::vector<char> buf(kReceiveBytes);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOSPC)
			sys_error(context + ": netlink receive: message truncated", EMSGSIZE);
		if (n < 0)
			sys_error(context + ": netlink receive", errno);
		int ret = mnl_cb_run2(buf.data(), static_cast<size_t>(n), nlh->nlmsg_seq, portid,
				      on_data, &answer, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR && errno == EINTR)
			return false;
		if (ret == MNL_CB_ERROR)
			sys_error(context + ": netlink receive", errno);
		if (ret == MNL_CB_STOP) {
			out = answer.verdict;
			return true;
		}
	}
}

} // namespace

Request::Request(uint16_t type, uint16_t flags) : buf_(kRequestBytes, 0)
{
	nlh_ = mnl_nlmsg_put_header(buf_.data());
	nlh_->nlmsg_type = type;
	nlh_->nlmsg_flags = NLM_F_REQUEST | flags;
}

Verdict transact(Request &req, const std::string &context, const OnMessage &each)
{
	Verdict v;
	if (!run(req, context, each, v))
		sys_error(context + ": the answer was interrupted", EINTR);
	return v;
}

void fail(const std::string &context, const Verdict &v)
{
	sys_error(v.extack.empty() ? context : context + " (kernel: " + v.extack + ")", v.err);
}

int change(Request &req, const std::string &context, int tolerated)
{
	Verdict v = transact(req, context);
	if (v.err && v.err != tolerated)
		fail(context, v);
	return v.err;
}

std::vector<std::vector<char>> dump(Request &req, const std::string &context)
{
	std::vector<std::vector<char>> msgs;
	OnMessage keep = [&msgs](const nlmsghdr *nlh) {
		auto p = reinterpret_cast<const char *>(nlh);
		msgs.emplace_back(p, p + nlh->nlmsg_len);
	};
	for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
		msgs.clear();
		Verdict v;
		if (!run(req, context, keep, v))
			continue; // the table changed while we read it: read it again
		if (v.err)
			fail(context, v);
		return msgs;
	}
	sys_error(context + ": the table kept changing during the dump", EINTR);
}

std::string attr_string(const nlattr *a)
{
	if (!a)
		return "";
	auto p = static_cast<const char *>(mnl_attr_get_payload(a));
	return std::string(p, strnlen(p, mnl_attr_get_payload_len(a)));
}

uint32_t attr_u32(const nlattr *a)
{
	uint32_t v = 0;
	if (a && mnl_attr_get_payload_len(a) >= sizeof(v))
		std::memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

namespace {

int index_attr(const nlattr *a, void *data)
{
	auto &tb = *static_cast<std::vector<const nlattr *> *>(data);
	unsigned type = mnl_attr_get_type(a); // libmnl strips the nested flag
	if (type < tb.size())
		tb[type] = a;
	return MNL_CB_OK;
}

} // namespace

std::vector<const nlattr *> parse(const nlmsghdr *nlh, size_t header_len, unsigned max)
{
	std::vector<const nlattr *> tb(max + 1, nullptr);
	if (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + MNL_ALIGN(header_len))
		mnl_attr_parse(nlh, static_cast<unsigned>(MNL_ALIGN(header_len)), index_attr, &tb);
	return tb;
}

std::vector<const nlattr *> parse_nested(const nlattr *nest, unsigned max)
{
	std::vector<const nlattr *> tb(max + 1, nullptr);
	if (nest)
		mnl_attr_parse_nested(nest, index_attr, &tb);
	return tb;
}

} // namespace stf::netlink::core
