// The request core under ctl/netlink_*.cpp (not for other callers): a libmnl socket per call,
// so no state survives a call and every call acts in the caller's current network namespace;
// requests acknowledged with NLM_F_ACK; dumps read until NLMSG_DONE and restarted when the
// kernel reports that the table changed under them. Kernel refusals become stf::Error with
// the kernel's extended-ACK text: "context (kernel: extack): strerror (ENAME)".
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace stf::netlink::core {

// One request message, built in place with libmnl's mnl_nlmsg_* and mnl_attr_* calls on nlh().
class Request {
public:
	Request(uint16_t type, uint16_t flags);
	// Movable (the buffer moves with its header pointer), never copied.
	Request(Request &&) = default;
	Request &operator=(Request &&) = default;
	Request(const Request &) = delete;
	Request &operator=(const Request &) = delete;
	nlmsghdr *nlh() { return nlh_; }
	// The family header (ifinfomsg, rtmsg, ...), zeroed, right after the netlink header.
	template <typename T> T *header()
	{
		return static_cast<T *>(mnl_nlmsg_put_extra_header(nlh_, sizeof(T)));
	}

private:
	std::vector<char> buf_;
	nlmsghdr *nlh_;
};

// The kernel's verdict on a request: a positive errno (0 for success) and its explanation.
struct Verdict {
	int err = 0;
	std::string extack;
};

// Called for every data message of an answer (a get's reply, a dump's entries).
using OnMessage = std::function<void(const nlmsghdr *)>;

// Sends req on a fresh socket and passes the answer's data messages to each (may be empty).
// Socket-level failures throw; the kernel's verdict is returned.
Verdict transact(Request &req, const std::string &context, const OnMessage &each = {});

// "context (kernel: extack): strerror (ENAME)" as an Exit::failure.
[[noreturn]] void fail(const std::string &context, const Verdict &v);

// A request that changes state; throws on any refusal except the errno `tolerated`.
// Returns the kernel's errno (0 or `tolerated`).
int change(Request &req, const std::string &context, int tolerated = 0);

// A dump (req carries NLM_F_DUMP): every entry, copied, from one consistent pass.
std::vector<std::vector<char>> dump(Request &req, const std::string &context);

// A string attribute's value without its NUL (or "" if absent or malformed).
std::string attr_string(const nlattr *a);
// A u32 attribute's value, 0 if absent or too short.
uint32_t attr_u32(const nlattr *a);

// The attributes after a message's family header of `header_len` bytes, indexed by type
// (nested flag stripped); absent ones are null.
std::vector<const nlattr *> parse(const nlmsghdr *nlh, size_t header_len, unsigned max);
// The attributes inside a nest, indexed the same way.
std::vector<const nlattr *> parse_nested(const nlattr *nest, unsigned max);

} // namespace stf::netlink::core
