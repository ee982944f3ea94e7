# SPDX-License-Identifier: MIT
# The CMake package, as a user meets it (label "package"; each builds a small project):
#   package.installed  cmake --install into a scratch prefix, then tests/package/consumer uses
#                      find_package(gradcheck), the assertions and gradcheck_add_cases;
#   package.subdir     tests/package/subdir builds gradcheck with add_subdirectory.
set(GRADCHECK_PACKAGE_TESTS
  "Consumer.GradientMatches|Consumer.WrongGradientFailsWithItsDiagnosis|cases/square")
add_test(NAME package.installed
  COMMAND ${CMAKE_COMMAND}
    -DPROJECT=${PROJECT_SOURCE_DIR}/tests/package/consumer
    -DWORK=${CMAKE_BINARY_DIR}/package-tests/installed
    -DINSTALL_FROM=${CMAKE_BINARY_DIR}
    "-DGENERATOR=${CMAKE_GENERATOR}" -DCXX=${CMAKE_CXX_COMPILER}
    "-DEXPECT_TESTS=${GRADCHECK_PACKAGE_TESTS}"
    -P ${PROJECT_SOURCE_DIR}/tests/package/build_and_test.cmake)
add_test(NAME package.subdir
  COMMAND ${CMAKE_COMMAND}
    -DPROJECT=${PROJECT_SOURCE_DIR}/tests/package/subdir
    -DWORK=${CMAKE_BINARY_DIR}/package-tests/subdir
    -DGRADCHECK_SOURCE=${PROJECT_SOURCE_DIR}
    "-DGENERATOR=${CMAKE_GENERATOR}" -DCXX=${CMAKE_CXX_COMPILER}
    "-DEXPECT_TESTS=${GRADCHECK_PACKAGE_TESTS}"
    -P ${PROJECT_SOURCE_DIR}/tests/package/build_and_test.cmake)
set_tests_properties(package.installed package.subdir PROPERTIES LABELS package TIMEOUT 1200)
if(NOT GRADCHECK_INSTALL)
  set_tests_properties(package.installed PROPERTIES DISABLED ON)
endif()
