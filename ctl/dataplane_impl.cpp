#include "dataplane_impl.h"

#include <bpf/libbpf.h>

#include <array>

#include "stf.skel.h"

namespace stf::impl {

bool ends_with(const std::string &s, const std::string &tail)
{
	return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

uint32_t tunnel_ifindex_in_name(const std::string &name)
{
	if (name.size() < 4 || name.compare(0, 3, "stf") != 0)
		return 0;
	if (name.find_first_not_of("0123456789", 3) != std::string::npos)
		return 0;
	return static_cast<uint32_t>(std::stoul(name.substr(3)));
}

std::unique_ptr<MapStore> make_store(stf_bpf *skel)
{
	return std::make_unique<BpfMapStore>(bpf_map__fd(skel->maps.stf_config_v2),
					     bpf_map__fd(skel->maps.stf_cfgsel_v1),
					     bpf_map__fd(skel->maps.stf_counters_v1),
					     std::array<int, 4>{bpf_map__fd(skel->maps.stf_allow_v1),
								bpf_map__fd(skel->maps.stf_deny_v1),
								bpf_map__fd(skel->maps.stf_relays_v1),
								bpf_map__fd(skel->maps.stf_except_v1)});
}

} // namespace stf::impl
