#!/usr/bin/env bash
# The build folder recovers by itself, in copies of the source tree (no .git, no build):
#   tests/configure-recovers.sh SOURCE_DIR
# - a configure that fails (a planted find_package of a package that does not exist),
#   once its cause is fixed, is followed by a run that configures and builds;
# - a configured tree copied elsewhere is configured afresh for its new folder, not built
#   from the old one's sources;
# - two builds started at once in a fresh tree both succeed, the second having waited.
# Each run builds one generated source (the embedded manifests): the test is of
# configuring and of the lock, not of compiling.
set -euo pipefail
src=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/flowreport-configure.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "configure-recovers: $*" >&2; exit 1; }
source "$src/tests/at-once.sh"
fresh() {
  mkdir -p "$1"
  tar -C "$src" --exclude=./build --exclude=./.git --exclude='./figures/*' --exclude='./report/*.pdf' \
    --exclude='./report/*-gifs' -cf - . | tar -C "$1" -xf -
}
unset FLOWREPORT_LOCKED
build() { make --no-print-directory -C "$1" build TARGETS=manifests.cpp; }

# A configure that fails, then the fix.
fresh "$work/one"
echo 'find_package(NoSuchPackage REQUIRED)' >> "$work/one/CMakeLists.txt"
if build "$work/one" > "$work/planted.log" 2>&1; then fail "the build succeeded with a configure error planted"; fi
grep -q NoSuchPackage "$work/planted.log" || { cat "$work/planted.log" >&2; fail "the planted configure error was not the one reported"; }
cp "$src/CMakeLists.txt" "$work/one/CMakeLists.txt"
build "$work/one" > "$work/fixed.log" 2>&1 || { cat "$work/fixed.log" >&2; fail "the build after a fixed configure error failed"; }
[ -f "$work/one/build/cmake/build.ninja" ] && [ -f "$work/one/build/cmake/manifests.cpp" ] \
  || fail "the build after a fixed configure error built nothing"

# The configured tree, copied: configured again for its own folder.
cp -a "$work/one" "$work/copy"
build "$work/copy" > "$work/copy.log" 2>&1 || { cat "$work/copy.log" >&2; fail "the build of a copied tree failed"; }
grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$(cd "$work/copy" && pwd -P)" "$work/copy/build/cmake/CMakeCache.txt" \
  || fail "the copied tree's build folder still builds the original's sources"

# Two builds at once in a fresh tree.
fresh "$work/two"
at_once "builds in a fresh tree" "$work/a.log" "$work/b.log" build "$work/two"
echo "configure-recovers: a failed configure, a copied tree and two builds at once all recover"
