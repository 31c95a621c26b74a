// The command line: `stf-xdp [-j] COMMAND [options]`, parsed into an Invocation (pure, unit
// tested) and then executed (commands.h). Every argument is checked here, before any command
// runs, so a bad address, prefix or mode never reaches the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "addr.h"
#include "options.h"

namespace stf {

// monitor's events per second per CPU when --rate is not given.
constexpr uint32_t kDefaultMonitorRate = 100;

enum class Command {
	help,    // -h/--help anywhere: print Invocation::text
	version, // -V/--version: print Invocation::text
	attach,
	detach,
	status,
	stats,
	prefix_add,
	prefix_del,
	prefix_list,
	filter_add,
	filter_del,
	filter_list,
	check,
	apply,
	run,
	slowpath,
	monitor,
};

struct Invocation {
	Command command = Command::help;
	bool json = false;
	std::string text; // help or version text, for Command::help and Command::version

	// stats --prometheus
	bool prometheus = false;
	// attach, detach, apply --dry-run
	bool dry_run = false;
	// run --keep
	bool keep = false;
	// monitor --rate: events per second per CPU
	uint32_t rate = kDefaultMonitorRate;
	// -v: libbpf's and the verifier's messages on stderr
	bool verbose = false;
	// -n NAME: the network namespace to run in ("" = the caller's).
	std::string netns;
	// The interface; empty for the read commands means every attached interface.
	std::string ifname;
	// attach: what the command line asked for (the config file is read when attach runs).
	AttachRequest request;
	std::optional<std::string> config_path; // attach --config, or the FILE of check and apply
	// prefix add/del
	uint32_t address = 0;
	// filter add/del
	FilterKind filter_kind = FilterKind::allow;
	Ipv4Prefix filter_prefix;
};

// Parses argv (argv[0] is the program name). Throws a usage Error ("... see 'stf-xdp COMMAND
// --help'") for anything it cannot accept.
Invocation parse_command_line(int argc, const char *const *argv);

// The whole program: parse, run, report. Errors go to err as one "stf-xdp: message" line, or in
// JSON mode to out as {"error": "message"}. Returns the exit code (stf::Exit).
int run_cli(int argc, char **argv, std::ostream &out, std::ostream &err);

} // namespace stf
