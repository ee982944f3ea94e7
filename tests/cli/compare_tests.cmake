# SPDX-License-Identifier: MIT
# gradcheck compare / run --baseline: a regression introduced on purpose is flagged.
add_test(NAME cli.compare.flags_a_regression
         COMMAND ${CMAKE_COMMAND} -DGRADCHECK=$<TARGET_FILE:gradcheck_cli> -DDATA=${CMAKE_CURRENT_SOURCE_DIR}/data/cli
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/compare-work -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/compare_regression.cmake)
add_test(NAME cli.compare.path_spellings_are_one_case
         COMMAND ${CMAKE_COMMAND} -DGRADCHECK=$<TARGET_FILE:gradcheck_cli> -DDATA=${CMAKE_CURRENT_SOURCE_DIR}/data/cli
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/compare-spelling-work -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/compare_spelling.cmake)
gradcheck_cli_test(compare.help EXIT 0 ARGS compare --help MATCH "baseline" "current")
gradcheck_cli_test(compare.missing_file_is_usage_error EXIT 2 ARGS compare nothing.json good.json MATCH "cli.usage")
# Bad arguments to compare: a folder, an empty file, a case file instead of a report.
gradcheck_cli_test(compare.folder_is_usage_error EXIT 2 ARGS compare many good.json
  MATCH "error \\[cli.usage\\] baseline: File is actually a directory: many")
gradcheck_cli_test(compare.empty_file EXIT 2 ARGS compare empty.json empty.json
  MATCH "error \\[report.read\\] \"empty.json\": line 1, column 1: not valid JSON")
gradcheck_cli_test(compare.case_file_is_not_a_report EXIT 2 ARGS compare good.json good.json
  MATCH "error \\[report.read\\] \"good.json\" is not a gradcheck report")
