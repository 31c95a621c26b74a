file(REMOVE_RECURSE
  "CMakeFiles/stf_kernel.dir/ctl/dataplane.cpp.o"
  "CMakeFiles/stf_kernel.dir/ctl/dataplane.cpp.o.d"
  "CMakeFiles/stf_kernel.dir/ctl/lock.cpp.o"
  "CMakeFiles/stf_kernel.dir/ctl/lock.cpp.o.d"
  "CMakeFiles/stf_kernel.dir/ctl/maps.cpp.o"
  "CMakeFiles/stf_kernel.dir/ctl/maps.cpp.o.d"
  "CMakeFiles/stf_kernel.dir/ctl/netlink.cpp.o"
  "CMakeFiles/stf_kernel.dir/ctl/netlink.cpp.o.d"
  "libstf_kernel.a"
  "libstf_kernel.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/stf_kernel.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
