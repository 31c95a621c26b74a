#include "metrics_server.h"

#include <microhttpd.h>
#include <sys/socket.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "bpf_kernel.h"
#include "dataplane.h"
#include "error.h"
#include "output.h"

namespace stf {

namespace {

// A scraper needs one connection; a few more let two Prometheus servers and a person with
// curl in at once. Everything beyond is refused at accept.
constexpr unsigned kMaxConnections = 8;
constexpr unsigned kMaxPerAddress = 4;
// Seconds a connection may sit idle (a slowloris sending a header byte now and then is cut
// off by MHD's request-size limit, which the memory pool below sets).
constexpr unsigned kIdleTimeoutSeconds = 10;
constexpr size_t kConnectionMemory = 16 * 1024;
constexpr int kListenBacklog = 16;

const char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

Fd listen_on(const ListenAddress &addr)
{
	const std::string ctx = "metrics: listen on " + addr.text;
	Fd fd(::socket(addr.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	if (fd.get() < 0)
		sys_error(ctx, errno);
	// A restart must not wait for the previous process' connections in TIME_WAIT.
	int one = 1;
	::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&addr.sa), addr.len) < 0)
		sys_error(ctx, errno);
	if (::listen(fd.get(), kListenBacklog) < 0)
		sys_error(ctx, errno);
	return fd;
}

MHD_Result reply(MHD_Connection *c, unsigned status, const std::string &body, const char *type)
{
	MHD_Response *r = MHD_create_response_from_buffer(body.size(), (void *)body.data(),
							 MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO; // out of memory: MHD closes the connection
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

// Answers on the first call for every request: nothing here reads a request body.
MHD_Result on_request(void *cls, MHD_Connection *c, const char *url, const char *method,
		      const char *, const char *, size_t *, void **)
{
	const std::string &ifname = *static_cast<const std::string *>(cls);
	if (std::strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "not found; the metrics are at /metrics\n",
			     "text/plain");
	if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n", "text/plain");
	try {
		return reply(c, MHD_HTTP_OK, metrics_text(ifname), kContentType);
	} catch (const std::exception &e) {
		// A C callback: nothing may propagate into libmicrohttpd.
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, std::string(e.what()) + "\n",
			     "text/plain");
	}
}

void on_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	std::vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = std::strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	// One fprintf per line: the service's own thread writes to stderr too.
	std::fprintf(stderr, "%smetrics: %s\n", static_cast<const std::string *>(cls)->c_str(), msg);
}

} // namespace

std::string metrics_text(const std::string &ifname)
{
	std::ostringstream os;
	std::optional<Dataplane> dp = Dataplane::find(ifname);
	std::vector<AttachmentStats> stats;
	std::optional<AttachmentInfo> info;
	if (dp) {
		stats.push_back({ifname, dp->maps().counters()});
		info = dp->info();
	}
	print_prometheus(os, stats);
	print_prometheus_service(os, ifname, info);
	return os.str();
}

MetricsServer::MetricsServer(const ListenAddress &addr, const std::string &ifname)
	: addr_(addr), ifname_(ifname), log_prefix_("stf-xdp run " + ifname + ": ")
{
	Fd fd = listen_on(addr);
	// The signals of the service stay blocked in MHD's thread: it inherits the caller's mask
	// (ServiceSignals blocks them), so SIGHUP and SIGTERM always reach the service's ppoll.
	int sock = fd.release(); // MHD owns it from here, and closes it on failure too
	daemon_ = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, 0, nullptr,
		nullptr, &on_request, &ifname_, MHD_OPTION_LISTEN_SOCKET, sock,
		MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		kMaxPerAddress, MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory, MHD_OPTION_EXTERNAL_LOGGER,
		&on_log, &log_prefix_, MHD_OPTION_END);
	if (!daemon_)
		throw Error(Exit::failure, "metrics: cannot start the HTTP server on " + addr.text);
}

MetricsServer::~MetricsServer() { MHD_stop_daemon(daemon_); }

} // namespace stf
