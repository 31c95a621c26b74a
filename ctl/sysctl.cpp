#include "sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "error.h"

namespace stf {

namespace {

// /proc/sys/net belongs to the network namespace of the process that opens it, so this is
// right under `ip netns exec` too.
std::string forwarding_path(const std::string &ifname)
{
	return "/proc/sys/net/ipv4/conf/" + ifname + "/forwarding";
}

void write_flag(const std::string &path, bool on)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		sys_error("open " + path, errno);
	const char *value = on ? "1\n" : "0\n";
	ssize_t n = ::write(fd, value, 2);
	int err = errno;
	::close(fd);
	if (n != 2)
		sys_error("write " + path, n < 0 ? err : EIO);
}

} // namespace

void set_ipv4_forwarding(const std::string &ifname, bool on)
{
	write_flag(forwarding_path(ifname), on);
}

void disable_ipv6(const std::string &ifname)
{
	write_flag("/proc/sys/net/ipv6/conf/" + ifname + "/disable_ipv6", true);
}

bool ipv4_forwarding(const std::string &ifname)
{
	const std::string path = forwarding_path(ifname);
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char c = 0;
	ssize_t n = ::read(fd, &c, 1);
	::close(fd);
	return n == 1 && c == '1';
}

} // namespace stf
