#include "snapshot.h"

#include <linux/rtnetlink.h>

#include <algorithm>

#include "addr.h"
#include "stf/addr_class.h"

namespace stf {

const LinkState *HostSnapshot::link(const std::string &name) const
{
	for (const LinkState &l : links)
		if (l.name == name)
			return &l;
	return nullptr;
}

const LinkState *HostSnapshot::link(uint32_t index) const
{
	for (const LinkState &l : links)
		if (l.index == index)
			return &l;
	return nullptr;
}

std::vector<uint32_t> HostSnapshot::subnet_broadcasts() const
{
	// lo's 127.255.255.255 is loopback anyway: each entry costs a compare per packet.
	std::vector<uint32_t> out;
	for (const AddressState &a : addresses) {
		auto b = subnet_broadcast(a.addr, a.prefixlen);
		if (b && stf_addr4_class(*b, true) == STF_ADDR_OK &&
		    std::find(out.begin(), out.end(), *b) == out.end())
			out.push_back(*b);
	}
	return out;
}

const Route6State *HostSnapshot::route6(const std::array<uint8_t, 16> &dst, uint8_t len,
					unsigned metric) const
{
	for (const Route6State &r : routes6)
		if (r.table == RT_TABLE_MAIN && r.len == len && r.dst == dst && r.metric == metric)
			return &r;
	return nullptr;
}

std::vector<Route6State> HostSnapshot::routes6_via(uint32_t oif) const
{
	std::vector<Route6State> out;
	for (const Route6State &r : routes6)
		if (r.oif == oif)
			out.push_back(r);
	return out;
}

} // namespace stf
