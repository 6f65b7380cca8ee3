#!/usr/bin/env bash
# Every chapter file is at most 200 lines and every chapter function at most 60, counted
# from the first line of its signature to its closing brace at the start of a line.
# Prints one line per file or function that is longer, and fails if there is any.
# Usage: chapter-lengths.sh SOURCE_DIR [FILE...] (default: every chapters/*/*.cpp and .hpp)
set -euo pipefail
src=${1:?usage: chapter-lengths.sh SOURCE_DIR [FILE...]}
shift
if (($#)); then files=("$@"); else files=("$src"/chapters/*/*.cpp "$src"/chapters/*/*.hpp); fi
awk -v max_file=200 -v max_fn=60 '
FNR == 1 { if (prev != "" && lines > max_file) { print prev ": " lines " lines (at most " max_file ")"; bad++ }
           prev = FILENAME; lines = 0; start = 0; head = 0 }
{ lines++ }
# A line at the start of a line that is not a namespace, type, comment, directive or
# closing brace may begin a signature; the function starts there when its body opens.
/^[A-Za-z_]/ && !/^(namespace|struct|class|enum|template|using|FLOWREPORT|constexpr|const |extern|typedef)/ { head = FNR; text = $0 }
/\)[ a-z]*\{[ \t]*$/ && head && !start { start = head; name = text }
/^}/ && start { n = FNR - start + 1
                if (n > max_fn) { sub(/[ \t]*\{?[ \t]*$/, "", name); print FILENAME ":" start ": " n " lines (at most " max_fn "): " substr(name, 1, 70); bad++ }
                start = 0; head = 0 }
/^}/ { head = 0 }
END { if (prev != "" && lines > max_file) { print prev ": " lines " lines (at most " max_file ")"; bad++ }
      exit bad > 0 }
' "${files[@]}"
