file(REMOVE_RECURSE
  "CMakeFiles/stf_cli.dir/ctl/cli.cpp.o"
  "CMakeFiles/stf_cli.dir/ctl/cli.cpp.o.d"
  "CMakeFiles/stf_cli.dir/ctl/commands.cpp.o"
  "CMakeFiles/stf_cli.dir/ctl/commands.cpp.o.d"
  "libstf_cli.a"
  "libstf_cli.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/stf_cli.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
