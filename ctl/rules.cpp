#include "rules.h"

#include <algorithm>

#include "addr.h"
#include "error.h"
#include "stf/contract.h"

namespace stf {

bool valid_ttl(long long ttl) { return ttl >= kMinTtl && ttl <= kMaxTtl; }

std::string ttl_range_text()
{
	return "an integer from " + std::to_string(kMinTtl) + " to " + std::to_string(kMaxTtl);
}

std::optional<unsigned> tunnel_mtu_for(unsigned link_mtu)
{
	if (link_mtu < kIpv6MinMtu + kTunnelOverheadBytes)
		return std::nullopt;
	return link_mtu - kTunnelOverheadBytes;
}

unsigned require_tunnel_mtu(unsigned link_mtu, const std::string &context)
{
	auto mtu = tunnel_mtu_for(link_mtu);
	if (!mtu)
		usage_error(context + ": MTU " + std::to_string(link_mtu) +
			    " leaves a tunnel MTU below IPv6's minimum of " +
			    std::to_string(kIpv6MinMtu));
	return *mtu;
}

void require_local_count(size_t n)
{
	if (n > STF_MAX_LOCAL)
		usage_error("at most " + std::to_string(STF_MAX_LOCAL) + " local addresses (got " +
			    std::to_string(n) + ")");
}

void require_relay_not_local(const std::vector<uint32_t> &locals,
			     const std::optional<uint32_t> &relay)
{
	if (relay && std::find(locals.begin(), locals.end(), *relay) != locals.end())
		usage_error("relay " + format_ipv4(*relay) +
			    " is one of the local addresses; it must be another host");
}

void require_no_broadcast(const std::vector<uint32_t> &locals,
			  const std::optional<uint32_t> &relay,
			  const std::vector<uint32_t> &broadcasts)
{
	auto is_bcast = [&broadcasts](uint32_t a) {
		return std::find(broadcasts.begin(), broadcasts.end(), a) != broadcasts.end();
	};
	for (uint32_t a : locals)
		if (is_bcast(a))
			usage_error("local address " + format_ipv4(a) +
				    " is the broadcast address of a connected subnet");
	if (relay && is_bcast(*relay))
		usage_error("relay " + format_ipv4(*relay) +
			    " is the broadcast address of a connected subnet");
}

} // namespace stf
