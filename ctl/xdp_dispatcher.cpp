#include "xdp_dispatcher.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <xdp/libxdp.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "dataplane.h"
#include "error.h"
#include "stf.skel.h"

namespace stf::dispatcher {

namespace {

struct ProgramCloser {
	void operator()(xdp_program *p) const { xdp_program__close(p); }
};
struct MultiprogCloser {
	void operator()(xdp_multiprog *m) const { xdp_multiprog__close(m); }
};
using Program = std::unique_ptr<xdp_program, ProgramCloser>;
using Multiprog = std::unique_ptr<xdp_multiprog, MultiprogCloser>;

// libxdp explains its fallbacks and failures on stderr; our errors say what matters, so its
// messages are for -v only.
int libxdp_print(enum libxdp_print_level, const char *fmt, va_list args)
{
	return libbpf_verbose() ? vfprintf(stderr, fmt, args) : 0;
}

void quiet_libxdp()
{
	quiet_libbpf();
	libxdp_set_print(libxdp_print);
}

// libxdp's bpffs: LIBXDP_BPFFS if set (libxdp reads it too), else /sys/fs/bpf.
std::string bpffs_dir()
{
	const char *env = secure_getenv(XDP_BPFFS_ENVVAR);
	return env && *env ? env : "/sys/fs/bpf";
}

bool bpffs_mounted()
{
	struct statfs st {};
	return statfs(bpffs_dir().c_str(), &st) == 0 &&
	       static_cast<unsigned long>(st.f_type) == BPF_FS_MAGIC;
}

std::string no_bpffs(const std::string &ctx)
{
	return ctx + ": no bpffs at " + bpffs_dir() +
	       ", where libxdp keeps its dispatcher's programs (mount -t bpf bpf " + bpffs_dir() +
	       " in a mount namespace that outlives this command; `ip netns exec` gives each "
	       "command a new /sys without it, so use nsenter --net or set LIBXDP_BPFFS)";
}

// The dispatcher on ifindex with its programs read from bpffs. Throws if the hook carries a
// dispatcher whose programs libxdp cannot read: guessing "none of ours" there would let a
// second decapsulator in, or leave ours running after detach.
Multiprog read_dispatcher(uint32_t ifindex, const std::string &ctx)
{
	quiet_libxdp();
	Multiprog mp(xdp_multiprog__get_from_ifindex(static_cast<int>(ifindex)));
	if (long err = libxdp_get_error(mp.get())) {
		mp.release();
		sys_error(ctx + ": read libxdp's dispatcher", static_cast<int>(err));
	}
	if (!mp || xdp_multiprog__is_legacy(mp.get())) {
		if (!bpffs_mounted())
			throw Error(Exit::failure, no_bpffs(ctx));
		throw Error(Exit::failure, ctx + ": the XDP program is a libxdp dispatcher but libxdp "
						 "cannot read its programs under " +
						   bpffs_dir() + "/xdp");
	}
	return mp;
}

enum xdp_attach_mode libxdp_mode(XdpMode m)
{
	return m == XdpMode::native ? XDP_MODE_NATIVE : XDP_MODE_SKB;
}

} // namespace

bool is_dispatcher(uint32_t prog_id) { return prog_info(prog_id).name == kDispatcherName; }

uint32_t component(uint32_t ifindex, const std::string &name)
{
	Multiprog mp = read_dispatcher(ifindex, "read the XDP dispatcher of ifindex " +
							std::to_string(ifindex));
	for (xdp_program *p = xdp_multiprog__next_prog(nullptr, mp.get()); p;
	     p = xdp_multiprog__next_prog(p, mp.get()))
		if (name == xdp_program__name(p))
			return xdp_program__id(p);
	return 0;
}

void check_hook(uint32_t ifindex, bool want_dispatcher, XdpMode mode, const std::string &ctx)
{
	XdpState x = query_xdp(ifindex);
	if (!want_dispatcher) {
		if (x.prog_id && is_dispatcher(x.prog_id))
			throw Error(Exit::already_attached,
				    ctx + ": the interface runs libxdp's dispatcher (id " +
					    std::to_string(x.prog_id) +
					    "); attach with --xdp-dispatcher to run beside its programs");
		if (x.prog_id)
			throw Error(Exit::already_attached,
				    ctx + ": the interface already has an XDP program (id " +
					    std::to_string(x.prog_id) + ")");
		return;
	}
	if (!bpffs_mounted())
		throw Error(Exit::failure, no_bpffs(ctx));
	if (!x.prog_id)
		return;
	if (!is_dispatcher(x.prog_id))
		throw Error(Exit::already_attached,
			    ctx + ": the interface already has an XDP program (id " +
				    std::to_string(x.prog_id) +
				    ") that is not libxdp's dispatcher, so it cannot be shared");
	if (x.mode && *x.mode != mode)
		throw Error(Exit::already_attached,
			    ctx + ": libxdp's dispatcher runs in " + xdp_mode_name(*x.mode) +
				    " mode; attach with --xdp-mode " + xdp_mode_name(*x.mode));
	if (uint32_t ours = component(ifindex, "stf_decap"))
		throw Error(Exit::already_attached,
			    ctx + ": libxdp's dispatcher already runs an stf-xdp decapsulator (id " +
				    std::to_string(ours) + ")");
}

uint32_t attach_decap(stf_bpf *skel, uint32_t ifindex, XdpMode mode, const std::string &ctx)
{
	quiet_libxdp();
	// A second instance of the object holding only the decapsulator: libxdp must load it
	// itself, as an extension of its dispatcher, and skel is loaded already. Its maps are
	// skel's, so both are one dataplane.
	Skeleton ext(stf_bpf__open());
	if (!ext.get())
		sys_error(ctx + ": open BPF skeleton", errno);
	bpf_program__set_autoload(ext->progs.stf_encap, false);
	bpf_program__set_autoload(ext->progs.stf_inject, false);
	bpf_map *m;
	bpf_object__for_each_map(m, ext->obj)
	{
		bpf_map *own = bpf_object__find_map_by_name(skel->obj, bpf_map__name(m));
		int err = own ? bpf_map__reuse_fd(m, bpf_map__fd(own)) : -ENOENT;
		if (err)
			sys_error(ctx + std::string(": share map ") + bpf_map__name(m), err);
	}
	Program prog(xdp_program__from_bpf_obj(ext->obj, "xdp"));
	if (long err = libxdp_get_error(prog.get())) {
		prog.release();
		sys_error(ctx + ": prepare the decapsulator for libxdp", static_cast<int>(err));
	}
	xdp_program__set_run_prio(prog.get(), kRunPriority);
	for (unsigned a : {XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT})
		xdp_program__set_chain_call_enabled(prog.get(), a, a == XDP_PASS);
	int err;
	{
		// libxdp probes the kernel by loading programs that may fail: its answer is ours.
		SilentLibbpf silent;
		err = xdp_program__attach(prog.get(), static_cast<int>(ifindex), libxdp_mode(mode), 0);
	}
	if (err == -EEXIST || err == -EBUSY)
		throw Error(Exit::already_attached,
			    ctx + ": the interface's XDP program cannot be shared", -err);
	if (err)
		sys_error(ctx + ": attach the decapsulator through libxdp's dispatcher", err);
	const uint32_t id = xdp_program__id(prog.get());
	// libxdp falls back to a plain attach, without dispatcher, when it cannot build one (no
	// bpffs, or a kernel that refuses freplace programs): not what was asked for, and the
	// next program would find the hook taken.
	XdpState x = query_xdp(ifindex);
	if (x.prog_id == id || (x.prog_id && !is_dispatcher(x.prog_id))) {
		remove_own_xdp(ifindex, xdp_program__fd(prog.get()), mode, ctx);
		throw Error(Exit::failure,
			    ctx + ": libxdp could not set up its dispatcher (the kernel refuses "
				  "freplace programs, BPF_PROG_TYPE_EXT: lockdown or no BPF "
				  "trampolines; -v shows libxdp's reason); attach without "
				  "--xdp-dispatcher");
	}
	return id;
}

void detach_decap(uint32_t ifindex, uint32_t prog_id, const std::string &ctx)
{
	quiet_libxdp();
	Program prog(xdp_program__from_id(prog_id));
	if (long err = libxdp_get_error(prog.get())) {
		prog.release();
		sys_error(ctx + ": open the decapsulator " + std::to_string(prog_id), static_cast<int>(err));
	}
	// libxdp swaps in a dispatcher without our program (atomically, under its lock), or
	// removes the dispatcher when ours was its last program.
	int err = xdp_program__detach(prog.get(), static_cast<int>(ifindex), XDP_MODE_UNSPEC, 0);
	if (err)
		sys_error(ctx + ": remove the decapsulator from libxdp's dispatcher", err);
}

Fd load_test_run_copy(stf_bpf *skel)
{
	bpf_program__set_autoload(skel->progs.stf_encap, false);
	bpf_program__set_autoload(skel->progs.stf_inject, false);
	int err = stf_bpf__load(skel);
	if (err)
		sys_error("load a copy of the decapsulator", err);
	Fd fd(dup(bpf_program__fd(skel->progs.stf_decap)));
	if (fd.get() < 0)
		sys_error("load a copy of the decapsulator", errno);
	return fd;
}

} // namespace stf::dispatcher
