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

# Findings of a review that tried to break the verdicts (each failed before its fix).
# The right gradients of a quantized f stay inconclusive (no step decides them at the default
# tolerance); the wrong one (0 where the derivative is 1) is decided at the larger steps of the
# last tightening level, where the quantum is small next to the change of f.
gradcheck_cli_test(verdict.review_quantized_f_is_never_decided_on_a_false_bound EXIT 0 ARGS run ${V}/review-quantized.json
  MATCH "INCONCLUSIVE +spec_quant_right" "INCONCLUSIVE +vec_quant_right" "XFAIL +spec_quant_zero_wrong"
        "0 passed, 0 failed, 0 errors, 2 inconclusive")
gradcheck_cli_test(verdict.review_near_a_kink_is_not_a_kink EXIT 0 ARGS run ${V}/review-off-kink.json
  MATCH "PASS   relu_at_3e-8" "PASS   softplus_width_1e-8 " "XFAIL  softplus_width_1e-8_scale" NOMATCH "nondifferentiable")
gradcheck_cli_test(verdict.review_complex_step_at_tiny_x EXIT 0 ARGS run ${V}/review-tiny-x.json
  MATCH "PASS   log_1e-18_right" "XFAIL  log_1e-19_wrong_0.33pct")
gradcheck_cli_test(verdict.review_a_jump_is_nondifferentiable EXIT 0 ARGS run ${V}/review-jump.json
  MATCH "XFAIL  sign_jump_at_point" "XFAIL  jump_hides_clear_failure" "XFAIL  step_fn_at_point" "3 expected failures")
gradcheck_cli_test(verdict.review_a_uniform_factor_is_scale_not_partial EXIT 0 ARGS run ${V}/review-scale.json
  MATCH "\\[scale\\]" NOMATCH "\\[partial\\]")
