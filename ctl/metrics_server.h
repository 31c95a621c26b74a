// The service's Prometheus endpoint (`"metrics": "ADDR:PORT"` in run's config file): GET
// /metrics answers what `stats IFACE --prometheus` prints, plus whether the interface is
// attached, its attachment as an info metric and whether the slow path runs. libmicrohttpd
// (Debian's libmicrohttpd12; Debian packages no C++ Prometheus client) serves it from its own
// thread, so a scrape never waits for the service's loop nor the loop for a scrape; a
// connection limit, a per-address limit, a small per-connection memory pool and an idle
// timeout keep a slow or hostile client from holding more than a few sockets for a while.
#pragma once

#include <memory>
#include <string>

#include "listen_addr.h"

struct MHD_Daemon;

namespace stf {

class MetricsServer {
public:
	// Binds and listens on addr before anything else, so "address in use" or "cannot
	// assign requested address" is an Error (errno + context) and nothing is left behind.
	MetricsServer(const ListenAddress &addr, const std::string &ifname);
	~MetricsServer(); // stops the thread and closes every socket
	MetricsServer(const MetricsServer &) = delete;
	MetricsServer &operator=(const MetricsServer &) = delete;

	const ListenAddress &address() const { return addr_; }

private:
	ListenAddress addr_;
	std::string ifname_;
	std::string log_prefix_; // libmicrohttpd's own messages go to the service's log
	MHD_Daemon *daemon_ = nullptr;
};

// The body of GET /metrics for ifname (also what the unit test renders).
std::string metrics_text(const std::string &ifname);

} // namespace stf
