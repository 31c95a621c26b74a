// The metrics listener's address (`"metrics": "ADDR:PORT"` in run's config file): an IPv4
// dotted quad or a bracketed IPv6 address, then a port. Pure parsing, no sockets.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace stf {

struct ListenAddress {
	sockaddr_storage sa{};
	socklen_t len = 0;
	std::string text; // as written in canonical form: "127.0.0.1:9100", "[::1]:9100"

	int family() const { return sa.ss_family; }
	bool operator==(const ListenAddress &o) const { return text == o.text; }
	bool operator!=(const ListenAddress &o) const { return !(*this == o); }
};

// "A.B.C.D:PORT" or "[V6ADDR]:PORT", PORT 1..65535 in decimal. Throws a usage Error saying
// what is wrong ("'localhost:9100' is not ADDR:PORT ..."); no name resolution, so a config
// file never depends on DNS at boot.
ListenAddress parse_listen_address(std::string_view text);

} // namespace stf
