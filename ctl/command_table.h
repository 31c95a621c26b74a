// The one table of stf-xdp's commands: name, summary, help text, the arguments it takes and
// the function that runs it. cli.cpp builds the parser, the help and the dispatch from it, so
// a command is added in one place.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli.h"

namespace stf {

// The arguments a command takes besides -j (cli.cpp adds and converts them by shape).
enum class Args {
	none,              // slowpath
	iface_optional,    // status, prefix list, filter list: [IFACE]
	stats,             // stats: [IFACE] [--prometheus]
	iface,             // detach: IFACE [--dry-run]
	iface_address,     // prefix add/del: IFACE ADDRESS
	iface_kind_prefix, // filter add/del: IFACE KIND PREFIX
	attach,            // attach: IFACE and the attach options [--dry-run]
	file,              // check: FILE.json
	iface_file,        // apply: IFACE FILE.json [--dry-run]
	service,           // run: IFACE --config FILE.json [--keep]
	monitor,           // monitor: [IFACE] [--rate N]
};

struct CommandSpec {
	Command id;
	const char *group; // "" for a top-level command, else the group's word ("prefix")
	const char *name;
	const char *summary;
	std::string details; // shown under --help: what it does, exit codes if special, examples
	Args args;
	void (*run)(const Invocation &, std::ostream &);
};

struct GroupSpec {
	const char *name;
	const char *summary;
	const char *synopsis; // shown under the group's --help
};

// In the order --help lists them. Groups appear where their first command is.
const std::vector<CommandSpec> &command_table();
const std::vector<GroupSpec> &command_groups();
const CommandSpec &command_spec(Command id); // throws if id has no entry (help, version)

} // namespace stf
