# SPDX-License-Identifier: MIT
# cmake -P: baseline with a right derivation, then the same case made wrong: compare must exit 1
# and name it; run --baseline likewise; compare of a report with itself exits 0.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/cases)
file(READ ${DATA}/good.json good)
file(WRITE ${WORK}/cases/case.json "${good}")
execute_process(COMMAND ${GRADCHECK} run cases --report-dir base --format json WORKING_DIRECTORY ${WORK} RESULT_VARIABLE s)
if(NOT s EQUAL 0)
  message(FATAL_ERROR "baseline run failed: ${s}")
endif()
string(REPLACE "\"2 * x\"" "\"x\"" bad "${good}")
file(WRITE ${WORK}/cases/case.json "${bad}")
execute_process(COMMAND ${GRADCHECK} run cases --report-dir now --format json WORKING_DIRECTORY ${WORK})
execute_process(COMMAND ${GRADCHECK} compare base/gradcheck-report.json now/gradcheck-report.json
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE s OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT s EQUAL 1 OR NOT out MATCHES "square_norm")
  message(FATAL_ERROR "compare did not flag the regression (exit ${s}):\n${out}${err}")
endif()
execute_process(COMMAND ${GRADCHECK} run cases --baseline base/gradcheck-report.json WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE s OUTPUT_VARIABLE out)
if(NOT s EQUAL 1 OR NOT out MATCHES "square_norm")
  message(FATAL_ERROR "run --baseline did not flag the regression (exit ${s}):\n${out}")
endif()
if(NOT out MATCHES "\n0 passed, 1 failed, 0 errors, 0 inconclusive\n$")
  message(FATAL_ERROR "with --baseline the closing line must stay the last line:\n${out}")
endif()
execute_process(COMMAND ${GRADCHECK} compare base/gradcheck-report.json base/gradcheck-report.json
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE s OUTPUT_VARIABLE out)
if(NOT s EQUAL 0)
  message(FATAL_ERROR "a report compared with itself is not a regression (exit ${s}):\n${out}")
endif()
