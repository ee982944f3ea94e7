# SPDX-License-Identifier: MIT
# The JSON Schema of case files (schema/case.schema.json) against every bundled case, every docs
# example and the tests' good case files; files it must reject.
find_program(GRADCHECK_SCHEMA_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(GRADCHECK_SCHEMA_PYTHON3)
  execute_process(COMMAND "${GRADCHECK_SCHEMA_PYTHON3}" -c "import jsonschema" RESULT_VARIABLE jsonschema_missing
                  OUTPUT_QUIET ERROR_QUIET)
endif()
if(GRADCHECK_SCHEMA_PYTHON3 AND jsonschema_missing EQUAL 0)
  set(data ${CMAKE_CURRENT_SOURCE_DIR}/data)
  add_test(NAME schema.case_files
           COMMAND "${GRADCHECK_SCHEMA_PYTHON3}" ${CMAKE_CURRENT_SOURCE_DIR}/schema/validate.py
                   ${PROJECT_SOURCE_DIR}/schema/case.schema.json
                   --good ${PROJECT_SOURCE_DIR}/cases ${PROJECT_SOURCE_DIR}/docs/examples ${PROJECT_SOURCE_DIR}/examples
                          ${data}/verdict ${data}/large ${data}/programs ${data}/cli/good.json ${data}/cli/many
                          ${data}/cli/wrong.json ${data}/cli/xpass.json ${data}/cli/xfail_wrong_code.json
                          ${CMAKE_CURRENT_SOURCE_DIR}/package/consumer/cases
                   --bad ${CMAKE_CURRENT_SOURCE_DIR}/schema/bad ${data}/cli/list.json ${data}/cli/empty.json
                         ${PROJECT_SOURCE_DIR}/docs/bad-examples/case-field.json
                         ${PROJECT_SOURCE_DIR}/docs/bad-examples/case-field-many.json
                         ${PROJECT_SOURCE_DIR}/docs/bad-examples/case-missing-field.json
                         ${PROJECT_SOURCE_DIR}/docs/bad-examples/case-unknown-field.json
                         ${PROJECT_SOURCE_DIR}/docs/bad-examples/case-json.json)
  set_tests_properties(schema.case_files PROPERTIES LABELS schema PASS_REGULAR_EXPRESSION " 0 problems")
else()
  message(WARNING "Debian's python3-jsonschema is not installed (scripts/setup.sh --tests): the schema test is not registered")
endif()
