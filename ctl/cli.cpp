#include "cli.h"

#include <net/if.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <vector>

#include "cli_raw.h"
#include "cli_values.h"
#include "cli_words.h"
#include "command_table.h"
#include "commands.h"
#include "error.h"
#include "output.h"

// The build passes the project version; the fallback keeps a bare compile working.
#ifndef STF_VERSION
#define STF_VERSION "0.1.0"
#endif

namespace stf {

namespace {

using namespace cli_detail;

constexpr const char *kProgram = "stf-xdp";


std::string exit_code_help()
{
	// Keyed by the enum so the numbers printed are the numbers returned.
	static const std::pair<Exit, const char *> codes[] = {
		{Exit::ok, "success"},
		{Exit::failure, "the kernel or netlink refused an operation"},
		{Exit::usage, "usage: bad command line, address, prefix or config file (nothing changed)"},
		{Exit::no_interface, "no such interface (or network namespace, with -n)"},
		{Exit::not_attached, "stf-xdp is not attached to the interface"},
		{Exit::already_attached,
		 "already attached (stf-xdp, another XDP program, or a device in the way)"},
	};
	std::string out = "Exit codes:\n";
	for (const auto &[code, text] : codes)
		out += "  " + std::to_string(static_cast<int>(code)) + "  " + text + "\n";
	return out;
}

// -j is accepted at every level, so `stf-xdp -j stats` and `stf-xdp stats -j` both work.
void add_json_flag(CLI::App *app, RawArgs &raw, const char *help = "print JSON")
{
	app->add_flag("-j,--json", raw.json, help);
}

CLI::App *add_command(CLI::App &parent, CommandTable &table, RawArgs &raw, const CommandSpec &spec)
{
	CLI::App *app = parent.add_subcommand(spec.name, spec.summary)->group("Commands");
	add_json_flag(app, raw);
	app->footer(spec.details);
	table.leaves[app] = &spec;
	return app;
}

void add_positional(CLI::App *app, const char *name, std::string &value, const char *help,
		    bool required = true)
{
	// The name says what it is; CLI11 would add "TEXT".
	app->add_option(name, value, help)->required(required)->type_name("");
}

void add_iface(CLI::App *app, RawArgs &raw, bool required)
{
	app->add_option("IFACE", raw.ifname,
			required ? "the network interface" : "the network interface (default: all)")
		->required(required)
		->type_name("")
		->each([&raw](const std::string &) { raw.ifname_given = true; });
}

CLI::App *add_group(CLI::App &root, RawArgs &raw, const char *name, const char *summary)
{
	CLI::App *group = root.add_subcommand(name, summary)->group("Commands");
	add_json_flag(group, raw);
	group->require_subcommand(1);
	return group;
}

// The options of attach whose presence (not just value) matters are kept in t.
void add_attach_options(CLI::App *c, CommandTable &t, RawArgs &raw)
{
	t.local = c->add_option("--local", raw.locals,
				"our V4ADDR, prefix 2002:V4ADDR::/48; repeatable")
			  ->option_text("A.B.C.D")
			  ->allow_extra_args(false); // one address per --local, so IFACE is never eaten
	t.mode = c->add_option("--mode", raw.mode, "see Modes below (default router)")
			 ->type_name("router|relay|return-relay");
	// --default-relay names what the address is for (the relay behind ::/0, as FreeBSD's
	// ipv6_defaultrouter); --relay, its first spelling, stays accepted.
	t.relay = c->add_option("--default-relay,--relay", raw.relay,
				"the 6to4 relay that native IPv6 destinations go to")
			  ->type_name("A.B.C.D");
	t.ttl = c->add_option("--ttl", raw.ttl,
			      "outer TTL, " + std::to_string(kMinTtl) + " to " +
				      std::to_string(kMaxTtl) + " (default " +
				      std::to_string(STF_DEFAULT_TTL) + ")")
			->type_name("N");
	t.xdp_mode = c->add_option("--xdp-mode", raw.xdp_mode, "driver or skb XDP (default native)")
			     ->type_name("native|generic");
	t.xdp_dispatcher = c->add_flag("--xdp-dispatcher", raw.xdp_dispatcher,
				       "share IFACE's XDP hook through libxdp's dispatcher");
	t.permit_private = c->add_flag("--permit-private", raw.permit_private,
				       "accept RFC 1918 addresses");
	t.ingress_filter = c->add_option("--ingress-filter", raw.ingress_filter,
					 "outer source must route back out of IFACE (default on)")
				   ->type_name("on|off");
	t.loop_guard = c->add_option("--loop-guard", raw.loop_guard,
				     "drop what would loop back into the tunnel (default on)")
			       ->type_name("on|off");
	t.fast_path = c->add_option("--fast-path", raw.fast_path,
				    "forward decapsulated packets from XDP, bypassing netfilter's "
				    "forward hooks (default off)")
			      ->type_name("on|off");
	t.lan = c->add_option("--lan", raw.lan,
			      "LAN interfaces whose IPv6 into the tunnel the fast path encapsulates "
			      "from XDP")
			->option_text("IFACE[,IFACE...]")
			->delimiter(',')
			->allow_extra_args(false);
	t.config = c->add_option("--config", raw.config, "settings from a JSON file")
			   ->type_name("FILE.json");
}

void add_dry_run(CLI::App *c, RawArgs &raw)
{
	c->add_flag("--dry-run", raw.dry_run, "print what would change; change nothing");
}

// A command's arguments, by the shape the table gives.
void add_args(CLI::App *c, const CommandSpec &spec, CommandTable &t, RawArgs &raw)
{
	switch (spec.args) {
	case Args::none:
		break;
	case Args::iface_optional:
		add_iface(c, raw, false);
		break;
	case Args::stats:
		add_iface(c, raw, false);
		c->add_flag("--prometheus", raw.prometheus, "print Prometheus' text format");
		break;
	case Args::iface:
		add_iface(c, raw, true);
		add_dry_run(c, raw);
		break;
	case Args::iface_address:
		add_iface(c, raw, true);
		add_positional(c, "ADDRESS", raw.address, "the IPv4 address A.B.C.D");
		break;
	case Args::iface_kind_prefix:
		add_iface(c, raw, true);
		add_positional(c, "KIND", raw.kind, "allow, deny, relay or exception");
		add_positional(c, "PREFIX", raw.prefix, "the IPv4 prefix A.B.C.D/N (host bits zero)");
		break;
	case Args::attach:
		add_iface(c, raw, true);
		add_attach_options(c, t, raw);
		add_dry_run(c, raw);
		break;
	case Args::file:
		add_positional(c, "FILE", raw.file, "the JSON config file");
		break;
	case Args::iface_file:
		add_iface(c, raw, true);
		add_positional(c, "FILE", raw.file, "the JSON config file");
		add_dry_run(c, raw);
		break;
	case Args::service:
		add_iface(c, raw, true);
		c->add_option("--config", raw.file, "the JSON config file (required)")
			->type_name("FILE.json")
			->required();
		c->add_flag("--keep", raw.keep, "leave the dataplane running when stopped");
		break;
	case Args::monitor:
		add_iface(c, raw, false);
		c->add_option("--rate", raw.rate,
			      "events per second per CPU, 1 to " +
				      std::to_string(STF_MONITOR_MAX_RATE) + " (default " +
				      std::to_string(kDefaultMonitorRate) + ")")
			->type_name("N")
			->each([&raw](const std::string &) { raw.rate_given = true; });
		break;
	}
}

void build(CLI::App &root, CommandTable &t, RawArgs &raw)
{
	root.set_help_flag("-h,--help", "print this help and exit");
	root.set_version_flag("-V,--version", std::string(kProgram) + " " + STF_VERSION,
			      "print the version and exit");
	add_json_flag(&root, raw, "print JSON (before or after the command)");
	root.add_flag("-v,--verbose", raw.verbose,
		      "show libbpf's and the BPF verifier's messages on standard error");
	root.add_option("-n,--netns", raw.netns,
			"run in the named network namespace (/run/netns/NAME), like ip -n")
		->type_name("NAME")
		->each([&raw](const std::string &) { raw.netns_given = true; });
	root.require_subcommand(1);
	// We call them commands; the formatter is shared with every subcommand created below.
	root.get_formatter()->label("SUBCOMMAND", "COMMAND");
	root.get_formatter()->column_width(26);
	root.footer("With -j, errors are {\"error\": \"...\"} on standard output.\n\n" +
		    exit_code_help() +
		    "\nRun 'stf-xdp COMMAND --help' for a command's arguments and examples.\n");

	std::map<std::string, CLI::App *> groups;
	for (const CommandSpec &spec : command_table()) {
		CLI::App *parent = &root;
		if (*spec.group) {
			CLI::App *&g = groups[spec.group];
			if (!g) {
				const auto &gs = command_groups();
				auto it = std::find_if(gs.begin(), gs.end(), [&](const GroupSpec &x) {
					return std::string_view(x.name) == spec.group;
				});
				if (it == gs.end())
					throw Error(Exit::failure, "internal error: no group " +
									   std::string(spec.group));
				g = add_group(root, raw, it->name, it->summary);
				g->footer(it->synopsis);
			}
			parent = g;
		}
		add_args(add_command(*parent, t, raw, spec), spec, t, raw);
	}
}



} // namespace

Invocation parse_command_line(int argc, const char *const *argv)
{
	CLI::App root("stf-xdp: a 6to4 tunnel (RFC 3056) with an XDP/tc dataplane", kProgram);
	CommandTable table;
	RawArgs raw;
	build(root, table, raw);
	check_command_words(root, argc, argv);
	try {
		root.parse(argc, argv);
	} catch (const CLI::CallForHelp &) {
		return Invocation{Command::help, raw.json, root.help()};
	} catch (const CLI::CallForAllHelp &) {
		return Invocation{Command::help, raw.json, root.help()};
	} catch (const CLI::CallForVersion &e) {
		return Invocation{Command::version, raw.json, std::string(e.what()) + "\n"};
	} catch (const CLI::ParseError &e) {
		usage_error(std::string(e.what()) + "; " + see_help(command_path(root)));
	}
	const CLI::App *leaf = &root;
	while (!leaf->get_subcommands().empty())
		leaf = leaf->get_subcommands().front();
	auto it = table.leaves.find(leaf);
	if (it == table.leaves.end()) // check_command_words and require_subcommand prevent this
		usage_error("no command given; " + see_help(command_path(root)));
	return to_invocation(*it->second, table, raw);
}

int run_cli(int argc, char **argv, std::ostream &out, std::ostream &err)
{
	bool json = json_requested(argc, argv);
	try {
		Invocation inv = parse_command_line(argc, argv);
		json = inv.json;
		run_command(inv, out);
		return static_cast<int>(Exit::ok);
	} catch (const Error &e) {
		print_error(json ? out : err, e, json);
		return static_cast<int>(e.code());
	} catch (const std::exception &e) {
		print_error(json ? out : err, Error(Exit::failure, e.what()), json);
		return static_cast<int>(Exit::failure);
	}
}

} // namespace stf
