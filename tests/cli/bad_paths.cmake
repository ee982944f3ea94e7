# SPDX-License-Identifier: MIT
# cmake -P: paths that are not case files are named, and the good files still run.
#   -DGRADCHECK=<exe> -DDATA=<tests/data/cli> -DWORK=<a scratch folder>
# Found by review: a folder with no case files exited 0 as if all passed; a symbolic-link loop
# was skipped silently; a dangling link beside good files stopped the whole run (cli.path); a
# report written by `run --format json` was then read as a case file (unknown fields, exit 2).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/cases ${WORK}/empty)
file(COPY ${DATA}/good.json DESTINATION ${WORK}/cases)
file(CREATE_LINK loop.json ${WORK}/cases/loop.json SYMBOLIC)
file(CREATE_LINK nowhere.json ${WORK}/cases/gone.json SYMBOLIC)
file(WRITE ${WORK}/empty/notes.txt "not a case\n")
file(WRITE ${WORK}/suite.json "{\"cases\": []}\n")

set(failures "")
function(expect name status)
  cmake_parse_arguments(E "" "" "ARGS;MATCH;NOMATCH" ${ARGN})
  execute_process(COMMAND ${GRADCHECK} ${E_ARGS} WORKING_DIRECTORY ${WORK} RESULT_VARIABLE s OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 120)
  set(all "${out}${err}")
  set(problems "")
  if(NOT s STREQUAL status)
    string(APPEND problems "  exit ${s}, wanted ${status}\n")
  endif()
  foreach(re IN LISTS E_MATCH)
    if(NOT all MATCHES "${re}")
      string(APPEND problems "  does not match: ${re}\n")
    endif()
  endforeach()
  foreach(re IN LISTS E_NOMATCH)
    if(all MATCHES "${re}")
      string(APPEND problems "  matches what it must not: ${re}\n")
    endif()
  endforeach()
  if(problems)
    set(failures "${failures}${name}:\n${problems}--- output:\n${all}\n" PARENT_SCOPE)
  endif()
endfunction()

expect(empty_folder 2 ARGS run empty MATCH "gradcheck: error \\[cli.path\\] no case files under empty")
expect(empty_suite 2 ARGS run suite.json
       MATCH "suite.json:1:11: error \\[case.field\\] field \"cases\": suite has no cases")
expect(links_are_named_and_the_rest_runs 2 ARGS run cases
       MATCH "gradcheck: error \\[cli.path\\] symbolic-link loop at cases/loop.json"
             "gradcheck: error \\[cli.path\\] dangling link cases/gone.json \\(it points to nowhere.json"
             "PASS   square_norm" "1 passed, 0 failed, 0 errors, 0 inconclusive")
expect(lint_names_the_links_too 2 ARGS lint cases MATCH "symbolic-link loop at cases/loop.json" "1 file checked, 2 problems")
expect(write_a_report 0 ARGS run cases/good.json --format json --report-dir cases --quiet)
expect(own_report_is_skipped 2 ARGS run cases --verbose
       MATCH "gradcheck: skipped cases/gradcheck-report.json: a report written by gradcheck, not a case file"
             "1 passed, 0 failed, 0 errors" NOMATCH "unknown-field")
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
