// `stf-xdp run IFACE --config FILE`: the service process. It applies the file (attaching,
// or adopting a running attachment in place, so a restart loses nothing), serves the slow
// path for its network namespace unless another process already does, follows the host's
// link MTU and IPv4 addresses, serves Prometheus metrics if the file names an address
// (metrics_server.h), reloads the file on SIGHUP through apply (a broken file, or a metrics
// address it cannot listen on, is logged and changes nothing), and on SIGTERM or SIGINT
// detaches, unless --keep leaves the dataplane running for the next start to adopt.
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "config_file.h"
#include "dataplane.h"
#include "error.h"
#include "link_events.h"
#include "lock.h"
#include "metrics_server.h"
#include "signals.h"
#include "slowpath.h"

namespace stf {

namespace {

// apply's report, one log line per line, under the service's prefix; quiet says nothing
// when nothing changed (the re-checks after host events).
void apply_logged(const Invocation &inv, const std::string &who, bool quiet = false)
{
	std::ostringstream report;
	apply_config(inv.ifname, *inv.config_path, report, false, false);
	if (quiet && report.str().find(": nothing to change") != std::string::npos)
		return;
	std::istringstream lines(report.str());
	for (std::string line; std::getline(lines, line);)
		std::cerr << who << line << '\n';
	std::cerr.flush();
}

// A link or address changed somewhere on the host: the tunnel MTU and the subnet
// broadcasts follow (Dataplane::follow_host), and so does a V4ADDR taken from the interface's
// own address when the file names none (through apply).
void follow(const Invocation &inv, const std::string &who)
{
	{
		StateLock lock;
		std::optional<Dataplane> dp = Dataplane::find(inv.ifname);
		if (!dp)
			return;
		for (const std::string &c : dp->follow_host())
			std::cerr << who << c << '\n';
	}
	if (!load_config_file(*inv.config_path).locals)
		apply_logged(inv, who, true);
	std::cerr.flush();
}

// Applies the file and moves the metrics listener to the address it names, as one step: the
// new listener is bound before apply runs, so a file whose address cannot be listened on
// changes nothing, and the running listener is replaced only once apply succeeded.
void reconfigure(const Invocation &inv, const std::string &who,
		 std::unique_ptr<MetricsServer> &metrics)
{
	ServiceSettings want;
	load_config_file(*inv.config_path, &want);
	const bool same = want.metrics ? metrics && metrics->address() == *want.metrics : !metrics;
	std::unique_ptr<MetricsServer> next;
	if (!same && want.metrics)
		next = std::make_unique<MetricsServer>(*want.metrics, inv.ifname);
	apply_logged(inv, who);
	if (same)
		return;
	metrics = std::move(next);
	if (metrics)
		std::cerr << who << "metrics on http://" << metrics->address().text << "/metrics"
			  << std::endl;
	else
		std::cerr << who << "metrics off" << std::endl;
}

} // namespace

void service_command(const Invocation &inv, std::ostream &)
{
	const std::string who = "stf-xdp run " + inv.ifname + ": ";
	ServiceSignals signals; // first: MHD's thread inherits the blocked signals
	std::unique_ptr<MetricsServer> metrics;
	reconfigure(inv, who, metrics); // a failure here ends the service with its exit code
	std::unique_ptr<SlowPath> slow;
	try {
		slow = std::make_unique<SlowPath>(std::cerr);
	} catch (const Error &e) {
		if (e.code() != Exit::already_attached)
			throw;
		std::cerr << who << "the slow path of this namespace is served by another process"
			  << std::endl;
	}
	LinkEvents events;
	follow(inv, who); // whatever changed while it was not running
	std::cerr << who << "running (config " << *inv.config_path << ")" << std::endl;

	for (;;) {
		size_t which = 0;
		const auto ev = signals.wait({slow ? slow->fd() : -1, events.fd()}, &which);
		if (ev == ServiceSignals::Event::stop)
			break;
		if (ev == ServiceSignals::Event::readable) {
			if (which == 0) {
				slow->drain();
				continue;
			}
			events.drain();
			try {
				follow(inv, who);
			} catch (const Error &e) {
				std::cerr << who << "following the host: " << e.what() << std::endl;
			}
			continue;
		}
		try {
			std::cerr << who << "reloading " << *inv.config_path << std::endl;
			reconfigure(inv, who, metrics);
		} catch (const Error &e) {
			std::cerr << who << "reload refused, nothing changed: " << e.what() << std::endl;
		}
	}
	slow.reset();
	metrics.reset(); // before a detach: a scrape then would only see half of it
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
