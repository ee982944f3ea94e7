# SPDX-License-Identifier: MIT
# Configures, builds and tests a consumer project of gradcheck (cmake -P), for the "package"
# tests of tests/cli/package_tests.cmake.
#
#   -DPROJECT=<consumer source>  -DWORK=<scratch folder, emptied first>
#   -DGENERATOR=<generator>  -DCXX=<C++ compiler>
#   -DINSTALL_FROM=<gradcheck build>   install it first, then use it by find_package
#   -DGRADCHECK_SOURCE=<gradcheck source>   or pass it to the consumer for add_subdirectory
#   -DEXPECT_TESTS=<name|name|...>     tests the consumer's ctest must list
cmake_minimum_required(VERSION 3.16)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(configure_args -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX})

if(INSTALL_FROM)
  # Install into one folder, then move it: the package must not remember where it was installed.
  run("install" ${CMAKE_COMMAND} --install "${INSTALL_FROM}" --prefix "${WORK}/staged")
  file(RENAME "${WORK}/staged" "${WORK}/prefix")
  foreach(f include/gradcheck/gtest.hpp include/gradcheck/gradcheck.hpp bin/gradcheck)
    if(NOT EXISTS "${WORK}/prefix/${f}")
      message(FATAL_ERROR "the install has no ${f}")
    endif()
  endforeach()
  file(GLOB_RECURSE configs "${WORK}/prefix/*/gradcheckConfig.cmake")
  file(GLOB_RECURSE cases_module "${WORK}/prefix/*/GradcheckCases.cmake")
  if(NOT configs OR NOT cases_module)
    message(FATAL_ERROR "the install has no gradcheckConfig.cmake / GradcheckCases.cmake")
  endif()
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${WORK}/prefix")
endif()
if(GRADCHECK_SOURCE)
  list(APPEND configure_args "-DGRADCHECK_SOURCE_DIR=${GRADCHECK_SOURCE}")
endif()

run("configure" ${CMAKE_COMMAND} -S "${PROJECT}" -B "${WORK}/build" ${configure_args})
run("build" ${CMAKE_COMMAND} --build "${WORK}/build" -j2)
if(last_output MATCHES "warning:")
  message("the build warned:\n${last_output}")
endif()
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} -N WORKING_DIRECTORY "${WORK}/build" OUTPUT_VARIABLE listed)
string(REPLACE "|" ";" expected "${EXPECT_TESTS}")
foreach(name IN LISTS expected)
  string(FIND "${listed}" ": ${name}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the consumer's ctest does not list ${name}:\n${listed}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --output-on-failure WORKING_DIRECTORY "${WORK}/build"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer's tests failed")
endif()
