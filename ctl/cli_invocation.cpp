// Parsed text to Invocation: every argument converted and checked here, with messages that
// name the argument and read the same as the config file's (cli_values.h).
#include "cli_raw.h"

#include "cli_values.h"
#include "error.h"

namespace stf::cli_detail {

namespace {

AttachRequest attach_request(const CommandTable &t, const RawArgs &raw)
{
	AttachRequest r;
	if (t.local->count()) {
		r.locals.emplace();
		for (const auto &text : raw.locals)
			r.locals->push_back(endpoint_address(text, "--local"));
	}
	if (t.mode->count())
		r.mode = parse_choice(raw.mode, parse_mode, "--mode", "router, relay, return-relay");
	if (t.relay->count())
		r.relay = endpoint_address(raw.relay, "--default-relay");
	if (t.ttl->count())
		r.ttl = parse_ttl(raw.ttl);
	if (t.xdp_mode->count())
		r.xdp_mode = parse_choice(raw.xdp_mode, parse_xdp_mode, "--xdp-mode", "native, generic");
	if (t.xdp_dispatcher->count())
		r.xdp_dispatcher = true;
	if (t.permit_private->count())
		r.permit_private = true;
	if (t.ingress_filter->count())
		r.ingress_filter = parse_choice(raw.ingress_filter, parse_on_off, "--ingress-filter",
						"on, off");
	if (t.loop_guard->count())
		r.loop_guard = parse_choice(raw.loop_guard, parse_on_off, "--loop-guard", "on, off");
	if (t.fast_path->count())
		r.fast_path = parse_choice(raw.fast_path, parse_on_off, "--fast-path", "on, off");
	if (t.lan->count())
		r.lan = raw.lan;
	return r;
}

} // namespace

Invocation to_invocation(const CommandSpec &spec, const CommandTable &t, const RawArgs &raw)
{
	Invocation inv;
	inv.command = spec.id;
	inv.json = raw.json;
	inv.netns = raw.netns;
	inv.verbose = raw.verbose;
	if (raw.ifname_given || spec.args == Args::attach || spec.args == Args::iface ||
	    spec.args == Args::iface_file || spec.args == Args::service)
		inv.ifname = checked_ifname(raw.ifname);
	switch (spec.args) {
	case Args::attach:
		inv.dry_run = raw.dry_run;
		inv.request = attach_request(t, raw);
		if (t.config->count()) {
			if (raw.config.empty())
				usage_error("--config: the file name is empty");
			inv.config_path = raw.config;
		} else {
			// Without a config file the command line is the whole request: check
			// all of it (private addresses, relay in return-relay mode, ...) now.
			merge_options(inv.ifname, AttachRequest{}, inv.request);
		}
		break;
	case Args::iface_address:
		// Removing takes any address that may be there; adding only a usable one.
		inv.address = spec.id == Command::prefix_add
				      ? endpoint_address(raw.address, "address")
				      : parse_ipv4_or_throw(raw.address, "address");
		break;
	case Args::iface_kind_prefix:
		inv.filter_kind = parse_choice(raw.kind, parse_filter_kind, "filter kind",
					       "allow, deny, relay, exception");
		inv.filter_prefix = parse_ipv4_prefix(raw.prefix);
		break;
	case Args::service:
		inv.keep = raw.keep;
		[[fallthrough]];
	case Args::iface_file:
		inv.dry_run = raw.dry_run;
		[[fallthrough]];
	case Args::file:
		if (raw.file.empty())
			usage_error("FILE: the file name is empty");
		inv.config_path = raw.file;
		break;
	case Args::stats:
		if (raw.prometheus && raw.json)
			usage_error("--prometheus and -j are two output formats; choose one");
		inv.prometheus = raw.prometheus;
		break;
	case Args::monitor:
		if (raw.rate_given)
			inv.rate = parse_monitor_rate(raw.rate);
		break;
	case Args::iface:
		inv.dry_run = raw.dry_run;
		break;
	case Args::none:
	case Args::iface_optional:
		break;
	}
	if (raw.netns_given && raw.netns.empty())
		usage_error("-n: the network namespace name is empty");
	return inv;
}

} // namespace stf::cli_detail
