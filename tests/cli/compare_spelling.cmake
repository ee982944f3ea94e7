# SPDX-License-Identifier: MIT
# cmake -P: compare matches cases by name and normalised file, not by the path as typed. A
# baseline run from `cases/x`, then runs from `./cases/x`, `cases//y/../x` and the absolute path
# with one of the two cases made wrong: exactly that regression, nothing added or removed.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/cases/x ${WORK}/cases/y)
file(READ ${DATA}/good.json good)
string(REPLACE "square_norm" "other_norm" other "${good}")
file(WRITE ${WORK}/cases/x/a.json "${good}")
file(WRITE ${WORK}/cases/x/b.json "${other}")
execute_process(COMMAND ${GRADCHECK} run cases/x --report-dir base --format json WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE s)
if(NOT s EQUAL 0)
  message(FATAL_ERROR "baseline run failed: ${s}")
endif()
string(REPLACE "\"2 * x\"" "\"x\"" bad "${good}")
file(WRITE ${WORK}/cases/x/a.json "${bad}")
set(i 0)
foreach(spelling ./cases/x cases//y/../x/ ${WORK}/cases/x)
  math(EXPR i "${i} + 1")
  execute_process(COMMAND ${GRADCHECK} run ${spelling} --report-dir now${i} --format json WORKING_DIRECTORY ${WORK})
  execute_process(COMMAND ${GRADCHECK} compare base/gradcheck-report.json now${i}/gradcheck-report.json
                  WORKING_DIRECTORY ${WORK} RESULT_VARIABLE s OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT s EQUAL 1 OR NOT out MATCHES "regressions \\(1\\):\n  square_norm"
     OR NOT out MATCHES "1 regressions, 0 fixes, 0 grown errors, 0 added, 0 removed\n$")
    message(FATAL_ERROR "run from ${spelling}: compare must report exactly the one regression (exit ${s}):\n${out}${err}")
  endif()
endforeach()
