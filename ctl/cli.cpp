#include "cli.h"

#include <net/if.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <vector>

#include "commands.h"
#include "error.h"
#include "output.h"

// The build passes the project version; the fallback keeps a bare compile working.
#ifndef STF_VERSION
#define STF_VERSION "0.1.0"
#endif

namespace stf {

namespace {

constexpr const char *kProgram = "stf-xdp";

// What CLI11 collects, as text: conversion and validation happen in to_invocation() so every
// message is ours, names the argument and reads the same as the config file's.
struct RawArgs {
	bool json = false;
	std::string ifname;
	bool ifname_given = false; // "" given is an error, not "every interface"
	std::vector<std::string> locals;
	std::string mode, relay, ttl, xdp_mode, config, ingress_filter, loop_guard;
	bool permit_private = false;
	std::string address; // prefix add/del
	std::string kind;    // filter add/del
	std::string prefix;  // filter add/del
};

// The command table: the CLI11 app of every runnable command, and the options of attach
// whose presence (not just value) matters.
struct CommandTable {
	std::map<const CLI::App *, Command> leaves;
	CLI::Option *local = nullptr, *mode = nullptr, *relay = nullptr, *ttl = nullptr,
		    *xdp_mode = nullptr, *config = nullptr, *permit_private = nullptr,
		    *ingress_filter = nullptr, *loop_guard = nullptr;
};

std::string exit_code_help()
{
	// Keyed by the enum so the numbers printed are the numbers returned.
	static const std::pair<Exit, const char *> codes[] = {
		{Exit::ok, "success"},
		{Exit::failure, "the kernel or netlink refused an operation"},
		{Exit::usage, "usage: bad command line, address, prefix or config file (nothing changed)"},
		{Exit::no_interface, "no such interface"},
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

CLI::App *add_command(CLI::App &parent, CommandTable &table, RawArgs &raw, Command command,
		      const char *name, const char *summary, const std::string &details)
{
	CLI::App *app = parent.add_subcommand(name, summary)->group("Commands");
	add_json_flag(app, raw);
	app->footer(details);
	table.leaves[app] = command;
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

void build_attach(CLI::App &root, CommandTable &t, RawArgs &raw)
{
	CLI::App *c = add_command(
		root, t, raw, Command::attach, "attach", "start the 6to4 tunnel on an interface",
		"Loads the dataplane and hooks it to IFACE. All or nothing: on any failure every\n"
		"step already taken is undone.\n\n"
		"Modes:\n"
		"  router        a 6to4 site: decapsulate for our 2002:V4ADDR::/48 (default)\n"
		"  relay         6to4 <-> native IPv6: decapsulate for any inner destination\n"
		"  return-relay  only encapsulate replies to 2002::/16; no XDP program\n\n"
		"Creates an XDP program on IFACE (not in return-relay mode), a tunnel device\n"
		"stf<ifindex> with the encapsulating tc program, and routes 2002::/16 (with\n"
		"--relay also ::/0, metric 2048) into it.\n"
		"Without --local, IFACE's IPv4 address is used if it has exactly one. At most\n" +
			std::to_string(STF_MAX_LOCAL) +
			" locals; the first sources packets from native IPv6 addresses.\n"
			"Ingress filter (RFC 3964 5.3.3, on by default as in stf(4)): a tunnelled\n"
			"packet is accepted only if its outer source routes back out of IFACE; turn\n"
			"it off for asymmetric routing. Sources that are addresses of this host are\n"
			"dropped either way.\n"
			"Loop guard (RFC 3964 3.2, on by default as in stf(4)): a relay drops a packet\n"
			"whose native destination routes back into its own tunnel.\n"
			"--config keys: local (string or array), mode, relay, ttl, xdp_mode,\n"
			"permit_private, ingress_filter, loop_guard, filters {\"allow\", \"deny\", \"relay\",\n"
			"\"exception\": [...]}.\n"
			"Command-line options override the file.\n\n"
			"Examples:\n"
			"  stf-xdp attach eth0\n"
			"  stf-xdp attach eth0 --local 192.0.2.1 --relay 203.0.113.1 --ttl 64\n"
			"  stf-xdp attach eth0 --mode return-relay --local 198.51.100.10\n"
			"  stf-xdp attach eth0 --config /etc/stf-xdp/eth0.json\n");
	add_iface(c, raw, true);
	t.local = c->add_option("--local", raw.locals,
				"our V4ADDR, prefix 2002:V4ADDR::/48; repeatable")
			  ->option_text("A.B.C.D")
			  ->allow_extra_args(false); // one address per --local, so IFACE is never eaten
	t.mode = c->add_option("--mode", raw.mode, "see Modes below (default router)")
			 ->type_name("router|relay|return-relay");
	t.relay = c->add_option("--relay", raw.relay, "6to4 relay for native IPv6 destinations")
			  ->type_name("A.B.C.D");
	t.ttl = c->add_option("--ttl", raw.ttl,
			      "outer TTL, " + std::to_string(kMinTtl) + " to " +
				      std::to_string(kMaxTtl) + " (default " +
				      std::to_string(STF_DEFAULT_TTL) + ")")
			->type_name("N");
	t.xdp_mode = c->add_option("--xdp-mode", raw.xdp_mode, "driver or skb XDP (default native)")
			     ->type_name("native|generic");
	t.permit_private = c->add_flag("--permit-private", raw.permit_private,
				       "accept RFC 1918 addresses");
	t.ingress_filter = c->add_option("--ingress-filter", raw.ingress_filter,
					 "outer source must route back out of IFACE (default on)")
				   ->type_name("on|off");
	t.loop_guard = c->add_option("--loop-guard", raw.loop_guard,
				     "drop what would loop back into the tunnel (default on)")
			       ->type_name("on|off");
	t.config = c->add_option("--config", raw.config, "settings from a JSON file")
			   ->type_name("FILE.json");
}

void build_read_command(CLI::App &root, CommandTable &t, RawArgs &raw, Command command,
			const char *name, const char *summary, const char *details)
{
	add_iface(add_command(root, t, raw, command, name, summary, details), raw, false);
}

void build_prefix(CLI::App &root, CommandTable &t, RawArgs &raw)
{
	CLI::App *g =
		add_group(root, raw, "prefix", "add, remove or list local V4ADDRs (6to4 prefixes)");
	g->footer("Synopsis:\n"
		  "  stf-xdp prefix add IFACE A.B.C.D\n"
		  "  stf-xdp prefix del IFACE A.B.C.D\n"
		  "  stf-xdp prefix list [IFACE]\n");
	const char *what[] = {"add", "del"};
	const Command cmds[] = {Command::prefix_add, Command::prefix_del};
	const char *summaries[] = {"add a local V4ADDR to a running attachment",
				   "remove a local V4ADDR from a running attachment"};
	const std::string details[] = {
		"Adds A.B.C.D as one more local V4ADDR: the tunnel then also serves its 6to4\n"
		"prefix 2002:V4ADDR::/48. Private addresses need an attachment made with\n"
		"--permit-private. At most " + std::to_string(STF_MAX_LOCAL) + " per interface.\n\n"
		"Example:\n  stf-xdp prefix add eth0 203.0.113.77\n",
		"Removes the local V4ADDR A.B.C.D. The last one cannot be removed: detach instead.\n\n"
		"Example:\n  stf-xdp prefix del eth0 203.0.113.77\n"};
	for (int k = 0; k < 2; k++) {
		CLI::App *c = add_command(*g, t, raw, cmds[k], what[k], summaries[k], details[k]);
		add_iface(c, raw, true);
		add_positional(c, "ADDRESS", raw.address, "the IPv4 address A.B.C.D");
	}
	build_read_command(*g, t, raw, Command::prefix_list, "list",
			   "list local V4ADDRs and their 6to4 prefixes",
			   "Lists each local V4ADDR with its 6to4 prefix 2002:V4ADDR::/48.\n\n"
			   "Example:\n  stf-xdp prefix list eth0\n");
}

void build_filter(CLI::App &root, CommandTable &t, RawArgs &raw)
{
	CLI::App *g =
		add_group(root, raw, "filter", "edit or list the peer filters (outer IPv4 source)");
	g->footer("Synopsis:\n"
		  "  stf-xdp filter add IFACE allow|deny|relay|exception A.B.C.D/N\n"
		  "  stf-xdp filter del IFACE allow|deny|relay|exception A.B.C.D/N\n"
		  "  stf-xdp filter list [IFACE]\n");
	const char *what[] = {"add", "del"};
	const Command cmds[] = {Command::filter_add, Command::filter_del};
	const char *summaries[] = {"add a peer filter entry", "remove a peer filter entry"};
	const char *details[] = {
		"Adds A.B.C.D/N to a filter on the outer IPv4 source:\n"
		"  deny       matching sources are dropped (outer_src_denied)\n"
		"  allow      while non-empty, only matching sources are accepted\n"
		"             (outer_src_not_allowed)\n"
		"  relay      while non-empty, native-sourced tunnel traffic (from a relay) is\n"
		"             accepted only from matching sources (outer_src_not_relay)\n"
		"  exception  matching sources may send 6to4 traffic whose inner source does\n"
		"             not embed them, and native-sourced traffic whatever the relay list\n"
		"             (translators, load balancers)\n\n"
		"Examples:\n  stf-xdp filter add eth0 deny 203.0.113.0/24\n"
		"  stf-xdp filter add eth0 allow 198.51.100.0/24\n"
		"  stf-xdp filter add eth0 relay 203.0.113.1/32\n",
		"Removes A.B.C.D/N from a filter; an empty allow filter accepts every source\n"
		"again, an empty relay list every relay.\n\n"
		"Example:\n  stf-xdp filter del eth0 deny 203.0.113.0/24\n"};
	for (int k = 0; k < 2; k++) {
		CLI::App *c = add_command(*g, t, raw, cmds[k], what[k], summaries[k], details[k]);
		add_iface(c, raw, true);
		add_positional(c, "KIND", raw.kind, "allow, deny, relay or exception");
		add_positional(c, "PREFIX", raw.prefix, "the IPv4 prefix A.B.C.D/N (host bits zero)");
	}
	build_read_command(*g, t, raw, Command::filter_list, "list", "list the peer filters",
			   "Lists the allow, deny, relay and exception entries of each interface.\n\n"
			   "Example:\n  stf-xdp filter list eth0\n");
}

void build(CLI::App &root, CommandTable &t, RawArgs &raw)
{
	root.set_help_flag("-h,--help", "print this help and exit");
	root.set_version_flag("-V,--version", std::string(kProgram) + " " + STF_VERSION,
			      "print the version and exit");
	add_json_flag(&root, raw, "print JSON (before or after the command)");
	root.require_subcommand(1);
	// We call them commands; the formatter is shared with every subcommand created below.
	root.get_formatter()->label("SUBCOMMAND", "COMMAND");
	root.get_formatter()->column_width(26);
	root.footer("With -j, errors are {\"error\": \"...\"} on standard output.\n\n" +
		    exit_code_help() +
		    "\nRun 'stf-xdp COMMAND --help' for a command's arguments and examples.\n");

	build_attach(root, t, raw);
	CLI::App *detach = add_command(
		root, t, raw, Command::detach, "detach", "stop the tunnel on an interface",
		"Removes the XDP program, the tunnel device with its tc program, and the\n"
		"routes through it.\n\nExample:\n  stf-xdp detach eth0\n");
	add_iface(detach, raw, true);
	build_read_command(root, t, raw, Command::status, "status", "show the configuration",
			   "Shows, per interface: mode, tunnel device and MTU, local V4ADDRs with their\n"
			   "6to4 prefixes, relay, TTL, XDP and tc programs, peer filters and the subnet\n"
			   "broadcasts refused as peers.\n\n"
			   "Examples:\n  stf-xdp status\n  stf-xdp -j status eth0\n");
	build_read_command(root, t, raw, Command::stats, "stats", "show the counters",
			   "Shows, per interface: packets and bytes decapsulated and encapsulated,\n"
			   "packets passed to the kernel untouched, and every drop by reason (with -j\n"
			   "every reason is listed, zeros included).\n\n"
			   "Examples:\n  stf-xdp stats eth0\n  stf-xdp stats -j\n");
	build_prefix(root, t, raw);
	build_filter(root, t, raw);
	add_command(
		root, t, raw, Command::slowpath, "slowpath",
		"serve outer fragments and IPv4 options (runs until stopped)",
		"XDP cannot reassemble IPv4 fragments, so it hands outer fragments and outer\n"
		"headers with IPv4 options to the kernel (counted as pass_fragment, pass_options).\n"
		"The kernel reassembles them and acts on the options, then offers the packet to\n"
		"this service, which runs the interface's own XDP decapsulator on it (BPF test\n"
		"run): the same checks, the same counters (slow_path, then decap or the drop\n"
		"reason); accepted packets are received on the tunnel device stf<N> as usual.\n"
		"Reassembled packets over 3000 bytes are dropped (slow_too_big).\n\n"
		"One per network namespace, for every attached interface in it; it runs in the\n"
		"foreground, logs to standard error and stops on SIGTERM, SIGINT or SIGHUP.\n"
		"Without it the kernel drops those packets and answers ICMP protocol\n"
		"unreachable: large 6to4 packets fragmented on the way are lost. `status` shows\n"
		"whether it runs. Exit 5 if one already runs in this namespace.\n\n"
		"Example:\n  stf-xdp slowpath &\n  ip netns exec site stf-xdp slowpath\n");
}

// The command words given so far ("prefix add"), for messages.
std::string command_path(const CLI::App &root)
{
	std::string path;
	for (const CLI::App *app = &root; !app->get_subcommands().empty();) {
		app = app->get_subcommands().front();
		path += (path.empty() ? "" : " ") + app->get_name();
	}
	return path;
}

std::string see_help(const std::string &path)
{
	return "see '" + std::string(kProgram) + (path.empty() ? "" : " " + path) + " --help'";
}

bool is_flag(std::string_view a) { return a.size() > 1 && a[0] == '-'; }

// CLI11 reports a mistyped or missing command as "A subcommand is required"; say which word
// is wrong instead. Only flags come before a runnable command, so each non-flag word up to it
// must name a command. Help and version requests are left to CLI11.
void check_command_words(const CLI::App &root, int argc, const char *const *argv)
{
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (a == "--")
			break;
		if (a == "-h" || a == "--help" || a == "-V" || a == "--version")
			return;
	}
	const CLI::App *node = &root;
	std::string path;
	auto all = [](const CLI::App *) { return true; };
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (a == "--")
			break;
		if (is_flag(a))
			continue;
		auto subs = node->get_subcommands(all);
		if (subs.empty())
			return; // a runnable command: the rest are its arguments
		auto it = std::find_if(subs.begin(), subs.end(),
				       [&](const CLI::App *s) { return s->get_name() == a; });
		if (it == subs.end())
			usage_error("unknown command '" + (path.empty() ? "" : path + " ") +
				    std::string(a) + "'; " + see_help(path));
		node = *it;
		path += (path.empty() ? "" : " ") + node->get_name();
	}
	auto subs = node->get_subcommands(all);
	if (subs.empty())
		return;
	std::string names;
	for (const CLI::App *s : subs)
		names += (names.empty() ? "" : ", ") + s->get_name();
	usage_error((path.empty() ? "no command given" : path + ": missing subcommand") + " (" +
		    names + "); " + see_help(path));
}

// Linux's dev_valid_name(): a bad name can only fail later, in a less clear place.
std::string checked_ifname(const std::string &name)
{
	if (name.empty() || name == "." || name == "..")
		usage_error("'" + name + "' is not a valid interface name");
	if (name.size() >= IFNAMSIZ)
		usage_error("interface name '" + name + "' is longer than " +
			    std::to_string(IFNAMSIZ - 1) + " characters");
	for (char ch : name)
		if (ch == '/' || ch == ':' || std::isspace(static_cast<unsigned char>(ch)))
			usage_error("'" + name + "' is not a valid interface name");
	return name;
}

// An address that may be a 6to4 endpoint. Whether a private one is permitted depends on
// --permit-private or the config file, so that is judged when the request is merged.
uint32_t endpoint_address(const std::string &text, const char *what)
{
	uint32_t a = parse_ipv4_or_throw(text, what);
	require_unicast_v4(a, true, what);
	return a;
}

unsigned parse_ttl(const std::string &text)
{
	// No leading zero: "064" reads as octal 52 to some tools, so it is refused, not guessed.
	bool digits = !text.empty() && text.size() <= 3 && (text.size() == 1 || text[0] != '0') &&
		      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
	unsigned v = digits ? static_cast<unsigned>(std::stoul(text)) : 0;
	if (!digits || v < kMinTtl || v > kMaxTtl)
		usage_error("--ttl: '" + text + "' is not an integer from " + std::to_string(kMinTtl) +
			    " to " + std::to_string(kMaxTtl));
	return v;
}

template <typename Enum>
Enum parse_choice(const std::string &text, std::optional<Enum> (*parse)(std::string_view),
		  const char *what, const char *choices)
{
	auto v = parse(text);
	if (!v)
		usage_error(std::string(what) + ": '" + text + "' is not one of " + choices);
	return *v;
}

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
		r.relay = endpoint_address(raw.relay, "--relay");
	if (t.ttl->count())
		r.ttl = parse_ttl(raw.ttl);
	if (t.xdp_mode->count())
		r.xdp_mode = parse_choice(raw.xdp_mode, parse_xdp_mode, "--xdp-mode", "native, generic");
	if (t.permit_private->count())
		r.permit_private = true;
	if (t.ingress_filter->count())
		r.ingress_filter = parse_choice(raw.ingress_filter, parse_on_off, "--ingress-filter",
						"on, off");
	if (t.loop_guard->count())
		r.loop_guard = parse_choice(raw.loop_guard, parse_on_off, "--loop-guard", "on, off");
	return r;
}

Invocation to_invocation(Command command, const CommandTable &t, const RawArgs &raw)
{
	Invocation inv;
	inv.command = command;
	inv.json = raw.json;
	if (raw.ifname_given || command == Command::attach || command == Command::detach)
		inv.ifname = checked_ifname(raw.ifname);
	switch (command) {
	case Command::attach:
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
	case Command::prefix_add:
		inv.address = endpoint_address(raw.address, "address");
		break;
	case Command::prefix_del:
		inv.address = parse_ipv4_or_throw(raw.address, "address");
		break;
	case Command::filter_add:
	case Command::filter_del:
		inv.filter_kind = parse_choice(raw.kind, parse_filter_kind, "filter kind",
					       "allow, deny, relay, exception");
		inv.filter_prefix = parse_ipv4_prefix(raw.prefix);
		break;
	default:
		break;
	}
	return inv;
}

// -j as given on the command line, before parsing: a command line that fails to parse still
// gets its error in the form the caller asked for.
bool json_requested(int argc, const char *const *argv)
{
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (a == "--")
			break;
		if (a == "-j" || a == "--json")
			return true;
	}
	return false;
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
	return to_invocation(it->second, table, raw);
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
