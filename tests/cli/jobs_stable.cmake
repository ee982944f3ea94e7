# SPDX-License-Identifier: MIT
# cmake -P: `run --jobs 2` prints exactly what `run --jobs 1` prints.
execute_process(COMMAND ${GRADCHECK} run many suite_mixed.json good.json --jobs 1 WORKING_DIRECTORY ${DATA}
                OUTPUT_VARIABLE one RESULT_VARIABLE s1)
execute_process(COMMAND ${GRADCHECK} run many suite_mixed.json good.json --jobs 2 WORKING_DIRECTORY ${DATA}
                OUTPUT_VARIABLE two RESULT_VARIABLE s2)
if(NOT one STREQUAL two OR NOT s1 EQUAL s2)
  message(FATAL_ERROR "--jobs 2 changed the output:\n--- jobs 1 (${s1}):\n${one}\n--- jobs 2 (${s2}):\n${two}")
endif()
