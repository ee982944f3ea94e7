# SPDX-License-Identifier: MIT
# gradcheck check: one derivation from the command line.
gradcheck_cli_test(check.right EXIT 0
  ARGS check --expr "wa' * A * B * wb" --wrt B --expected "A' * wa * wb'" --var A=4x3 --var B=3x4 --var wa=4x1 --var wb=4x1
  MATCH "PASS" "1 passed, 0 failed, 0 errors, 0 inconclusive")
gradcheck_cli_test(check.numerator_layout EXIT 0
  ARGS check --expr "wa' * A * B * wb" --wrt B --expected "wb * wa' * A" --layout numerator --var A=4x3 --var B=3x4 --var wa=4x1 --var wb=4x1
  MATCH "1 passed")
gradcheck_cli_test(check.wrong_shape_points_at_the_product EXIT 1
  ARGS check --expr "wa' * A * B * wb" --wrt B --expected "wa' * A * wb" --var A=4x3 --var B=3x4 --var wa=4x1 --var wb=4x1
  MATCH "\\[shape-mismatch\\]" "cannot multiply wa' \\* A \\(1x3\\) by wb \\(4x1\\): inner sizes 3 and 4" "0 passed, 1 failed")
gradcheck_cli_test(check.missing_mean_names_the_dim EXIT 1
  ARGS check --expr "sum(X .^ 2) / m" --wrt X --expected "2 * X" --var X=3xm --dim m=8
  MATCH "\\[scale\\] expected is 8 = m times")
gradcheck_cli_test(check.index_form EXIT 0
  ARGS check --expr "A * H * W" --wrt H --form index --indices "Z[i,l] / H[j,k]" --expected "A[i,j] * W[k,l]" --var A=4x4 --var H=4x3 --var W=3x2
  MATCH "1 passed")
gradcheck_cli_test(check.expression_error_has_a_caret EXIT 2
  ARGS check --expr "sum(x .^ 2" --wrt x --expected "2 * x" --var x=3x1
  MATCH "error \\[expr.syntax\\]" "sum\\(x \\.\\^ 2\n +\\^")
gradcheck_cli_test(check.bad_var_is_usage_error EXIT 2 ARGS check --expr "sum(x)" --wrt x --expected "1" --var x=three
  MATCH "--var \"x=three\": expected NAME=ROWSxCOLS")
gradcheck_cli_test(check.wrt_must_be_a_var EXIT 2 ARGS check --expr "sum(x)" --wrt y --expected "1" --var x=3x1
  MATCH "<command line: --wrt>: error \\[case.field\\] case \"check\", field \"checks\\[0\\].wrt\": \"y\" is not a variable of this case")
gradcheck_cli_test(check.help EXIT 0 ARGS check --help MATCH "--expr" "--expected" "--var" "--layout")
# Found by hand: sizes past the machine's integers ended as "[internal] stoull" or as an
# overflowed "empty shape 0x0"; they are usage errors like every other bad --var or --dim.
gradcheck_cli_test(check.huge_var_size_is_usage_error EXIT 2
  ARGS check --expr "sum(A)" --wrt A --expected "ones(1, 3)" --var A=99999999999999999999x3
  MATCH "<command line: --var A=99999999999999999999x3>: error \\[case.field\\] case \"check\", field \"variables.A.shape\": expected a positive integer or a dims name, got 1e\\+20"
  NOMATCH "internal")
gradcheck_cli_test(check.huge_dim_is_usage_error EXIT 2
  ARGS check --expr "sum(sum(A))" --wrt A --expected "ones(m, m)" --var A=mxm --dim m=4294967296
  MATCH "<command line: --dim m=4294967296>: error \\[case.field\\] case \"check\", field \"dims.m\": expected a positive integer size \\(or a list of them\\), got 4294967296"
  NOMATCH "internal")
gradcheck_cli_test(check.negative_seed_is_usage_error EXIT 2
  ARGS check --expr "sum(A)" --wrt A --expected "ones(1, 3)" --var A=1x3 --seed -5
  MATCH "<command line: --seed>: error \\[case.field\\] case \"check\", field \"seed\": expected a non-negative integer, got -5")
gradcheck_cli_test(check.huge_value_in_an_expression EXIT 2
  ARGS check --expr "sum(A)" --wrt A --expected "ones(100000, 100000)" --var A=1x3
  MATCH "error \\[expr.value\\] case \"check\", field \"checks\\[0\\].expected\", column 1: ones\\(100000, 100000\\) would be 100000x100000, more than 10000000 entries")
# Found by hand: a name given twice (two --var, or a --var and a --dim) ended as
# "[internal] ... the name 'x' is declared twice".
# One usage error naming both flags, and no follow-on (review finding: the duplicate key was
# reported twice, and a dim-and-variable name also as "not a variable" under --wrt).
gradcheck_cli_test(check.var_given_twice_is_usage_error EXIT 2
  ARGS check --expr "sum(x)" --wrt x --expected "ones(2, 1)" --var x=2x1 --var x=3x1
  MATCH "gradcheck: error \\[cli.usage\\] --var x=2x1 and --var x=3x1: \"x\" is given twice" NOMATCH "internal" "duplicate-key" "variables.x.shape")
gradcheck_cli_test(check.var_and_dim_of_one_name_is_usage_error EXIT 2
  ARGS check --expr "sum(x)" --wrt x --expected "ones(2, 1)" --var x=2x1 --dim x=3
  MATCH "gradcheck: error \\[cli.usage\\] --dim x=3 and --var x=2x1: \"x\" is given twice" NOMATCH "internal" "not a variable")
gradcheck_cli_test(check.negative_growth_factor_is_usage_error EXIT 2
  ARGS check --expr "sum(x)" --wrt x --expected "ones(2, 1)" --var x=2x1 --growth-factor -1
  MATCH "gradcheck: error \\[cli.usage\\] --growth-factor: expected a positive number, got -1" NOMATCH "17976931348623157")
# Found by review: the check verb had its own validator, and it disagreed with the loader's:
# `--rtol 1` ran while "rtol": 1 was refused, `--step 1` failed only at run time. The flags are a
# case now, read by the loader: the same error as the case file tests/data/cli/rtol_one.json.
gradcheck_cli_test(check.rtol_one_is_refused_as_in_a_case_file EXIT 2
  ARGS check --expr "sum(x .^ 2)" --wrt x --expected "2 * x" --var x=3x1 --rtol 1
  MATCH "<command line: --rtol>: error \\[case.field\\] case \"check\", field \"tolerance.rtol\": expected a number in .0, 1., got 1"
  NOMATCH "PASS")
gradcheck_cli_test(check.rtol_one_in_a_case_file EXIT 2 ARGS lint rtol_one.json
  MATCH "rtol_one.json:[0-9]+:[0-9]+: error \\[case.field\\] case \"rtol_one\", field \"tolerance.rtol\": expected a number in .0, 1., got 1")
gradcheck_cli_test(check.step_one_is_refused_before_running EXIT 2
  ARGS check --expr "sum(x .^ 2)" --wrt x --expected "2 * x" --var x=3x1 --step 1
  MATCH "<command line: --step>: error \\[case.field\\] case \"check\", field \"fd.step\": expected \"auto\" or a number in \\(0, 1\\), got 1"
  NOMATCH "PASS")
gradcheck_cli_test(check.misspelt_layout_gets_the_loaders_suggestion EXIT 2
  ARGS check --expr "sum(x .^ 2)" --wrt x --expected "2 * x" --var x=3x1 --layout denominater
  MATCH "field \"checks\\[0\\].layout\": expected one of \"denominator\", \"numerator\", got \"denominater\"; did you mean \"denominator\"\\?")
gradcheck_cli_test(check.unknown_init_is_the_loaders_error EXIT 2
  ARGS check --expr "sum(x)" --wrt x --expected "ones(3,1)" --var x=3x1:gaussian
  MATCH "<command line: --var x=3x1:gaussian>: error \\[case.field\\] case \"check\", field \"variables.x.init\": expected one of \"normal\"")
# --mode directional: random probes, the miss chance stated; a 1000x1000 variable is fine.
gradcheck_cli_test(check.directional_right EXIT 0
  ARGS check --expr "wa' * A * B * wb" --wrt B --expected "A' * wa * wb'" --var A=4x3 --var B=3x4 --var wa=4x1 --var wb=4x1
       --mode directional --verbose
  MATCH "PASS" "directional: 24 random probes" "probability <= 1.00e-03; 49 probes bring it below 1e-6" "1 passed")
gradcheck_cli_test(check.directional_locates_the_wrong_entry EXIT 1
  ARGS check --expr "sum(X .^ 3) / 3" --wrt X --expected "X .^ 2 + (X > 1.5)" --var X=6x5:positive --mode directional
  MATCH "FAIL" "worst X\\([0-9],[0-9]\\)" "narrowed the failure down to the worst entry" "0 passed, 1 failed")
gradcheck_cli_test(check.directional_million_entries EXIT 0
  ARGS check --expr "sum(X .^ 2) / 2" --wrt X --expected "X" --var X=1000x1000 --mode directional --trials 1 --probes 4
  MATCH "PASS" "1 passed")
# Found by review: a cancellation inside f (rounding noise 1e-6 of |f|, not the 2e-16 of a large
# f) was told "f is large next to its changes ... subtract the constant part of f".
gradcheck_cli_test(check.rounding_amplified_inside_f_is_not_called_a_large_f EXIT 0
  ARGS check --expr "sum(sin((1e11 + x) - 1e11))" --wrt x --expected "cos(x)" --var x=3x1
  MATCH "INCONCLUSIVE" "far above the 2.2e-16 of double precision itself" "f amplifies rounding inside" NOMATCH "subtract the constant part")
