// One function per command: each takes the parsed Invocation (cli.h), talks to the dataplane
// and prints through output.h. Every failure is a stf::Error carrying its exit code.
#pragma once

#include <ostream>

#include "cli.h"

namespace stf {

void attach_command(const Invocation &inv, std::ostream &out);
void detach_command(const Invocation &inv, std::ostream &out);
void status_command(const Invocation &inv, std::ostream &out);
void stats_command(const Invocation &inv, std::ostream &out);
void prefix_add_command(const Invocation &inv, std::ostream &out);
void prefix_del_command(const Invocation &inv, std::ostream &out);
void prefix_list_command(const Invocation &inv, std::ostream &out);
void filter_add_command(const Invocation &inv, std::ostream &out);
void filter_del_command(const Invocation &inv, std::ostream &out);
void filter_list_command(const Invocation &inv, std::ostream &out);
void check_command(const Invocation &inv, std::ostream &out);
void apply_command(const Invocation &inv, std::ostream &out);
void service_command(const Invocation &inv, std::ostream &out); // run (service.cpp)

// apply's work, for apply and for run's start and reload: attaches ifname with the file, or
// brings its attachment to the file's settings in place; prints what it did to out.
void apply_config(const std::string &ifname, const std::string &path, std::ostream &out,
		  bool json, bool dry_run);
void slowpath_command(const Invocation &inv, std::ostream &out);
void monitor_command(const Invocation &inv, std::ostream &out);

// Runs the command inv names (help and version print inv.text), in inv.netns if given.
void run_command(const Invocation &inv, std::ostream &out);

} // namespace stf
