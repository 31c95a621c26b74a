file(REMOVE_RECURSE
  "CMakeFiles/stf_skel_gen"
  "bpf/decap.bpf.o"
  "bpf/encap.bpf.o"
  "bpf/stf.bpf.o"
  "bpf/stf.skel.h"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/stf_skel_gen.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
