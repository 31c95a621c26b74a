// The one error model of the control plane: an exception carrying an exit code, the errno
// that caused it (0 if none) and a one-line message with context ("attach eth0: ...").
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace stf {

// Documented in README.md and `stf-xdp --help`; scripts depend on them.
enum class Exit : int {
	ok = 0,
	failure = 1,         // the kernel or netlink refused an operation
	usage = 2,           // bad command line, address, prefix or config file
	no_interface = 3,    // the named interface does not exist
	not_attached = 4,    // stf-xdp is not attached to the interface
	already_attached = 5 // stf-xdp (or another XDP program / device) is already there
};

class Error : public std::runtime_error {
public:
	Error(Exit code, std::string message, int err = 0)
		: std::runtime_error(err ? message + ": " + errno_text(err) : message), code_(code),
		  errno_(err)
	{
	}
	Exit code() const noexcept { return code_; }
	int sys_errno() const noexcept { return errno_; }

	static std::string errno_text(int err);

private:
	Exit code_;
	int errno_;
};

// A usage error: the input is wrong, nothing was changed.
[[noreturn]] inline void usage_error(const std::string &message)
{
	throw Error(Exit::usage, message);
}

// A kernel/system call failed. err is a positive errno (libbpf returns -errno: negate it).
[[noreturn]] inline void sys_error(const std::string &context, int err)
{
	throw Error(Exit::failure, context, err < 0 ? -err : err);
}

} // namespace stf
