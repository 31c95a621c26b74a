#include "ifdev.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace stf {

namespace {

// An AF_INET datagram socket, the handle these ioctls want; closed on scope exit.
class IoctlSocket {
public:
	IoctlSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
	{
		if (fd_ < 0)
			sys_error("socket for device ioctls", errno);
	}
	~IoctlSocket() { ::close(fd_); }
	IoctlSocket(const IoctlSocket &) = delete;
	IoctlSocket &operator=(const IoctlSocket &) = delete;
	int fd() const { return fd_; }

private:
	int fd_;
};

ifreq request_for(const std::string &ifname)
{
	ifreq ifr{};
	if (ifname.empty() || ifname.size() >= IFNAMSIZ)
		throw Error(Exit::failure, "bad interface name '" + ifname + "'");
	std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
	return ifr;
}

} // namespace

Mac link_mac(const std::string &ifname)
{
	IoctlSocket s;
	ifreq ifr = request_for(ifname);
	if (ioctl(s.fd(), SIOCGIFHWADDR, &ifr) != 0)
		sys_error("read the MAC address of " + ifname, errno);
	Mac mac;
	std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
	return mac;
}

void set_gro(const std::string &ifname, bool on)
{
	IoctlSocket s;
	ifreq ifr = request_for(ifname);
	ethtool_value v{};
	v.cmd = ETHTOOL_SGRO;
	v.data = on ? 1 : 0;
	ifr.ifr_data = reinterpret_cast<char *>(&v);
	if (ioctl(s.fd(), SIOCETHTOOL, &ifr) != 0)
		sys_error(std::string("turn GRO ") + (on ? "on" : "off") + " on " + ifname, errno);
}

} // namespace stf
