# SPDX-License-Identifier: MIT
# The derive verb: the derivative alone on stdout (first), errors with a caret, --check.
gradcheck_cli_test(derive.done_when_example EXIT 0
  ARGS derive --expr "wa' * A * B * wb" --wrt B --var A=4x3 --var B=3x4 --var wa=4x1 --var wb=4x1
  MATCH "^A' \\* wa \\* wb'\n$")
gradcheck_cli_test(derive.check_verifies_it EXIT 0
  ARGS derive --expr "sum((W*X + b - Y).^2) / (2*m)" --wrt W --var W=3x4 --var X=4xm --var b=3x1 --var Y=3xm --dim m=8 --check
  MATCH "^\\(W \\* X \\+ b - Y\\) \\* X' / m\n" "1 passed, 0 failed")
gradcheck_cli_test(derive.vec_form_numerator EXIT 0
  ARGS derive --expr "A * H * W" --wrt H --var A=5x4 --var H=4x3 --var W=3x2 --form vec --layout numerator
  MATCH "^kron\\(W', A\\)\n$")
gradcheck_cli_test(derive.symmetric_structure EXIT 0
  ARGS derive --expr "logdet(S)" --wrt S --var S=4x4:spd --structure S=symmetric --check
  MATCH "^2 \\* inv\\(S\\) - diag\\(diag\\(inv\\(S\\)\\)\\)\n" "1 passed")
gradcheck_cli_test(derive.no_rule_is_exit_2_with_a_caret EXIT 2
  ARGS derive --expr "sum(pinv(X))" --wrt X --var X=4x3
  MATCH "error \\[symbolic.no-rule\\] --expr, column 5: no derivative rule for 'pinv'\n  sum\\(pinv\\(X\\)\\)\n      \\^\\^\\^\\^")
gradcheck_cli_test(derive.transpose_inside_a_jacobian_is_a_commutation_matrix EXIT 0
  ARGS derive --expr "X' * C" --wrt X --var X=3x4 --var C=3x2 --form vec --layout numerator --check
  MATCH "^kron\\(C', eye\\(4\\)\\) \\* commutation\\(3, 4\\)\n" "1 passed")
gradcheck_cli_test(derive.matrix_f_in_form_auto_is_a_form_error EXIT 2
  ARGS derive --expr "X * C" --wrt X --var X=3x4 --var C=4x2
  MATCH "error \\[symbolic.form\\] form auto needs a scalar f, or a vector f and a vector x; use form vec")
gradcheck_cli_test(derive.index_form_needs_its_indices EXIT 2
  ARGS derive --expr "W * x" --wrt W --var W=3x4 --var x=4x1 --form index
  MATCH "error \\[case.missing-field\\] case \"check\", field \"checks\\[0\\].indices\"")
gradcheck_cli_test(derive.index_form_of_a_tensor EXIT 0
  ARGS derive --expr "W * x + b" --wrt W --var W=3x4 --var x=4x1 --var b=3x1 --form index --indices "z[i] / W[k,j]" --check
  MATCH "^delta\\(i,k\\) \\* x\\[j\\]\n" "1 passed")
gradcheck_cli_test(derive.index_form EXIT 0
  ARGS derive --expr "a' * X * b" --wrt X --var a=4x1 --var X=4x3 --var b=3x1 --form index --indices "q / X[i,j]" --check
  MATCH "^a\\[i\\] \\* b\\[j\\]\n" "1 passed")
gradcheck_cli_test(derive.unknown_wrt_is_usage EXIT 2
  ARGS derive --expr "sum(x)" --wrt y --var x=4x1
  MATCH "<command line: --wrt>: error \\[case.field\\] case \"check\", field \"checks\\[0\\].wrt\": \"y\" is not a variable")
