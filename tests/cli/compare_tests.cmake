# SPDX-License-Identifier: MIT
# gradcheck compare / run --baseline: a regression introduced on purpose is flagged.
add_test(NAME cli.compare.flags_a_regression
         COMMAND ${CMAKE_COMMAND} -DGRADCHECK=$<TARGET_FILE:gradcheck_cli> -DDATA=${CMAKE_CURRENT_SOURCE_DIR}/data/cli
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/compare-work -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/compare_regression.cmake)
gradcheck_cli_test(compare.help EXIT 0 ARGS compare --help MATCH "baseline" "current")
gradcheck_cli_test(compare.missing_file_is_usage_error EXIT 2 ARGS compare nothing.json good.json MATCH "cli.usage")
