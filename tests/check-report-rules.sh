#!/usr/bin/env bash
# scripts/check-report against small typeset reports, one clean and one per planted
# violation of each rule it enforces: the clean one must pass, and each planted one must
# fail with the message of its rule (so that a rule that stopped biting fails here).
#   tests/check-report-rules.sh SOURCE_DIR
# The reports are typeset by lualatex from a few lines of LaTeX; the driver that
# check-report asks for the page limit, the word budget and the headings is a stub.
set -euo pipefail
src=$1
check=$src/scripts/check-report
work=$(mktemp -d "${TMPDIR:-/tmp}/flowreport-check-rules.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "check-report-rules: $*" >&2; exit 1; }

# The stub driver: `list ex --pages|--words|--headings|--document`, from variables set
# per case; exercise `deck` is typeset as slides.
cat > "$work/bin" <<'EOF'
#!/usr/bin/env bash
if [ "$2" = deck ]; then
  case $3 in
    --pages) echo "${STUB_PAGES:-3}" ;;
    --words) echo "${STUB_WORDS:-400}" ;;
    --headings) printf 'one\tA first claim\ntwo\tReferences\n' ;;
    --document) echo slides ;;
  esac
  exit 0
fi
case $3 in
  --pages) echo "${STUB_PAGES:-2}" ;;
  --words) echo "${STUB_WORDS:-400}" ;;
  --headings) printf 'one\tFirst -- the question\ntwo\tSecond part\n' ;;
  --document) echo report ;;
esac
EOF
chmod +x "$work/bin"

# A report tree: ROOT/report/ex.pdf, its log, its chapters' sources and a style file.
# $2 is the LaTeX body between the title and the references; $3 the appendix; $4 what
# the first chapter's figure source holds besides its plot.
make_tree() {
  local root=$1 body=$2 appendix=$3 figure_extra=${4:-}
  mkdir -p "$root/report" "$root/build/latex/ex" "$root/build/chapters/ex/one" "$root/build/chapters/ex/two"
  printf '%% a style\n\\newcommand{\\fine}{\\scriptsize}\n' > "$root/report/ex.sty"
  printf '\\begin{tikzpicture}%s\\draw (0,0) -- (1,1);\\end{tikzpicture}\n' "$figure_extra" \
    > "$root/build/chapters/ex/one/figure.tex"
  printf '\\begin{figure}\\input{figure.tex}\\caption{A line.}\\label{fig:one-line}\\end{figure}\n' \
    > "$root/build/chapters/ex/one/chapter.tex"
  printf 'See Figure~\\ref{fig:one-line}.\n' > "$root/build/chapters/ex/two/chapter.tex"
  cat > "$root/build/latex/ex/report.tex" <<EOF
\\documentclass[10pt,a4paper]{article}
\\usepackage{tikz}
\\begin{document}
\\section{First -- the question}
$body
\\section*{References}
[1] A. Author. A paper. 2020.
$appendix
\\end{document}
EOF
  (cd "$root/build/latex/ex" && lualatex -interaction=nonstopmode -halt-on-error report.tex > /dev/null 2>&1) \
    || fail "lualatex failed on the case in $root"
  mv "$root/build/latex/ex/report.pdf" "$root/report/ex.pdf"
}

clean_body='The flow maps the prior onto the data, as Figure~1 shows.
\begin{figure}[h]\centering\begin{tikzpicture}\draw (0,0) -- (1,1);\end{tikzpicture}\caption{A line.}\end{figure}
\section{Second part}
The samples fall inside the rings.'
short_appendix='\appendix\section{Provenance}
Made from commit 0123abc, seed 0, in 12 s.'

# The clean report passes.
make_tree "$work/clean" "$clean_body" "$short_appendix"
"$check" "$work/clean" "$work/bin" ex > "$work/out" 2>&1 || { cat "$work/out" >&2; fail "the clean report failed"; }

# Each planted violation: a copy of the clean tree changed by one command, then the
# message its rule must give.
expect_failure() {
  local name=$1 message=$2
  local out
  if out=$("$check" "$work/$name" "$work/bin" "${exercise:-ex}" "${@:3}" 2>&1); then
    fail "check-report passed on '$name', which breaks a rule"
  fi
  [[ $out == *"$message"* ]] || fail "check-report failed on '$name' for another reason: $out"
  echo "check-report-rules: '$name' fails as it should: ${out##*$'\n'}"
}
copy() { cp -r "$work/clean" "$work/$1"; }

copy missing-heading
sed -i 's/\\section{Second part}/\\section{Another part}/' "$work/missing-heading/build/latex/ex/report.tex"
(cd "$work/missing-heading/build/latex/ex" && lualatex -interaction=nonstopmode report.tex > /dev/null 2>&1) || true
mv "$work/missing-heading/build/latex/ex/report.pdf" "$work/missing-heading/report/ex.pdf"
expect_failure missing-heading "no heading 'Second part'"

make_tree "$work/no-references" "$clean_body" "$short_appendix"
sed -i 's/\\section\*{References}/\\section*{Sources}/' "$work/no-references/build/latex/ex/report.tex"
(cd "$work/no-references/build/latex/ex" && lualatex -interaction=nonstopmode report.tex > /dev/null 2>&1) || true
mv "$work/no-references/build/latex/ex/report.pdf" "$work/no-references/report/ex.pdf"
expect_failure no-references "no references"

make_tree "$work/no-appendix" "$clean_body" ""
expect_failure no-appendix "no provenance appendix"

copy undefined-reference
echo 'LaTeX Warning: There were undefined references.' >> "$work/undefined-reference/build/latex/ex/report.log"
expect_failure undefined-reference "undefined or duplicate references"

make_tree "$work/question-marks" "$clean_body See Figure~\\ref{fig:nowhere}." "$short_appendix"
sed -i '/undefined/d' "$work/question-marks/build/latex/ex/report.log"
expect_failure question-marks "unresolved reference (??)"

copy overfull
echo 'Overfull \hbox (8.5pt too wide) in paragraph at lines 3--4' >> "$work/overfull/build/latex/ex/report.log"
expect_failure overfull "runs past the margin"

copy unreferenced-figure
echo 'No figure here.' > "$work/unreferenced-figure/build/chapters/ex/two/chapter.tex"
expect_failure unreferenced-figure "figure fig:one-line"

copy over-budget
expect_failure over-budget "more than its budget of 10" --words 10

make_tree "$work/program-words" "$clean_body At the defaults this run trains two models." "$short_appendix"
expect_failure program-words "the program's words"

copy tiny-type
sed -i 's/\\draw/\\node[font=\\tiny] {a};\\draw/' "$work/tiny-type/build/chapters/ex/one/figure.tex"
expect_failure tiny-type "type under 7 pt"

copy small-fontsize
echo '\newcommand{\small}{\fontsize{5}{6}\selectfont}' >> "$work/small-fontsize/report/ex.sty"
expect_failure small-fontsize "type under 7 pt"

copy scaled-figure
sed -i 's/\\input{figure.tex}/\\resizebox{0.5\\linewidth}{!}{\\input{figure.tex}}/' \
  "$work/scaled-figure/build/chapters/ex/one/chapter.tex"
expect_failure scaled-figure "a figure is scaled"

long_appendix="\\newpage$short_appendix"
for i in $(seq 1 25); do long_appendix+=$'\n\n'"Library number $i, version $i.0."; done
make_tree "$work/long-appendix" "$clean_body" "$long_appendix"
expect_failure long-appendix "more than a third of the page"

make_tree "$work/appendix-not-last" "$clean_body" "$short_appendix"'\newpage Another page.'
expect_failure appendix-not-last "does not start on the last page"

copy too-many-pages
expect_failure too-many-pages "more than 0" --pages 0

# A deck (scripts/check-slides, through check-report): a title slide with the provenance,
# then one 16:9 frame per chapter at 14 pt. $2 is the first slide's body, $3 what its
# figure source holds, $4 the title slide's body.
make_deck() {
  local root=$1 body=$2 figure=$3 title=${4:-Made by make report from commit 0123abc, seed 0.}
  mkdir -p "$root/report/deck" "$root/build/latex/deck" "$root/build/chapters/deck/one" "$root/build/chapters/deck/two"
  printf '%s\n' "$figure" > "$root/build/chapters/deck/one/figure.tex"
  printf '\\begin{frame}{A first claim}%s\\end{frame}\n' "$body" > "$root/build/chapters/deck/one/chapter.tex"
  printf '\\begin{frame}{References}[1] A. Author. A paper. 2020.\\end{frame}\n' \
    > "$root/build/chapters/deck/two/chapter.tex"
  {
    printf '\\documentclass[14pt,aspectratio=169]{beamer}\n\\usepackage{tikz}\n'
    printf '\\setbeamertemplate{footline}[frame number]\n\\begin{document}\n'
    printf '\\begin{frame}%s\\end{frame}\n' "$title"
    printf '\\input{%s}\n\\input{%s}\n\\end{document}\n' "$root/build/chapters/deck/one/chapter.tex" \
      "$root/build/chapters/deck/two/chapter.tex"
  } > "$root/report/deck/report.tex"
  (cd "$root/build/chapters/deck/one" && lualatex -interaction=nonstopmode -halt-on-error \
    -output-directory="$root/build/latex/deck" -jobname=report "$root/report/deck/report.tex" > /dev/null 2>&1) \
    || fail "lualatex failed on the deck in $root"
  mv "$root/build/latex/deck/report.pdf" "$root/report/deck.pdf"
}
expect_deck_failure() { exercise=deck expect_failure "$@"; }
good_figure='\begin{tikzpicture}[font=\Large]\draw (0,0) -- (1,1) node {a};\end{tikzpicture}'
good_slide='\par The claim.\par\input{figure.tex}\par One line of evidence.'
make_deck "$work/deck-clean" "$good_slide" "$good_figure"
"$check" "$work/deck-clean" "$work/bin" deck > "$work/out" 2>&1 || { cat "$work/out" >&2; fail "the clean deck failed"; }
make_deck "$work/deck-long-line" '\par\noindent\mbox{A line far too long for any slide at fourteen points, running past its right edge.}' "$good_figure"
expect_deck_failure deck-long-line "runs past a slide's edge"
make_deck "$work/deck-foot" '\par\vspace*{6.8cm}The last line sits in the foot.' "$good_figure"
expect_deck_failure deck-foot "runs into a slide's foot"
make_deck "$work/deck-no-provenance" "$good_slide" "$good_figure" "A title and nothing else."
expect_deck_failure deck-no-provenance "does not state its provenance"
make_deck "$work/deck-small-figure" "$good_slide" '\begin{tikzpicture}[font=\Large]\node[font=\small] {a};\end{tikzpicture}'
expect_deck_failure deck-small-figure "type under 14 pt"
make_deck "$work/deck-figure-size" "$good_slide" '\begin{tikzpicture}\draw (0,0) -- (1,1) node {a};\end{tikzpicture}'
expect_deck_failure deck-figure-size "does not set its picture's text"
make_deck "$work/deck-words" "$good_slide At the defaults this run trains two models." "$good_figure"
expect_deck_failure deck-words "the program's words"
cp -r "$work/deck-clean" "$work/deck-too-many"
expect_deck_failure deck-too-many "more than 2" --pages 2

echo "check-report-rules: the clean report and the clean deck pass and every planted violation fails"

