// The command line read as words before CLI11 parses it (cli.cpp): which command words are
// wrong, where -j was asked for, and the help pointer every usage error ends with.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace stf {

// The command words given so far ("prefix add"), for messages.
std::string command_path(const CLI::App &root);
// "see 'stf-xdp prefix add --help'"
std::string see_help(const std::string &path);
// CLI11 reports a mistyped or missing command as "A subcommand is required"; this says which
// word is wrong instead (usage Error). Help and version requests are left to CLI11.
void check_command_words(const CLI::App &root, int argc, const char *const *argv);
// -j as given on the command line, before parsing: a command line that fails to parse still
// gets its error in the form the caller asked for.
bool json_requested(int argc, const char *const *argv);

} // namespace stf
