# SPDX-License-Identifier: MIT
# The verdict with an error bound: inconclusive, --strict, complex step, stated precision, and the
# bundled cases over many seeds (a verdict that flips with the seed fails here).
set(V ${CMAKE_CURRENT_SOURCE_DIR}/data/verdict)
gradcheck_cli_test(verdict.inconclusive_is_neither_pass_nor_fail EXIT 0 ARGS run ${V}/inconclusive.json
  MATCH "INCONCLUSIVE  large_offset_without_complex_step" "inconclusive: the reference at x\\(1\\) is only known to"
        "0 passed, 0 failed, 0 errors, 1 inconclusive\n$")
gradcheck_cli_test(verdict.quiet_still_shows_inconclusive EXIT 0 ARGS run ${V}/inconclusive.json -q
  MATCH "INCONCLUSIVE" "1 inconclusive")
gradcheck_cli_test(verdict.strict_fails_on_inconclusive EXIT 1 ARGS run ${V}/inconclusive.json --strict
  MATCH "1 inconclusive\n$")
gradcheck_cli_test(verdict.complex_step_decides_near_singular EXIT 0 ARGS run ${V}/complex-step.json
  MATCH "PASS   logdet_near_singular_complex_step" "1 passed, 0 failed, 0 errors, 0 inconclusive")
gradcheck_cli_test(verdict.stated_single_precision_and_stated_tolerance EXIT 1 ARGS run ${V}/single.json
  MATCH "PASS   stated_single_precision" "FAIL   stated_single_precision" "single precision \\(stated"
        "tolerance rtol 1e-05 atol 1e-07")
# About a minute (a 150x150 variable, 22,500 entries): run directly, with a timeout of its own.
add_test(NAME cli.verdict.large_sizes_pass_at_the_defaults
         COMMAND $<TARGET_FILE:gradcheck_cli> run ${CMAKE_CURRENT_SOURCE_DIR}/data/large/large-sizes.json -q)
set_tests_properties(cli.verdict.large_sizes_pass_at_the_defaults PROPERTIES LABELS cli TIMEOUT 900
                     PASS_REGULAR_EXPRESSION "3 passed, 0 failed, 0 errors, 0 inconclusive")

add_test(NAME cli.verdict.bundled_cases_seeds_1_to_200
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/seeds.sh $<TARGET_FILE:gradcheck_cli> ${PROJECT_SOURCE_DIR}/cases 1 200)
set_tests_properties(cli.verdict.bundled_cases_seeds_1_to_200 PROPERTIES LABELS cli TIMEOUT 900)
