// stf-xdp: everything lives in run_cli (cli.h), so the whole program is testable in-process.
#include <iostream>

#include "cli.h"

int main(int argc, char **argv) { return stf::run_cli(argc, argv, std::cout, std::cerr); }
