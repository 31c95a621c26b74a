#include "apply.h"

#include <arpa/inet.h>

#include <cstdio>
#include <functional>

#include "error.h"
#include "rollback.h"
#include "rules.h"
#include "state.h"

namespace stf {

namespace {


constexpr __u8 kOptionFlags =
	STF_F_PERMIT_PRIVATE | STF_F_INGRESS_FILTER | STF_F_LOOP_GUARD | STF_F_FAST_PATH;

// The fields apply owns in the config; the filter flags (has_*) belong to filter_add/del.
struct ConfigFields {
	__u8 mode, ttl, flags, n_local;
	__be32 relay;
	__be32 local[STF_MAX_LOCAL];
};

ConfigFields fields_of(const stf_config &c)
{
	ConfigFields f{c.mode, c.ttl, static_cast<__u8>(c.flags & kOptionFlags), c.n_local, c.relay, {}};
	std::copy(std::begin(c.local), std::end(c.local), f.local);
	return f;
}

void set_fields(MapStore &maps, const ConfigFields &f)
{
	stf_config c = maps.config();
	c.mode = f.mode;
	c.ttl = f.ttl;
	c.flags = static_cast<__u8>((c.flags & ~kOptionFlags) | f.flags);
	c.n_local = f.n_local;
	c.relay = f.relay;
	std::copy(std::begin(f.local), std::end(f.local), c.local);
	maps.set_config(c);
}

ConfigFields target_fields(const AttachOptions &o)
{
	ConfigFields f{};
	f.mode = static_cast<__u8>(o.mode);
	f.ttl = o.ttl;
	f.flags = static_cast<__u8>((o.permit_private ? STF_F_PERMIT_PRIVATE : 0) |
				    (o.ingress_filter ? STF_F_INGRESS_FILTER : 0) |
				    (o.loop_guard ? STF_F_LOOP_GUARD : 0) |
				    (o.fast_path ? STF_F_FAST_PATH : 0));
	f.n_local = static_cast<__u8>(o.locals.size());
	f.relay = o.relay ? htonl(*o.relay) : 0;
	for (size_t i = 0; i < o.locals.size() && i < STF_MAX_LOCAL; i++)
		f.local[i] = htonl(o.locals[i]);
	return f;
}

} // namespace

void apply_plan(const Plan &plan, MapStore &maps, RouteOps &routes)
{
	if (!plan.refused.empty()) {
		std::string what;
		for (const std::string &r : plan.refused)
			what += (what.empty() ? "" : "; ") + r;
		usage_error("cannot change in place: " + what + "; detach and attach instead");
	}
	const stf_config now = maps.config();
	require_local_count(plan.target.locals.size());
	require_no_broadcast(plan.target.locals, plan.target.relay, config_broadcasts(now));
	// A prefix moving between allow and deny leaves the old table before it enters the new
	// one, or filter_add would refuse a contradiction that exists only half-way through.
	using Entry = std::pair<FilterKind, Ipv4Prefix>;
	auto moving = [&plan](const Entry &add) {
		for (const Entry &d : plan.filter_dels)
			if (d.second == add.second && contradicting_filter(add.first) == d.first)
				return true;
		return false;
	};
	std::vector<Entry> adds, moves, dels;
	for (const Entry &a : plan.filter_adds)
		(moving(a) ? moves : adds).push_back(a);
	for (const Entry &d : plan.filter_dels) {
		bool moved = false;
		for (const Entry &m : moves)
			moved |= m.second == d.second && contradicting_filter(m.first) == d.first;
		if (!moved)
			dels.push_back(d);
	}

	Rollback undo;
	for (const auto &[k, p] : moves) {
		const FilterKind from = *contradicting_filter(k);
		filter_del(maps, from, p);
		undo.add([&maps, from, p = p] { filter_add(maps, from, p); });
		filter_add(maps, k, p);
		undo.add([&maps, k = k, p = p] { filter_del(maps, k, p); });
	}
	for (const auto &[k, p] : adds) {
		filter_add(maps, k, p);
		undo.add([&maps, k = k, p = p] { filter_del(maps, k, p); });
	}
	if (plan.default_route < 0) {
		routes.del_default();
		undo.add([&routes] { routes.add_default(); });
	}
	if (plan.config_changed) {
		const ConfigFields before = fields_of(now);
		set_fields(maps, target_fields(plan.target));
		undo.add([&maps, before] { set_fields(maps, before); });
	}
	if (plan.default_route > 0) {
		routes.add_default();
		undo.add([&routes] { routes.del_default(); });
	}
	for (const auto &[k, p] : dels) {
		filter_del(maps, k, p);
		undo.add([&maps, k = k, p = p] { filter_add(maps, k, p); });
	}
	undo.commit();
}

} // namespace stf
