#include "lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

namespace stf {

static constexpr const char *kLockPath = "/run/stf-xdp.lock";

StateLock::StateLock()
{
	fd_ = ::open(kLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd_ < 0)
		sys_error(std::string("open ") + kLockPath, errno);
	if (::flock(fd_, LOCK_EX) < 0) {
		int err = errno;
		::close(fd_);
		sys_error(std::string("lock ") + kLockPath, err);
	}
}

StateLock::~StateLock()
{
	if (fd_ >= 0)
		::close(fd_); // releases the flock
}

} // namespace stf
