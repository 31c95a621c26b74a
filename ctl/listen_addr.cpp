#include "listen_addr.h"

#include <arpa/inet.h>

#include <cstring>

#include "addr.h"
#include "error.h"

namespace stf {

namespace {

[[noreturn]] void bad(std::string_view text, const std::string &why)
{
	usage_error("'" + std::string(text) + "' is not ADDR:PORT (\"192.0.2.1:9100\" or " +
		    "\"[2001:db8::1]:9100\"): " + why);
}

uint16_t parse_port(std::string_view text, std::string_view port)
{
	// Decimal digits only: stoi would accept " 9100", "+9100" and "9100x".
	if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
		bad(text, "the port must be a number from 1 to 65535");
	unsigned long v = std::stoul(std::string(port));
	if (v < 1 || v > 65535)
		bad(text, "the port must be a number from 1 to 65535");
	return static_cast<uint16_t>(v);
}

} // namespace

ListenAddress parse_listen_address(std::string_view text)
{
	ListenAddress out;
	if (!text.empty() && text.front() == '[') {
		size_t close = text.find(']');
		if (close == text.npos || close + 1 >= text.size() || text[close + 1] != ':')
			bad(text, "an IPv6 address is written [ADDR]:PORT");
		std::string host(text.substr(1, close - 1));
		uint16_t port = parse_port(text, text.substr(close + 2));
		auto *s6 = reinterpret_cast<sockaddr_in6 *>(&out.sa);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (host.find('%') != host.npos || inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr) != 1)
			bad(text, "'" + host + "' is not an IPv6 address");
		char buf[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof(buf));
		out.len = sizeof(sockaddr_in6);
		out.text = "[" + std::string(buf) + "]:" + std::to_string(port);
		return out;
	}
	size_t colon = text.rfind(':');
	if (colon == text.npos)
		bad(text, "no port");
	std::string_view host = text.substr(0, colon);
	if (host.find(':') != host.npos)
		bad(text, "an IPv6 address is written [ADDR]:PORT");
	auto v4 = parse_ipv4(host);
	if (!v4)
		bad(text, "'" + std::string(host) + "' is not an IPv4 address (names are not resolved)");
	uint16_t port = parse_port(text, text.substr(colon + 1));
	auto *s4 = reinterpret_cast<sockaddr_in *>(&out.sa);
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = htonl(*v4);
	out.len = sizeof(sockaddr_in);
	out.text = format_ipv4(*v4) + ":" + std::to_string(port);
	return out;
}

} // namespace stf
