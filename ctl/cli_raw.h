// The command line between its two halves (internal to cli.cpp and cli_invocation.cpp): what
// CLI11 collected, as text, and the table of what it built; to_invocation() turns them into
// an Invocation, converting and checking every argument.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "command_table.h"

namespace stf::cli_detail {

// What CLI11 collects, as text: conversion and validation happen in to_invocation() so every
// message is ours, names the argument and reads the same as the config file's.
struct RawArgs {
	bool json = false;
	std::string ifname;
	bool ifname_given = false; // "" given is an error, not "every interface"
	std::vector<std::string> locals;
	std::vector<std::string> lan;
	std::string mode, relay, ttl, xdp_mode, config, ingress_filter, loop_guard, fast_path;
	bool permit_private = false;
	bool xdp_dispatcher = false;
	std::string address; // prefix add/del
	std::string kind;    // filter add/del
	std::string prefix;  // filter add/del
	std::string file;    // check
	std::string netns;   // -n
	bool netns_given = false;
	bool prometheus = false; // stats
	bool dry_run = false;    // apply, attach, detach
	bool keep = false;       // run
	std::string rate;        // monitor --rate
	bool rate_given = false; // "" given is an error, not the default
	bool verbose = false;    // -v
};

// What the parser built from the command table: the CLI11 app of every runnable command,
// and the options of attach whose presence (not just value) matters.
struct CommandTable {
	std::map<const CLI::App *, const CommandSpec *> leaves;
	CLI::Option *local = nullptr, *mode = nullptr, *relay = nullptr, *ttl = nullptr,
		    *xdp_mode = nullptr, *config = nullptr, *permit_private = nullptr,
		    *ingress_filter = nullptr, *loop_guard = nullptr, *xdp_dispatcher = nullptr,
		    *fast_path = nullptr, *lan = nullptr;
};

// The parsed command spec's Invocation; throws a usage Error naming the bad argument.
Invocation to_invocation(const CommandSpec &spec, const CommandTable &t, const RawArgs &raw);

} // namespace stf::cli_detail
