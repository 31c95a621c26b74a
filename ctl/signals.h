// The long-running commands' signals (slowpath, run): SIGTERM and SIGINT stop, SIGHUP asks
// for a reload. They are blocked except while waiting in wait(), so a signal is never lost
// between checking for it and going to sleep.
#pragma once

#include <cstddef>
#include <vector>

namespace stf {

class ServiceSignals {
public:
	ServiceSignals();  // installs the handlers and blocks the three signals
	~ServiceSignals(); // restores the mask
	ServiceSignals(const ServiceSignals &) = delete;
	ServiceSignals &operator=(const ServiceSignals &) = delete;

	enum class Event { stop, reload, readable };
	// Sleeps until a signal arrives or one of fds (those >= 0) is readable; *which is then
	// its index. A pending stop wins over a reload, and both over a readable fd.
	Event wait(const std::vector<int> &fds, size_t *which = nullptr);
	Event wait(int fd) { return wait(std::vector<int>{fd}); }
};

} // namespace stf
