#include "signals.h"

#include <poll.h>
#include <signal.h>

#include <cerrno>

#include "error.h"

namespace stf {

namespace {

volatile sig_atomic_t g_stop = 0, g_reload = 0;
sigset_t g_orig;

void on_signal(int sig)
{
	if (sig == SIGHUP)
		g_reload = 1;
	else
		g_stop = 1;
}

} // namespace

ServiceSignals::ServiceSignals()
{
	g_stop = g_reload = 0;
	struct sigaction sa{};
	sa.sa_handler = on_signal; // no SA_RESTART: ppoll must return
	sigset_t block;
	sigemptyset(&block);
	for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
		sigaction(sig, &sa, nullptr);
		sigaddset(&block, sig);
	}
	sigprocmask(SIG_BLOCK, &block, &g_orig);
}

ServiceSignals::~ServiceSignals() { sigprocmask(SIG_SETMASK, &g_orig, nullptr); }

ServiceSignals::Event ServiceSignals::wait(const std::vector<int> &fds, size_t *which)
{
	std::vector<pollfd> p;
	for (int fd : fds)
		p.push_back(pollfd{fd, POLLIN, 0}); // a negative fd is ignored by ppoll
	for (;;) {
		if (g_stop)
			return Event::stop;
		if (g_reload) {
			g_reload = 0;
			return Event::reload;
		}
		// The signals are unblocked only inside ppoll.
		int n = ppoll(p.data(), p.size(), nullptr, &g_orig);
		if (n < 0 && errno != EINTR)
			sys_error("wait for packets or signals", errno);
		if (n > 0 && !g_stop && !g_reload)
			for (size_t i = 0; i < p.size(); i++)
				if (p[i].revents) {
					if (which)
						*which = i;
					return Event::readable;
				}
	}
}

} // namespace stf
