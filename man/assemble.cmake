# cmake -DTEMPLATE=stf-xdp.8.in -DCOUNTERS=counters.troff -DVERSION=V -DDATE=YYYY-MM-DD
#       -DOUTPUT=stf-xdp.8 -P assemble.cmake
# Writes OUTPUT (the man page) and OUTPUT.gz: the template with @STF_VERSION@ and @STF_DATE@
# replaced and the line @STF_COUNTERS@ replaced by the generated COUNTERS section.
foreach(var TEMPLATE COUNTERS VERSION DATE OUTPUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "assemble.cmake: -D${var}=... is missing")
  endif()
endforeach()

file(READ "${TEMPLATE}" page)
file(READ "${COUNTERS}" counters)
string(STRIP "${counters}" counters)

# Each placeholder exactly once: a template edit that drops or doubles one fails the build.
foreach(placeholder STF_VERSION STF_DATE STF_COUNTERS)
  string(REGEX MATCHALL "@${placeholder}@" found "${page}")
  list(LENGTH found n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "assemble.cmake: ${TEMPLATE} has @${placeholder}@ ${n} times")
  endif()
endforeach()
if(NOT page MATCHES "\n@STF_COUNTERS@\n")
  message(FATAL_ERROR "assemble.cmake: @STF_COUNTERS@ must be a line of its own")
endif()

string(REPLACE "@STF_VERSION@" "${VERSION}" page "${page}")
string(REPLACE "@STF_DATE@" "${DATE}" page "${page}")
string(REPLACE "@STF_COUNTERS@" "${counters}" page "${page}")
if(page MATCHES "@STF_[A-Z_]+@")
  message(FATAL_ERROR "assemble.cmake: unknown placeholder ${CMAKE_MATCH_0} in ${TEMPLATE}")
endif()

file(WRITE "${OUTPUT}.tmp" "${page}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
# gzip -n: no name or time stamp in the header, so the same page gives the same bytes.
execute_process(COMMAND gzip -9 -n -c "${OUTPUT}" OUTPUT_FILE "${OUTPUT}.gz.tmp"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE "${OUTPUT}.gz.tmp")
  message(FATAL_ERROR "assemble.cmake: gzip failed (${rc})")
endif()
file(RENAME "${OUTPUT}.gz.tmp" "${OUTPUT}.gz")
