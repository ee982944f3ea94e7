# SPDX-License-Identifier: MIT
# gradcheck_cli_test(<name> EXIT <status> [MATCH re...] [NOMATCH re...] [ENV K=V...] ARGS <gradcheck args...>)
# A CTest test running the gradcheck executable with ARGS in the test data folder.
function(gradcheck_cli_test name)
  cmake_parse_arguments(T "" "EXIT" "MATCH;NOMATCH;ENV;ARGS" ${ARGN})
  # Lists cross the command line joined by "@@" (expect_run.cmake splits them again).
  string(REPLACE ";" "@@" match "${T_MATCH}")
  string(REPLACE ";" "@@" nomatch "${T_NOMATCH}")
  string(REPLACE ";" "@@" env "${T_ENV}")
  string(REPLACE ";" "@@" args "${T_ARGS}")
  set(command "$<TARGET_FILE:gradcheck_cli>@@${args}")
  add_test(NAME cli.${name}
           COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${command}" "-DEXIT=${T_EXIT}" "-DMATCH=${match}"
                   "-DNOMATCH=${nomatch}" "-DENV=${env}" "-DWORKDIR=${CMAKE_CURRENT_SOURCE_DIR}/data/cli"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_run.cmake)
  set_tests_properties(cli.${name} PROPERTIES LABELS cli)
endfunction()
