# Run at every build (cmake -P): writes OUT (cb_gitrev.h) with the source tree's git commit, "-dirty" when it has
# uncommitted changes to tracked files, or "unknown" outside a git checkout. The file is rewritten only when its
# text changes, so an unchanged commit rebuilds nothing.
execute_process(COMMAND git -C "${SRC}" rev-parse HEAD OUTPUT_VARIABLE rev RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rc EQUAL 0 OR rev STREQUAL "")
  set(rev "unknown")
else()
  execute_process(COMMAND git -C "${SRC}" diff-index --quiet HEAD -- RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    string(APPEND rev "-dirty")
  endif()
endif()
set(text "/* Generated at build time by cb_gitrev.cmake. */\n#define CB_GIT_COMMIT \"${rev}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
