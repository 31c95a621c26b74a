#include "cli_words.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string_view>

#include "error.h"

namespace stf {

namespace {

constexpr const char *kProgram = "stf-xdp";

bool is_flag(std::string_view a) { return a.size() > 1 && a[0] == '-'; }

} // namespace

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

// Only flags come before a runnable command, so each non-flag word up to it must name a
// command.
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
		if (a == "-n" || a == "--netns") {
			i++; // its value is a name, not a command word
			continue;
		}
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

} // namespace stf
