// main() of the kernel tests: moves the whole process into a fresh, private network namespace
// before any test runs, so tests may create links, routes and addresses freely, start from a
// namespace that holds only lo, and leave nothing behind on the host (the namespace dies
// with the process; `ip` run by system() inherits it).
#include <gtest/gtest.h>

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

// lo comes up with ::1 and 127.0.0.1. Done with an ioctl, not with the netlink code under test.
bool bring_up_lo()
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ifreq ifr{};
	std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	bool ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	int err = errno;
	close(fd);
	errno = err;
	return ok;
}

} // namespace

int main(int argc, char **argv)
{
	testing::InitGoogleTest(&argc, argv);

	// Listing tests (gtest_discover_tests does it at build time, maybe not as root) touches
	// no kernel state: no namespace needed.
	if (GTEST_FLAG_GET(list_tests))
		return RUN_ALL_TESTS();

	if (unshare(CLONE_NEWNET) != 0) {
		std::fprintf(stderr,
			     "FATAL: unshare(CLONE_NEWNET) failed: %s.\n"
			     "The kernel tests must run as root (CAP_SYS_ADMIN) with network namespace "
			     "support; they refuse to run in the host's namespace.\n",
			     std::strerror(errno));
		return 1;
	}
	if (!bring_up_lo()) {
		std::fprintf(stderr, "FATAL: cannot bring up lo in the test namespace: %s\n",
			     std::strerror(errno));
		return 1;
	}
	return RUN_ALL_TESTS();
}
