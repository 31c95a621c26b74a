#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "error.h"
#include "stf/addr_class.h"

namespace stf {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal number of 1..max_digits digits without a leading zero (so "08" and "010" never
// mean octal to one reader and decimal to another), or nullopt.
std::optional<unsigned> parse_decimal(std::string_view s, size_t max_digits)
{
	if (s.empty() || s.size() > max_digits || (s.size() > 1 && s[0] == '0'))
		return std::nullopt;
	unsigned v = 0;
	for (char c : s) {
		if (!is_digit(c))
			return std::nullopt;
		v = v * 10 + static_cast<unsigned>(c - '0');
	}
	return v;
}

uint32_t prefix_mask(uint8_t len)
{
	// A shift by 32 is undefined, so /0 is spelled out.
	return len == 0 ? 0 : ~uint32_t{0} << (32 - len);
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

} // namespace

std::optional<uint32_t> parse_ipv4(std::string_view text)
{
	uint32_t addr = 0;
	for (int octet = 0; octet < 4; octet++) {
		size_t dot = text.find('.');
		if ((dot == std::string_view::npos) != (octet == 3))
			return std::nullopt; // too few or too many dots
		auto v = parse_decimal(text.substr(0, dot), 3);
		if (!v || *v > 255)
			return std::nullopt;
		addr = addr << 8 | *v;
		text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
	}
	return addr;
}

std::string format_ipv4(uint32_t host_order)
{
	return std::to_string(host_order >> 24) + "." + std::to_string(host_order >> 16 & 0xff) +
	       "." + std::to_string(host_order >> 8 & 0xff) + "." + std::to_string(host_order & 0xff);
}

Ipv4Prefix parse_ipv4_prefix(std::string_view text)
{
	size_t slash = text.find('/');
	std::string_view addr_text = text.substr(0, slash);
	auto addr = parse_ipv4(addr_text);
	if (!addr)
		usage_error(quoted(text) + " is not an IPv4 prefix (expected A.B.C.D/N)");
	Ipv4Prefix p{*addr, 32};
	if (slash != std::string_view::npos) {
		auto len = parse_decimal(text.substr(slash + 1), 2);
		if (!len || *len > 32)
			usage_error(quoted(text) + ": the prefix length must be a number from 0 to 32");
		p.len = static_cast<uint8_t>(*len);
	}
	// Refuse rather than silently mask: 198.51.100.1/24 is usually a typo for either
	// 198.51.100.0/24 or 198.51.100.1/32, and only the user knows which.
	if (p.addr & ~prefix_mask(p.len)) {
		Ipv4Prefix fixed{p.addr & prefix_mask(p.len), p.len};
		usage_error(std::string(text) + " has host bits set; use " +
			    format_ipv4_prefix(fixed));
	}
	return p;
}

std::string format_ipv4_prefix(const Ipv4Prefix &p)
{
	return format_ipv4(p.addr) + "/" + std::to_string(p.len);
}

uint32_t parse_ipv4_or_throw(std::string_view text, std::string_view what)
{
	auto v = parse_ipv4(text);
	if (!v)
		usage_error(std::string(what) + ": " + quoted(text) + " is not an IPv4 address");
	return *v;
}

std::string sixto4_prefix(uint32_t v4)
{
	// inet_ntop gives the RFC 5952 form ("2002:100::/48" for 1.0.0.0, not "2002:100:0::").
	in6_addr a{};
	a.s6_addr[0] = STF_6TO4_PREFIX >> 8;
	a.s6_addr[1] = STF_6TO4_PREFIX & 0xff;
	for (int i = 0; i < 4; i++)
		a.s6_addr[2 + i] = static_cast<uint8_t>(v4 >> (24 - 8 * i));
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &a, buf, sizeof(buf));
	return std::string(buf) + "/48";
}

std::optional<uint32_t> subnet_broadcast(uint32_t addr, uint8_t len)
{
	if (len >= 31)
		return std::nullopt; // /31 point-to-point links and /32 hosts have no broadcast
	return addr | ~prefix_mask(len);
}

const char *addr_class_name(enum stf_addr_class c)
{
	switch (c) {
	case STF_ADDR_OK:
		return "unicast";
	case STF_ADDR_UNSPECIFIED:
		return "unspecified (0.0.0.0/8)";
	case STF_ADDR_LOOPBACK:
		return "loopback (127.0.0.0/8)";
	case STF_ADDR_MULTICAST:
		return "multicast (224.0.0.0/4)";
	case STF_ADDR_RESERVED:
		return "reserved (240.0.0.0/4, including 255.255.255.255)";
	case STF_ADDR_LINKLOCAL:
		return "link-local (169.254.0.0/16)";
	case STF_ADDR_PRIVATE:
		return "private (RFC 1918) and private addresses are not permitted "
		       "(attach with --permit-private)";
	case STF_ADDR_SUBNET_BROADCAST:
		return "the broadcast address of a connected subnet";
	case STF_ADDR_CLASS_COUNT_:
		break;
	}
	return "of an unknown class";
}

void require_unicast_v4(uint32_t v4, bool permit_private, std::string_view what)
{
	enum stf_addr_class c = stf_addr4_class(v4, permit_private);
	if (c != STF_ADDR_OK)
		usage_error(std::string(what) + " " + format_ipv4(v4) + " is " + addr_class_name(c));
}

} // namespace stf
