# SPDX-License-Identifier: MIT
# Programs (docs/programs.md): the NumPy network of examples/numpy-mlp and its buggy twin, and a
# program misbehaving in every way the protocol names, each one case's error while the others pass.
#
# The programs are Python; the NumPy ones need a python3 that imports numpy (Debian's
# python3-numpy, installed by scripts/setup.sh --tests). The first python3 on PATH that does, or
# /usr/bin/python3, is put first on the tests' PATH.
set(GRADCHECK_NUMPY_PYTHON_DIR "")
find_program(GRADCHECK_PATH_PYTHON3 python3)
foreach(candidate IN ITEMS "${GRADCHECK_PATH_PYTHON3}" /usr/bin/python3)
  if(candidate AND EXISTS "${candidate}" AND NOT GRADCHECK_NUMPY_PYTHON_DIR)
    execute_process(COMMAND "${candidate}" -c "import numpy" RESULT_VARIABLE numpy_missing OUTPUT_QUIET ERROR_QUIET)
    if(numpy_missing EQUAL 0)
      get_filename_component(GRADCHECK_NUMPY_PYTHON_DIR "${candidate}" DIRECTORY)
    endif()
  endif()
endforeach()
if(GRADCHECK_NUMPY_PYTHON_DIR)
  set(program_path "PATH=${GRADCHECK_NUMPY_PYTHON_DIR}:$ENV{PATH}")
else()
  message(WARNING "no python3 with numpy found (install python3-numpy): the NumPy program tests are not registered")
  set(program_path "PATH=$ENV{PATH}")
endif()
set(mlp ${PROJECT_SOURCE_DIR}/examples/numpy-mlp)
set(misbehaving ${CMAKE_CURRENT_SOURCE_DIR}/data/programs/misbehaving.json)

if(GRADCHECK_NUMPY_PYTHON_DIR)
  gradcheck_cli_test(programs.numpy_mlp EXIT 0 ENV ${program_path} ARGS run --allow-programs ${mlp}
    MATCH "PASS   numpy_mlp  d f/d W1" "PASS   numpy_mlp  d f/d b2"
          "XFAIL  numpy_mlp_missing_mean .*\\[scale\\] expected is 6 = N times the reference derivative"
          "XFAIL  numpy_mlp_transposed .*\\[layout-transposed\\]" "XFAIL  numpy_mlp_sign .*\\[sign\\]"
          "4 expected failures, 0 unexpected passes" "2 passed, 0 failed, 0 errors, 0 inconclusive")
  gradcheck_cli_test(programs.allowed_by_environment EXIT 0 ENV ${program_path} GRADCHECK_ALLOW_PROGRAMS=1
    ARGS run -q ${mlp}/mlp.json MATCH "2 passed, 0 failed, 0 errors")
  # A black box whose differences alias (sum(sin(x)) at x ~ 1e6): the smaller step's second
  # opinion fails the aliased value and passes the right gradient.
  gradcheck_cli_test(programs.aliasing_is_caught_by_a_second_step EXIT 0 ENV ${program_path}
    ARGS run --allow-programs ${CMAKE_CURRENT_SOURCE_DIR}/data/programs/aliasing.json
    MATCH "PASS   sine_far_right" "XFAIL  sine_far_aliased" "XFAIL  sine_far_sign .*\\[sign\\]"
          "2 expected failures, 0 unexpected passes" "1 passed, 0 failed, 0 errors, 0 inconclusive")
  # Black boxes no difference can decide (sin at 1.5e7, float32 sin at 4500): undecided, never
  # failed on an aliased step's tight bound (they failed at 10 and 9 of 20 seeds before).
  gradcheck_cli_test(programs.an_undecidable_black_box_is_inconclusive EXIT 0 ENV ${program_path}
    ARGS run --allow-programs ${CMAKE_CURRENT_SOURCE_DIR}/data/programs/aliasing-far.json
    MATCH "INCONCLUSIVE  sine_fifteen_million" "INCONCLUSIVE  float32_sine_far"
          "0 passed, 0 failed, 0 errors, 2 inconclusive")
  gradcheck_cli_test(programs.two_workers EXIT 0 ENV ${program_path} ARGS run -q --jobs 2 --allow-programs ${mlp}
    MATCH "4 expected failures" "2 passed, 0 failed, 0 errors")
endif()
gradcheck_cli_test(programs.not_allowed EXIT 2 ARGS run ${mlp}/mlp.json
  MATCH "mlp.json:5:16: error \\[case.program\\] case \"numpy_mlp\", field \"program\": this case runs the program `python3 net.py`, and a case file alone never executes code: run with --allow-programs \\(or GRADCHECK_ALLOW_PROGRAMS=1\\)"
        "0 passed, 0 failed, 2 errors")
gradcheck_cli_test(programs.lint_does_not_run_them EXIT 0 ARGS lint ${mlp} ${misbehaving}
  MATCH "3 files checked, 0 problems")
gradcheck_cli_test(programs.misbehaving EXIT 2 ENV ${program_path} ARGS run --allow-programs ${misbehaving}
  MATCH "PASS   good_first" "PASS   good_last" "2 passed, 0 failed, 11 errors, 0 inconclusive"
        "case \"crash\", field \"program\": the program `python3 misbehave.py crash` \\(run in [^)]*\\) exited with status 1 before answering; the request was {\"call\":\"f\",\"id\":1,"
        "    \\| ZeroDivisionError: division by zero"
        "case \"hang\", field \"program\": .* did not answer within 1 s"
        "    \\| misbehave: sleeping instead of answering"
        "case \"garbage\", field \"program\": .* answered a line that is not JSON: this is not { json"
        "case \"wrong_id\", field \"program\": .* answered id 101 to request id 1"
        "case \"wrong_shape\", field \"program\": .* gave a bad answer: wrong shape: its value has shape \\[2, 2\\] but 1 number in data"
        "case \"not_numbers\", field \"program\": .* its value.data\\[0\\] is \"twelve\", not a number"
        "case \"bare_string\", field \"program\": .* its value is \"twelve\", not a matrix {\"shape\": \\[rows, cols\\], \"data\": \\[...\\]}"
        "case \"exits_at_start\", field \"program\": .* exited with status 3 before answering; the request was {\"id\": 0, \"call\": \"__describe__\"}"
        "    \\| misbehave: giving up before reading anything"
        "case \"cannot_start\", field \"program\": the program `./no-such-program` .* cannot start: No such file or directory"
        "case \"reports_an_error\", field \"program\": the program `python3 misbehave.py error` reported an error in \"grad\": grad is not implemented yet"
        "misbehaving.json:40:67: error \\[case.field\\] case \"misspelt_function\", field \"checks\\[0\\].expected\": \"gard\" is not a function of the program `python3 misbehave.py good`; it serves: f, grad \\(did you mean \"grad\"\\?\\)")
gradcheck_cli_test(programs.misbehaving_two_workers EXIT 2 ENV ${program_path} ARGS run -q --jobs 2 --allow-programs ${misbehaving}
  MATCH "2 passed, 0 failed, 11 errors, 0 inconclusive")

# Interrupting a run (issue 12): SIGINT/SIGTERM while a program case runs exits 130/143, writes
# no report and kills the program (tests/cli/interrupt.sh).
add_test(NAME cli.programs.interrupt_leaves_no_report
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/interrupt.sh $<TARGET_FILE:gradcheck_cli>
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/programs ${CMAKE_CURRENT_BINARY_DIR}/interrupt-work)
set_tests_properties(cli.programs.interrupt_leaves_no_report PROPERTIES LABELS cli TIMEOUT 180)
