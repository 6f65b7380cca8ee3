# Writes OUT: a C++ source whose function NAMESPACE::FUNCTION() returns every file that
# matches PATTERN (a glob) as (name, text) pairs, so that the driver carries them and
# reads them wherever it runs. A file's name is its own (NAME_FROM=FILE) or its folder's
# (NAME_FROM=DIR, e.g. chapters/<exercise>/manifest.json).
#   cmake -DPATTERN=... -DNAME_FROM=FILE|DIR -DNAMESPACE=... -DFUNCTION=... -DOUT=... -P embed-files.cmake
file(GLOB files "${PATTERN}")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  if(NAME_FROM STREQUAL "DIR")
    get_filename_component(dir "${f}" DIRECTORY)
    get_filename_component(name "${dir}" NAME)
  else()
    get_filename_component(name "${f}" NAME)
  endif()
  file(READ "${f}" text)
  string(APPEND body "        {\"${name}\", R\"embedded_(${text})embedded_\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Written by cmake/embed-files.cmake; do not edit.
#include <string>
#include <utility>
#include <vector>

namespace ${NAMESPACE} {
std::vector<std::pair<std::string, std::string>> ${FUNCTION}() {
    return {
${body}    };
}
}  // namespace ${NAMESPACE}
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
