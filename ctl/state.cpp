#include "state.h"

#include <algorithm>
#include <arpa/inet.h>

#include "error.h"
#include "rules.h"

namespace stf {

stf_config build_config(const AttachOptions &opts, uint32_t ifindex, uint32_t tun_ifindex,
			const std::vector<uint32_t> &broadcasts)
{
	stf_config cfg{};
	cfg.ifindex = ifindex;
	cfg.tun_ifindex = tun_ifindex;
	cfg.mode = static_cast<__u8>(opts.mode);
	cfg.ttl = opts.ttl;
	cfg.flags = (opts.permit_private ? STF_F_PERMIT_PRIVATE : 0) |
		    (opts.ingress_filter ? STF_F_INGRESS_FILTER : 0) |
		    (opts.loop_guard ? STF_F_LOOP_GUARD : 0) |
		    (opts.fast_path ? STF_F_FAST_PATH : 0);
	require_local_count(opts.locals.size());
	for (size_t i = 0; i < opts.locals.size(); i++)
		cfg.local[i] = htonl(opts.locals[i]);
	cfg.n_local = static_cast<__u8>(opts.locals.size());
	cfg.relay = opts.relay ? htonl(*opts.relay) : 0;
	// More broadcasts than fit are ignored; the per-packet loop is bounded by the array.
	size_t n = std::min<size_t>(broadcasts.size(), STF_MAX_BCAST);
	for (size_t i = 0; i < n; i++)
		cfg.bcast[i] = htonl(broadcasts[i]);
	cfg.n_bcast = static_cast<__u8>(n);
	return cfg;
}

std::vector<uint32_t> config_broadcasts(const stf_config &cfg)
{
	std::vector<uint32_t> out;
	for (unsigned i = 0; i < cfg.n_bcast && i < STF_MAX_BCAST; i++)
		out.push_back(ntohl(cfg.bcast[i]));
	return out;
}

std::vector<uint32_t> config_locals(const stf_config &cfg)
{
	std::vector<uint32_t> out;
	for (unsigned i = 0; i < cfg.n_local && i < STF_MAX_LOCAL; i++)
		out.push_back(ntohl(cfg.local[i]));
	return out;
}

void prefix_add(MapStore &maps, uint32_t v4)
{
	stf_config cfg = maps.config();
	require_unicast_v4(v4, cfg.flags & STF_F_PERMIT_PRIVATE, "local address");
	std::vector<uint32_t> locals = config_locals(cfg);
	if (std::find(locals.begin(), locals.end(), v4) != locals.end())
		usage_error("local address " + format_ipv4(v4) + " is already configured");
	// The checks attach makes: the dataplane would drop every packet to or from it.
	require_no_broadcast({v4}, std::nullopt, config_broadcasts(cfg));
	if (cfg.relay)
		require_relay_not_local({v4}, ntohl(cfg.relay));
	require_local_count(locals.size() + 1);
	cfg.local[cfg.n_local] = htonl(v4);
	cfg.n_local++;
	maps.set_config(cfg);
}

void prefix_del(MapStore &maps, uint32_t v4)
{
	stf_config cfg = maps.config();
	std::vector<uint32_t> locals = config_locals(cfg);
	auto it = std::find(locals.begin(), locals.end(), v4);
	if (it == locals.end())
		usage_error("local address " + format_ipv4(v4) + " is not configured");
	if (locals.size() == 1)
		usage_error("local address " + format_ipv4(v4) +
			    " is the last one; use 'stf-xdp detach' to stop the tunnel");
	locals.erase(it);
	for (size_t i = 0; i < STF_MAX_LOCAL; i++)
		cfg.local[i] = i < locals.size() ? htonl(locals[i]) : 0;
	cfg.n_local = static_cast<__u8>(locals.size());
	maps.set_config(cfg);
}

namespace {

__u8 &filter_flag(stf_config &cfg, FilterKind kind)
{
	switch (kind) {
	case FilterKind::allow: return cfg.has_allow;
	case FilterKind::deny: return cfg.has_deny;
	case FilterKind::relay: return cfg.has_relays;
	default: return cfg.has_except;
	}
}

} // namespace

std::vector<Ipv4Prefix> filter_entries(const MapStore &maps, FilterKind kind)
{
	stf_config cfg = maps.config();
	if (!filter_flag(cfg, kind))
		return {};
	return maps.filters(kind);
}

void filter_add(MapStore &maps, FilterKind kind, const Ipv4Prefix &p)
{
	if (auto other = contradicting_filter(kind)) {
		std::vector<Ipv4Prefix> there = filter_entries(maps, *other);
		if (std::find(there.begin(), there.end(), p) != there.end())
			usage_error(both_filters_message(p));
	}
	stf_config cfg = maps.config();
	// With the flag down the table is ignored, so whatever is in it was left by a change
	// killed before its flag went up (or after it went down): not in force, removed here.
	if (!filter_flag(cfg, kind))
		for (const Ipv4Prefix &left : maps.filters(kind))
			maps.filter_del(kind, left);
	maps.filter_add(kind, p); // entry first: a raised flag never meets an empty table
	if (!filter_flag(cfg, kind)) {
		filter_flag(cfg, kind) = 1;
		maps.set_config(cfg); // the commit point: a kill before it leaves the old state
	}
}

void filter_del(MapStore &maps, FilterKind kind, const Ipv4Prefix &p)
{
	std::vector<Ipv4Prefix> entries = filter_entries(maps, kind);
	if (std::find(entries.begin(), entries.end(), p) == entries.end())
		usage_error(std::string("filter ") + filter_kind_name(kind) + " " +
			    format_ipv4_prefix(p) + " does not exist");
	stf_config cfg = maps.config();
	bool last = entries.size() == 1;
	if (last) {
		// Flag down before the last entry goes: an empty allow table must not drop all.
		filter_flag(cfg, kind) = 0;
		maps.set_config(cfg);
	}
	try {
		maps.filter_del(kind, p);
	} catch (...) {
		if (last) {
			filter_flag(cfg, kind) = 1;
			maps.set_config(cfg);
		}
		throw;
	}
}

} // namespace stf
