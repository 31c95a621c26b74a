#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

#include "bpf_kernel.h"
#include "error.h"

namespace stf {

void enter_netns(const std::string &name)
{
	if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
		usage_error("-n: '" + name + "' is not a network namespace name");
	const std::string path = "/run/netns/" + name;
	Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (fd.get() < 0) {
		if (errno == ENOENT)
			throw Error(Exit::no_interface, "no such network namespace: " + name);
		sys_error("open " + path, errno);
	}
	if (::setns(fd.get(), CLONE_NEWNET) != 0)
		sys_error("join network namespace " + name, errno);
}

} // namespace stf
