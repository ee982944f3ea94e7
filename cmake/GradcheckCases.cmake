# gradcheck_add_cases(DIR <folder> [PREFIX <name>] [COMMAND <gradcheck executable>] [ARGS ...])
#
# Registers every *.json case file under DIR as its own CTest test named <PREFIX><relative path>,
# so `ctest -j`, `ctest -R` and CI sharding apply to case files. Each test runs
# `gradcheck run <file> --quiet ARGS...` and passes when gradcheck exits 0 (every case as
# expected). Works in gradcheck's own build, beside it (add_subdirectory) and from the installed
# package (find_package(gradcheck)).
function(gradcheck_add_cases)
  cmake_parse_arguments(GC "" "DIR;PREFIX;COMMAND" "ARGS" ${ARGN})
  if(NOT GC_DIR)
    message(FATAL_ERROR "gradcheck_add_cases: DIR is required")
  endif()
  # The command: COMMAND, else gradcheck's own target (same build, add_subdirectory), else the
  # installed package's executable (GRADCHECK_EXECUTABLE, set by find_package(gradcheck)),
  # else `gradcheck` on the PATH.
  if(NOT GC_COMMAND)
    get_property(installed GLOBAL PROPERTY GRADCHECK_EXECUTABLE)
    if(TARGET gradcheck_cli)
      set(GC_COMMAND $<TARGET_FILE:gradcheck_cli>)
    elseif(GRADCHECK_EXECUTABLE)
      set(GC_COMMAND "${GRADCHECK_EXECUTABLE}")
    elseif(installed)
      set(GC_COMMAND "${installed}")
    else()
      find_program(GRADCHECK_PROGRAM gradcheck)
      if(NOT GRADCHECK_PROGRAM)
        message(FATAL_ERROR "gradcheck_add_cases: no gradcheck executable: build gradcheck with GRADCHECK_BUILD_CLI, "
                            "find_package(gradcheck) an installed one, or pass COMMAND")
      endif()
      set(GC_COMMAND "${GRADCHECK_PROGRAM}")
    endif()
  endif()
  if(NOT DEFINED GC_PREFIX)
    set(GC_PREFIX "cases/")
  endif()
  get_filename_component(dir "${GC_DIR}" ABSOLUTE)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${dir}/*.json")
  list(SORT files)
  foreach(file IN LISTS files)
    file(RELATIVE_PATH rel "${dir}" "${file}")
    string(REGEX REPLACE "\\.json$" "" rel "${rel}")
    add_test(NAME "${GC_PREFIX}${rel}" COMMAND ${GC_COMMAND} run "${file}" --quiet ${GC_ARGS})
  endforeach()
endfunction()
