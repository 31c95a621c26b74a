// The command-line tests' drivers (cli_test.cpp, cli_help_test.cpp): parse an argument list
// as main() would get it, expect a usage error, or run the whole CLI with captured output.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "error.h"

namespace stf::cli_test {

inline std::vector<const char *> argv_of(std::initializer_list<const char *> args)
{
	std::vector<const char *> v{"stf-xdp"};
	v.insert(v.end(), args.begin(), args.end());
	return v;
}

inline Invocation parse(std::initializer_list<const char *> args)
{
	auto v = argv_of(args);
	return parse_command_line(static_cast<int>(v.size()), v.data());
}

// The usage Error's message for args ("" and a test failure if they parse).
inline std::string usage(std::initializer_list<const char *> args)
{
	try {
		parse(args);
	} catch (const Error &e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	ADD_FAILURE() << "parsed";
	return "";
}

struct CliResult {
	int rc;
	std::string out, err;
};

inline CliResult run(std::initializer_list<const char *> args)
{
	auto v = argv_of(args);
	std::vector<char *> argv;
	for (const char *a : v)
		argv.push_back(const_cast<char *>(a));
	std::ostringstream out, err;
	int rc = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
	return {rc, out.str(), err.str()};
}

} // namespace stf::cli_test
