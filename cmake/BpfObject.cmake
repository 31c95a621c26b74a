# stf_bpf_object(NAME SOURCES a.bpf.c b.bpf.c INCLUDES dir...)
#
# Compiles each source with clang -target bpf (-Werror, so a warning fails the build), tracks
# header dependencies through a depfile (editing a BPF header rebuilds the object), links the
# objects with `bpftool gen object` and generates `${NAME}.skel.h`. Exposes an INTERFACE
# library `${NAME}_skel` whose include directory holds the skeleton.
function(stf_bpf_object name)
  cmake_parse_arguments(ARG "" "" "SOURCES;INCLUDES" ${ARGN})
  set(gen_dir ${CMAKE_BINARY_DIR}/bpf)
  file(MAKE_DIRECTORY ${gen_dir})
  execute_process(COMMAND uname -m OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(include_flags "")
  foreach(dir ${ARG_INCLUDES})
    list(APPEND include_flags -I${dir})
  endforeach()
  # Debian keeps asm/ under the multiarch directory; -target bpf does not look there.
  list(APPEND include_flags -I/usr/include/${arch}-linux-gnu)
  set(objects "")
  foreach(src ${ARG_SOURCES})
    get_filename_component(stem ${src} NAME_WE)
    set(obj ${gen_dir}/${name}_${stem}.bpf.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -Wall -Wextra -Werror
              -Wno-unused-parameter ${include_flags}
              -MD -MF ${obj}.d -c ${CMAKE_SOURCE_DIR}/${src} -o ${obj}
      DEPENDS ${CMAKE_SOURCE_DIR}/${src}
      DEPFILE ${obj}.d
      COMMENT "BPF ${src}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(linked ${gen_dir}/${name}.bpf.o)
  set(skel ${gen_dir}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${linked}
    COMMAND ${BPFTOOL} gen object ${linked} ${objects}
    DEPENDS ${objects}
    COMMENT "BPF link ${name}.bpf.o"
    VERBATIM)
  # The skeleton is written to a temporary file first so a failed run leaves no empty header.
  add_custom_command(
    OUTPUT ${skel}
    COMMAND sh -c "\"$0\" gen skeleton \"$1\" name \"$2\" > \"$3\"" ${BPFTOOL} ${linked} ${name}_bpf ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${linked}
    COMMENT "BPF skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${gen_dir})
endfunction()
