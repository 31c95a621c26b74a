file(REMOVE_RECURSE
  "CMakeFiles/stf_core.dir/ctl/addr.cpp.o"
  "CMakeFiles/stf_core.dir/ctl/addr.cpp.o.d"
  "CMakeFiles/stf_core.dir/ctl/config_file.cpp.o"
  "CMakeFiles/stf_core.dir/ctl/config_file.cpp.o.d"
  "CMakeFiles/stf_core.dir/ctl/counters.cpp.o"
  "CMakeFiles/stf_core.dir/ctl/counters.cpp.o.d"
  "CMakeFiles/stf_core.dir/ctl/options.cpp.o"
  "CMakeFiles/stf_core.dir/ctl/options.cpp.o.d"
  "CMakeFiles/stf_core.dir/ctl/output.cpp.o"
  "CMakeFiles/stf_core.dir/ctl/output.cpp.o.d"
  "libstf_core.a"
  "libstf_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/stf_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
