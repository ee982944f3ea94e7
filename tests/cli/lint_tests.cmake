# SPDX-License-Identifier: MIT
# gradcheck lint: every problem with its position, nothing run.
gradcheck_cli_test(lint.clean_file EXIT 0 ARGS lint good.json MATCH "1 file checked, 0 problems")
gradcheck_cli_test(lint.every_problem EXIT 2 ARGS lint suite_mixed.json malformed.json
  MATCH "suite_mixed.json:8:41: error \\[case.field\\]" "suite_mixed.json:14:31: error \\[case.unknown-field\\]"
        "suite_mixed.json:19:25: error \\[expr.shape\\]" "malformed.json:4:14: error \\[case.json\\]" "2 files checked, 5 problems")
gradcheck_cli_test(lint.help EXIT 0 ARGS lint --help MATCH "paths")
gradcheck_cli_test(lint.deeply_nested_json EXIT 2 ARGS lint deep.json
  MATCH "deep.json:1:65: error \\[case.json\\] nested more than 64 levels deep" "1 file checked, 1 problem")
gradcheck_cli_test(lint.docs_bad_examples_stay_broken EXIT 2 ARGS lint ${PROJECT_SOURCE_DIR}/docs/bad-examples
  MATCH "18 files checked, [0-9]+ problems" NOMATCH "internal")
gradcheck_cli_test(lint.expression_error_does_not_hide_the_checks EXIT 2 ARGS lint many_problems.json
  MATCH "field \"expression\", column 1: unknown function 'foo'" "field \"checks\\[0\\].expected\", column 5"
        "field \"checks\\[1\\].expected\", column 1: unknown function 'bar'" "1 file checked, 3 problems")
