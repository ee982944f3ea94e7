# SPDX-License-Identifier: MIT
# gradcheck run: exit statuses, the closing line, bad files beside good ones.
gradcheck_cli_test(run.pass EXIT 0 ARGS run good.json
  MATCH "PASS   square_norm" "\n1 passed, 0 failed, 0 errors, 0 inconclusive\n$")
gradcheck_cli_test(run.wrong_derivation_fails EXIT 1 ARGS run wrong.json
  MATCH "FAIL   forgot_the_two" "\\[scale\\] expected is 1/2 times" "0 passed, 1 failed, 0 errors, 0 inconclusive")
gradcheck_cli_test(run.malformed_json_points_at_line_and_column EXIT 2 ARGS run malformed.json good.json
  MATCH "malformed.json:4:14: error \\[case.json\\] not valid JSON" "PASS   square_norm" "1 passed, 0 failed, 1 errors, 0 inconclusive")
gradcheck_cli_test(run.bad_cases_do_not_stop_the_others EXIT 2 ARGS run suite_mixed.json
  MATCH "suite_mixed.json:8:41: error \\[case.field\\] case \"bad_layout\", field \"checks\\[0\\].layout\": expected one of \"denominator\", \"numerator\", got \"numerater\"; did you mean \"numerator\"\\?"
        "field \"checks\\[0\\].expectd\": unknown field \\(did you mean \"expected\"\\?\\)"
        "suite_mixed.json:19:25: error \\[expr.shape\\] case \"bad_expression\", field \"expression\", column 4: cannot multiply x' \\(1x3\\) by A \\(4x3\\): inner sizes 3 and 4\n        x' \\* A \\* x\n           \\^"
        "PASS   still_runs" "1 passed, 0 failed, 3 errors, 0 inconclusive")
# A size written as a string: where (file:line:column, case, field), what to write instead, no
# follow-on error for the variable it rejected, and the next case still runs.
gradcheck_cli_test(run.a_quoted_size_is_told_to_be_a_number EXIT 2 ARGS run quoted_size.json
  MATCH "quoted_size.json:5:37: error \\[case.field\\] case \"quoted_size\", field \"variables.x.shape\": expected a positive integer or a dims name, got the string \"3\": write a size as a number, 3, without quotes"
        "PASS   still_runs" "1 passed, 0 failed, 1 errors, 0 inconclusive"
  NOMATCH "not a variable")
gradcheck_cli_test(run.expect_fail_that_passes_is_xpass EXIT 1 ARGS run xpass.json
  MATCH "XPASS" "0 expected failures, 1 unexpected passes" "0 passed, 1 failed, 0 errors, 0 inconclusive")
gradcheck_cli_test(run.expect_fail_must_name_its_diagnosis EXIT 1 ARGS run xfail_wrong_code.json
  MATCH "does not name the diagnosis \"sign\" \\(it names: scale\\)")
gradcheck_cli_test(run.missing_path_is_usage_error EXIT 2 ARGS run no/such/dir
  MATCH "error \\[cli.path\\] no/such/dir: no such file or directory")
gradcheck_cli_test(run.bad_option_is_usage_error EXIT 2 ARGS run good.json --jobs zero
  MATCH "error \\[cli.usage\\]" "--jobs")
gradcheck_cli_test(run.bad_shard_is_usage_error EXIT 2 ARGS run many --shard 3/2
  MATCH "error \\[cli.usage\\] --shard: expected K/N with 1 <= K <= N")
gradcheck_cli_test(run.filter EXIT 0 ARGS run many --filter "many_[12]"
  MATCH "many_1" "many_2" "2 passed, 0 failed, 0 errors, 0 inconclusive" NOMATCH "many_3")
gradcheck_cli_test(run.shard_1_of_2 EXIT 0 ARGS run many --shard 1/2
  MATCH "many_1" "many_3" "many_5" "3 passed" NOMATCH "many_2")
gradcheck_cli_test(run.shard_2_of_2 EXIT 0 ARGS run many --shard 2/2
  MATCH "many_2" "many_4" "many_6" "3 passed" NOMATCH "many_1")
gradcheck_cli_test(run.shard_from_gtest_environment EXIT 0 ARGS run many
  ENV GTEST_SHARD_INDEX=1 GTEST_TOTAL_SHARDS=3 MATCH "many_2" "many_5" "2 passed" NOMATCH "many_1")
gradcheck_cli_test(run.quiet_shows_only_the_closing_line EXIT 0 ARGS run many --quiet
  MATCH "^6 passed, 0 failed, 0 errors, 0 inconclusive\n$")
gradcheck_cli_test(run.help EXIT 0 ARGS run --help MATCH "--report-dir" "--shard" "--baseline")
gradcheck_cli_test(help EXIT 0 ARGS --help MATCH "run" "check" "lint" "compare")
gradcheck_cli_test(no_verb_is_usage_error EXIT 2 ARGS MATCH "cli.usage")

# --jobs keeps the output order: the text report of 2 jobs equals that of 1.
add_test(NAME cli.run.jobs_output_is_stable
         COMMAND ${CMAKE_COMMAND} -DGRADCHECK=$<TARGET_FILE:gradcheck_cli> -DDATA=${CMAKE_CURRENT_SOURCE_DIR}/data/cli
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/jobs_stable.cmake)

# Every report format is written, atomically, into the report folder.
gradcheck_cli_test(run.writes_every_format EXIT 0
  ARGS run good.json --report-dir ${CMAKE_CURRENT_BINARY_DIR}/cli-reports --format text json junit markdown html
  MATCH "gradcheck-report.txt" "gradcheck-report.json" "gradcheck-report.xml" "gradcheck-report.md" "gradcheck-report.html")
gradcheck_cli_test(unknown_verb_is_named EXIT 2 ARGS frobnicate MATCH "unknown verb \"frobnicate\"")
gradcheck_cli_test(run.form_error_is_said_once EXIT 2 ARGS run ${PROJECT_SOURCE_DIR}/docs/bad-examples/check-form.json
  MATCH "error \\[check.form\\]" "d f/d H \\(denominator, auto\\)" NOMATCH "check.form[^\n]*\n[^\n]*check.form")
# Found by hand: a negative --seed wrapped around silently to 2^64 - 5.
gradcheck_cli_test(run.negative_seed_is_usage_error EXIT 2 ARGS run good.json --seed -5
  MATCH "error \\[cli.usage\\] --seed")
# Found by hand: JSON nested 100000 deep crashed run and lint (stack overflow); bytes that are not
# UTF-8 came out raw after a cut reason.
gradcheck_cli_test(run.deeply_nested_json_is_a_case_error EXIT 2 ARGS run deep.json good.json
  MATCH "deep.json:1:65: error \\[case.json\\] nested more than 64 levels deep" "1 passed, 0 failed, 1 errors, 0 inconclusive")
gradcheck_cli_test(run.bytes_that_are_not_utf8 EXIT 2 ARGS run not_utf8.json good.json
  MATCH "not_utf8.json:1:11: error \\[case.json\\] not valid JSON: syntax error while parsing value - invalid string: ill-formed UTF-8 byte; last read: '\"\\\\xFF'"
        "1 passed, 0 failed, 1 errors, 0 inconclusive")
gradcheck_cli_test(run.empty_file EXIT 2 ARGS run empty.json good.json
  MATCH "empty.json:1:1: error \\[case.json\\] not valid JSON: syntax error while parsing value - unexpected end of input" "1 passed")
gradcheck_cli_test(run.file_holding_a_list EXIT 2 ARGS run list.json
  MATCH "list.json:1:1: error \\[case.field\\] a case file holds a case object or a suite \\{\"defaults\", \"cases\"\\}, got a list")
# Found by fuzzing (fuzz_case): a number too large for a double stopped the whole run with
# "[internal] number overflow"; it is one file's case.json error now.
gradcheck_cli_test(run.number_overflow_is_one_files_error EXIT 2 ARGS run number_overflow.json good.json
  MATCH "number_overflow.json:2:12: error \\[case.json\\] not valid JSON: number overflow parsing '1e999'"
        "PASS   square_norm" "1 passed, 0 failed, 1 errors, 0 inconclusive"
  NOMATCH "internal")
gradcheck_cli_test(run.filter_matching_nothing_is_usage_error EXIT 2 ARGS run many --filter "no_such_case*"
  MATCH "error \\[cli.usage\\] --filter \"no_such_case\\*\" matches no case")
gradcheck_cli_test(run.unavailable_or_inapplicable_numerics_are_located_errors EXIT 2 ARGS run bad_numerics.json
  MATCH "bad_numerics.json:6:17: error \\[case.field\\] case \"symbolic_through_pinv\", field \"checks\\[0\\].reference\": \"reference\": \"symbolic\" needs an expression that can be derived \\(use \"fd\"\\): \\[symbolic.no-rule\\] column 5: no derivative rule for 'pinv'"
        "bad_numerics.json:10:17: error \\[case.field\\] case \"complex_step_through_pinv\", field \"checks\\[0\\].reference\": .*pinv has no complex extension"
        "bad_numerics.json:11:39: error \\[case.field\\] case \"mode_misspelt\", field \"mode\": expected one of \"entrywise\", \"directional\", got \"directionl\"; did you mean \"directional\"\\?"
        "bad_numerics.json:16:64: error \\[case.field\\] case \"precision_misspelt\", field \"checks\\[0\\].precision\": expected one of \"auto\", \"double\", \"single\", got \"singel\"; did you mean \"single\"\\?"
        "PASS   still_runs" "1 passed, 0 failed, 4 errors, 0 inconclusive")
# Folders with no case files, an empty suite, symbolic-link loops, dangling links, gradcheck's own
# reports: each named, the good files still run (the links are made at test time).
add_test(NAME cli.run.bad_paths_are_named
         COMMAND ${CMAKE_COMMAND} -DGRADCHECK=$<TARGET_FILE:gradcheck_cli> -DDATA=${CMAKE_CURRENT_SOURCE_DIR}/data/cli
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/bad-paths -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad_paths.cmake)
set_tests_properties(cli.run.bad_paths_are_named PROPERTIES LABELS cli)

# run --mode directional: every check that sets no mode; wrong derivations still fail.
gradcheck_cli_test(run.mode_directional EXIT 1 ARGS run good.json wrong.json --mode directional
  MATCH "PASS   square_norm" "FAIL   forgot_the_two" "directional: 24 random probes" "\\[scale\\] expected is 1/2 times"
        "1 passed, 1 failed")

# A smooth f far outside its asymptotic regime (inv(X) at cond 1e6, along a dense probe) shows
# one-sided slopes that disagree at one tightening step: that is no kink, and no
# "nondifferentiable" failure (it was claimed at this seed once: the re-chosen step's gap counted).
gradcheck_cli_test(run.directional_no_kink_claimed_on_a_smooth_ill_conditioned_f EXIT 0
  ARGS run ${PROJECT_SOURCE_DIR}/cases/scale/ill-conditioned.json --filter inverse_jacobian_cond_1e6 --mode directional --seed 5
  MATCH "PASS   inverse_jacobian_cond_1e6" NOMATCH "nondifferentiable")
# Review findings: the command line's tolerances and seed as strict as a file's (each was accepted).
gradcheck_cli_test(run.rtol_one_is_usage_error EXIT 2 ARGS run ${PROJECT_SOURCE_DIR}/cases/seeds --rtol 1
  MATCH "error \\[cli.usage\\] --rtol: expected a number in \\[0, 1\\), got 1")
gradcheck_cli_test(run.both_tolerances_zero_is_usage_error EXIT 2 ARGS run ${PROJECT_SOURCE_DIR}/cases/seeds --rtol 0 --atol 0
  MATCH "error \\[cli.usage\\] --rtol, --atol: rtol and atol cannot both be 0")
gradcheck_cli_test(run.seed_past_uint64_is_usage_error EXIT 2 ARGS run ${PROJECT_SOURCE_DIR}/cases/seeds --seed 99999999999999999999999
  MATCH "error \\[cli.usage\\] --seed: expected an integer in \\[0, 18446744073709551615\\]")
gradcheck_cli_test(run.a_path_that_is_no_file_is_named_so EXIT 2 ARGS run /dev/null
  MATCH "/dev/null: not a regular file or a directory")
