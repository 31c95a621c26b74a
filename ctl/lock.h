// Serialises state changes between concurrent stf-xdp invocations on one host: an exclusive
// flock() on /run/stf-xdp.lock, held for the object's lifetime. /run is shared across
// `ip netns exec` calls (only /sys is remounted), so this covers every namespace.
#pragma once

namespace stf {

class StateLock {
public:
	StateLock();
	~StateLock();
	StateLock(const StateLock &) = delete;
	StateLock &operator=(const StateLock &) = delete;

private:
	int fd_ = -1;
};

} // namespace stf
