file(REMOVE_RECURSE
  "CMakeFiles/stf-xdp.dir/ctl/main.cpp.o"
  "CMakeFiles/stf-xdp.dir/ctl/main.cpp.o.d"
  "stf-xdp"
  "stf-xdp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/stf-xdp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
