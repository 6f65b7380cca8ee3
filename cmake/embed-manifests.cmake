# Writes OUT: a C++ source that holds every chapters/<exercise>/manifest.json under
# SOURCE_DIR as (exercise, text) pairs, so that the driver carries its manifests.
#   cmake -DSOURCE_DIR=... -DOUT=... -P embed-manifests.cmake
file(GLOB manifests "${SOURCE_DIR}/chapters/*/manifest.json")
list(SORT manifests)
set(body "")
foreach(m IN LISTS manifests)
  get_filename_component(dir "${m}" DIRECTORY)
  get_filename_component(name "${dir}" NAME)
  file(READ "${m}" text)
  string(APPEND body "        {\"${name}\", R\"manifest_(${text})manifest_\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Written by cmake/embed-manifests.cmake from chapters/*/manifest.json; do not edit.
#include <string>
#include <utility>
#include <vector>

namespace flow::exercise {
std::vector<std::pair<std::string, std::string>> embedded_manifests() {
    return {
${body}    };
}
}  // namespace flow::exercise
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
