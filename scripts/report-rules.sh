# The rules scripts/check-report (a report) and scripts/check-slides (a deck) share,
# sourced by both. Each prints what breaks it on stderr and returns 1, or returns 0; the
# caller words the failure for its document.

# LaTeX's log $1 reports an undefined or duplicate reference or citation.
undefined_references() {
  grep -E "There were undefined references|Reference .* undefined|Citation .* undefined|multiply defined" "$1" >&2 && return 1
  return 0
}

# The text $1 (pdftotext's) shows an unresolved reference, "??".
unresolved_marks() {
  grep -n '??' "$1" >&2 && return 1
  return 0
}

# LaTeX's log $1 has an overfull box of the kinds $2 ("h", or "hv" for rows and pages)
# over 1pt: a point is invisible, more runs past the margin.
overfull_boxes() {
  local wide
  wide=$(grep -o "Overfull \\\\[$2]box ([0-9.]*pt too [a-z]*).*" "$1" \
    | awk '{ v = $3; sub(/\(/, "", v); sub(/pt/, "", v); if (v + 0 > 1.0) print }' || true)
  [ -z "$wide" ] && return 0
  echo "$wide" >&2
  return 1
}

# The text $1 speaks the program's words, not the reader's ("this run", "chapter",
# "flag", "default", "manifest", "stats", "generator"); a word hyphenated across lines is
# joined first. The offending lines go to stderr as line:word.
program_words() {
  sed -e ':a' -e '/-$/{N;s/-\n//;ba' -e '}' "$1" > "$1.joined"
  grep -n -i -o -w -E 'this run|chapters?|flags?|defaults?|manifests?|stats|generators?' "$1.joined" >&2 && return 1
  return 0
}

# One of the sources ($@) scales a figure, so its font sizes are not the printed ones.
scaled_figures() {
  grep -n -E '\\(resizebox|scalebox)|\\includegraphics\[[^]]*(scale|width|height)|transform shape' "$@" >&2 && return 1
  return 0
}
