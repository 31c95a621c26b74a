// `stf-xdp run IFACE --config FILE`: the service process. It applies the file (attaching,
// or adopting a running attachment in place, so a restart loses nothing), serves the slow
// path for its network namespace unless another process already does, reloads the file on
// SIGHUP through apply (a broken file is logged and changes nothing), and on SIGTERM or
// SIGINT detaches, unless --keep leaves the dataplane running for the next start to adopt.
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "dataplane.h"
#include "error.h"
#include "lock.h"
#include "signals.h"
#include "slowpath.h"

namespace stf {

namespace {

// apply's report, one log line per line, under the service's prefix.
void apply_logged(const Invocation &inv, const std::string &who)
{
	std::ostringstream report;
	apply_config(inv.ifname, *inv.config_path, report, false, false);
	std::istringstream lines(report.str());
	for (std::string line; std::getline(lines, line);)
		std::cerr << who << line << '\n';
	std::cerr.flush();
}

} // namespace

void service_command(const Invocation &inv, std::ostream &)
{
	const std::string who = "stf-xdp run " + inv.ifname + ": ";
	ServiceSignals signals;
	apply_logged(inv, who); // a failure here ends the service with apply's exit code
	std::unique_ptr<SlowPath> slow;
	try {
		slow = std::make_unique<SlowPath>(std::cerr);
	} catch (const Error &e) {
		if (e.code() != Exit::already_attached)
			throw;
		std::cerr << who << "the slow path of this namespace is served by another process"
			  << std::endl;
	}
	std::cerr << who << "running (config " << *inv.config_path << ")" << std::endl;

	for (;;) {
		const auto ev = signals.wait(slow ? slow->fd() : -1);
		if (ev == ServiceSignals::Event::stop)
			break;
		if (ev == ServiceSignals::Event::readable) {
			slow->drain();
			continue;
		}
		try {
			std::cerr << who << "reloading " << *inv.config_path << std::endl;
			apply_logged(inv, who);
		} catch (const Error &e) {
			std::cerr << who << "reload refused, nothing changed: " << e.what() << std::endl;
		}
	}
	slow.reset();
	if (inv.keep) {
		std::cerr << who << "stopped; the dataplane keeps running (--keep)" << std::endl;
		return;
	}
	StateLock lock;
	if (std::optional<Dataplane> dp = Dataplane::find(inv.ifname))
		dp->detach();
	std::cerr << who << "stopped and detached" << std::endl;
}

} // namespace stf
