
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/ctl/addr.cpp" "CMakeFiles/stf_core.dir/ctl/addr.cpp.o" "gcc" "CMakeFiles/stf_core.dir/ctl/addr.cpp.o.d"
  "/work/main/ctl/config_file.cpp" "CMakeFiles/stf_core.dir/ctl/config_file.cpp.o" "gcc" "CMakeFiles/stf_core.dir/ctl/config_file.cpp.o.d"
  "/work/main/ctl/counters.cpp" "CMakeFiles/stf_core.dir/ctl/counters.cpp.o" "gcc" "CMakeFiles/stf_core.dir/ctl/counters.cpp.o.d"
  "/work/main/ctl/options.cpp" "CMakeFiles/stf_core.dir/ctl/options.cpp.o" "gcc" "CMakeFiles/stf_core.dir/ctl/options.cpp.o.d"
  "/work/main/ctl/output.cpp" "CMakeFiles/stf_core.dir/ctl/output.cpp.o" "gcc" "CMakeFiles/stf_core.dir/ctl/output.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
