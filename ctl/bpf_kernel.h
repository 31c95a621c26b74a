// What the kernel says about BPF programs and maps, and the XDP hook, for Dataplane
// (dataplane.h): finding a running dataplane again by program and map ids, and attaching or
// removing only our own XDP program. Every call throws stf::Error (errno and context).
#pragma once

#include <bpf/libbpf.h>
#include <linux/types.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "options.h"

namespace stf {

// libbpf prints only warnings, on stderr; its debug chatter is not for operators.
void quiet_libbpf();

// -v: every libbpf message on stderr (debug and info too: the verifier's log, BTF, maps).
void verbose_libbpf();

// Whether -v asked for every library message (libxdp's too: ctl/xdp_dispatcher.cpp).
bool libbpf_verbose();

// For probes whose failure is an answer, not a problem (is this device ours?).
class SilentLibbpf {
public:
	SilentLibbpf();
	~SilentLibbpf();
	SilentLibbpf(const SilentLibbpf &) = delete;
	SilentLibbpf &operator=(const SilentLibbpf &) = delete;

private:
	libbpf_print_fn_t prev_;
};

class Fd {
public:
	explicit Fd(int fd = -1) : fd_(fd) {}
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	Fd(Fd &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
	Fd &operator=(Fd &&o) noexcept
	{
		if (this != &o) {
			if (fd_ >= 0)
				::close(fd_);
			fd_ = o.fd_;
			o.fd_ = -1;
		}
		return *this;
	}
	int get() const { return fd_; }
	int release() // hands the fd to a new owner
	{
		int fd = fd_;
		fd_ = -1;
		return fd;
	}

private:
	int fd_;
};

__u32 xdp_flags(XdpMode mode);

// Removes the XDP program of ifindex only while it is still prog_fd's program: with
// XDP_FLAGS_REPLACE the kernel compares, so a program attached by someone else since is left
// alone (the call fails instead).
void remove_own_xdp(uint32_t ifindex, int prog_fd, XdpMode mode, const std::string &ctx);

struct XdpState {
	__u32 prog_id = 0;
	std::optional<XdpMode> mode;
};
XdpState query_xdp(uint32_t ifindex);

struct ProgInfo {
	std::string name;
	std::vector<__u32> map_ids;
};
ProgInfo prog_info(__u32 prog_id);

// Binds obj's maps to the running dataplane's maps, matched by obj's own names and checked
// by type and sizes, so a dataplane of another layout is refused rather than misread (a
// layout change renames the maps: include/stf/contract.h).
void bind_maps(bpf_object *obj, const std::vector<__u32> &map_ids);

} // namespace stf
