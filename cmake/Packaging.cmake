# Installation and the Debian package (cpack -G DEB in the build directory).
#
#   cmake --install build [--prefix /usr]   binary, man page, bash completion, example config,
#                                            systemd unit, copyright, changelog
#   (cd build && cpack -G DEB)               stf-xdp_VERSION_amd64.deb with the same files
#
# tests/package/test_package.sh builds the package and checks both.

include(GNUInstallDirs)

install(FILES ${CMAKE_SOURCE_DIR}/completion/stf-xdp.bash
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions
        RENAME stf-xdp)
install(FILES ${CMAKE_SOURCE_DIR}/examples/stf-xdp.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# Debian policy 12.5 and 12.7: the machine-readable copyright file, uncompressed, and the
# changelog gzipped (-n: no timestamp, so the package is reproducible). The changelog's
# newest entry must be this version: a release without its entry is a configure error.
file(STRINGS ${CMAKE_SOURCE_DIR}/packaging/changelog STF_CHANGELOG_TOP LIMIT_COUNT 1)
if(NOT STF_CHANGELOG_TOP MATCHES "^stf-xdp \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog starts with '${STF_CHANGELOG_TOP}', "
          "not an entry for ${PROJECT_VERSION}: add one")
endif()
find_program(GZIP gzip REQUIRED)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${GZIP} -9n -c ${CMAKE_SOURCE_DIR}/packaging/changelog > ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(stf_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The systemd template unit (systemd/stf-xdp@.service) with ExecStart and ExecStartPre
# pointing at the installed binary: /usr/sbin/stf-xdp in the package, PREFIX/sbin/stf-xdp after
# cmake --install --prefix PREFIX. Written at install time, when the prefix is known (under
# cpack it is /usr: CPACK_SET_DESTDIR below stages through DESTDIR instead of the prefix).
# lib/systemd/system under the prefix: systemd reads /usr/lib and /usr/local/lib's.
set(STF_UNIT_SRC ${CMAKE_SOURCE_DIR}/systemd/stf-xdp@.service)
set(STF_UNIT_OUT ${CMAKE_BINARY_DIR}/systemd/stf-xdp@.service)
install(CODE "
  file(READ \"${STF_UNIT_SRC}\" unit)
  string(FIND \"\${unit}\" \"/usr/sbin/stf-xdp \" at)
  if(at EQUAL -1)
    message(FATAL_ERROR \"${STF_UNIT_SRC} does not run /usr/sbin/stf-xdp; update cmake/Packaging.cmake\")
  endif()
  string(REPLACE \"/usr/sbin/stf-xdp \" \"\${CMAKE_INSTALL_PREFIX}/sbin/stf-xdp \" unit \"\${unit}\")
  file(WRITE \"${STF_UNIT_OUT}\" \"\${unit}\")
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\" TYPE FILE
       FILES \"${STF_UNIT_OUT}\")
")

set(STF_DEB_MAINTAINER "stf-xdp maintainers <stf-xdp@example.org>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stf-xdp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${STF_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install with the real prefix (the unit's paths) into a staging DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX ${CPACK_PACKAGING_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "6to4 tunnel (IPv6 in IPv4) with an XDP/tc eBPF dataplane")
# The extended description, wrapped for the control file; CPack puts the summary above it.
string(JOIN "\n" CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "stf-xdp connects IPv6 sites across IPv4 as RFC 3056 describes, like the"
  "kernel's sit tun6to4 device or FreeBSD's stf(4): an XDP program"
  "decapsulates protocol-41 packets on the attached interface, and a tc"
  "program encapsulates what is routed into its tunnel device."
  ""
  "It serves a 6to4 site router, a relay router, or a dual-stack server that"
  "answers 6to4 users directly (return relay), and counts every dropped"
  "packet under its own reason. See stf-xdp(8).")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${STF_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # stf-xdp_VERSION_ARCH.deb
# Depends from the binary's shared libraries (dpkg-shlibdeps, Debian's dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# The completion file does nothing without bash-completion's loader.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS bash-completion)
include(CPack)
