#!/usr/bin/env bash
# Every exercise's report on quick models (the manifests' quick flags: few points, one
# epoch, narrow networks), through the real build graph, in a scratch folder:
#   tests/quick-report.sh SOURCE_DIR FLOWREPORT_BIN REPORT_TESTS_BIN
# Checks that every chapter runs and writes sane statistics and every figure, that each
# PDF builds with every heading and reference, that a second run does nothing, that
# make chapter-<exercise>/<id> reruns that chapter only, that a changed model flag
# retrains that model (and the models like it) only and reruns only the chapters that
# read them, that a run interrupted in the middle finishes correctly when started
# again, and that two runs started at once in one fresh tree both end well (the second
# waits for the first) and leave the statistics that one run alone leaves. The chapters
# and models it picks come from `flowreport list`.
set -euo pipefail
src=$1 bin=$2 checks=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/flowreport-quick.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "quick-report: $*" >&2; exit 1; }
source "$src/tests/at-once.sh"

# A fresh tree: the report's make file, its documents and the tree's lock.
tree() {
  mkdir -p "$1/report" "$1/scripts"
  cp "$src/Makefile.report" "$1/"
  cp "$src/scripts/lock" "$src/scripts/lock.mk" "$1/scripts/"
  cp -r "$src"/report/. "$1/report/"
  rm -rf "$1"/report/*.pdf "$1"/report/*-gifs
}
tree "$work"
cd "$work"
unset FLOWREPORT_MODELS
run() { make --no-print-directory -j2 -f Makefile.report BIN="$bin" QUICK=1 "$@"; }

# Through a RUN= prefix that records every command it is given: each model and each
# chapter must have gone through it once (what a cluster's job launcher would see).
commands=$work/commands.log
run report RUN="$src/tests/record-run.sh $commands" > first.log 2>&1 || { cat first.log >&2; fail "the quick reports failed"; }
for e in $("$bin" list); do
  for m in build/models/$e/*.path; do
    m=$(basename "$m" .path)
    n=$(awk -v p="$bin train $e $m" 'index($0, p " ") == 1 || $0 == p' "$commands" | wc -l)
    [ "$n" -eq 1 ] || fail "model $e/$m went through RUN $n times, not once"
  done
  for c in $("$bin" list "$e"); do
    n=$(awk -v p="$bin chapter $e $c" 'index($0, p " ") == 1' "$commands" | wc -l)
    [ "$n" -eq 1 ] || fail "chapter $e/$c went through RUN $n times, not once"
  done
done
chapters=0
for e in $("$bin" list); do chapters=$((chapters + $("$bin" list "$e" | wc -l))); done
[ "$(grep -c . "$commands")" -eq "$(( $(ls build/models/*/*.path | wc -l) + chapters ))" ] \
  || fail "RUN was given $(grep -c . "$commands") commands, not one per model and chapter"
FLOWREPORT_REPORT_ROOT=$work "$checks" "[sanity]" || fail "a chapter's statistics or figures are not sane"
exercises=$("$bin" list)
# Every rule but the word budget: quick models choose other sentences (and tables of
# other sizes) than the real ones, whose budget .ci/run checks on the real reports.
unlimited=1000000
for e in $exercises; do
  "$src/scripts/check-report" "$work" "$bin" "$e" --words $unlimited || fail "the $e PDF does not read as it should"
done
# Two runs started at once in a second fresh tree: both end well, one of them having
# waited for the other, saying so with the pid it waited for; every chapter's statistics
# equal the first tree's (one run alone), wall times aside, and every figure and PDF is
# there.
twin=$work/twin
tree "$twin"
cd "$twin"
at_once "reports in one tree" a.log b.log run report
cd "$work"
FLOWREPORT_REPORT_ROOT=$twin FLOWREPORT_SAME_AS=$work "$checks" "[same]" \
  || fail "two runs at once in one tree left statistics other than one run's"
FLOWREPORT_REPORT_ROOT=$twin "$checks" "[sanity]" || fail "two runs at once in one tree left a figure or PDF missing"
rm -rf "$twin"

# (No pipeline here ends in head: under pipefail, a writer cut off by it fails the script.)
set -- $exercises
first=$1
if "$src/scripts/check-report" "$work" "$bin" "$first" --pages 1 --words $unlimited > /dev/null 2>&1; then
  fail "check-report accepted a limit of 1 page"
fi
# A table or figure past the margin is refused (LaTeX's overfull box, here planted).
log=build/latex/$first/report.log
cp "$log" report.log.keep
echo 'Overfull \hbox (12.5pt too wide) in paragraph at lines 3--9' >> "$log"
if "$src/scripts/check-report" "$work" "$bin" "$first" --words $unlimited > /dev/null 2>&1; then
  fail "check-report accepted a box 12.5pt past the margin"
fi
mv report.log.keep "$log"

# Nothing changed: nothing to do.
run report > second.log 2>&1 || { cat second.log >&2; fail "the second run failed"; }
grep -q "nothing to do" second.log || fail "the second run did not say it had nothing to do"
if grep -E "^(model|chapter|figure|report) " second.log; then fail "the second run redid work"; fi

# One chapter rerun on request (the last of the first exercise): that chapter, its
# figures and its PDF, nothing else.
chapter=$("$bin" list "$first" | tail -n 1)
run "chapter-$first/$chapter" > rerun.log 2>&1 || { cat rerun.log >&2; fail "make chapter-$first/$chapter failed"; }
[ "$(grep -c '^chapter ' rerun.log)" = 1 ] && grep -q "^chapter  $first/$chapter\$" rerun.log \
  || { cat rerun.log >&2; fail "make chapter-$first/$chapter did not rerun exactly that chapter"; }
# (its figures, if it has any: a chapter of tables and text lists none)
if grep -q "^FIGURES_$first/$chapter := *[^ ]" "build/chapters/$first/$chapter/figures.mk"; then
  grep -q "^figure   $first/$chapter-" rerun.log || fail "the rerun chapter's figures were not redrawn"
fi
grep -q "^report   report/$first.pdf" rerun.log || fail "the PDF was not remade after the chapter"

# One model's flag changed (the first exercise's first model read by more than one
# chapter): that model, the models like it or fitted on it, and the chapters that read
# them only.
# Interrupted after 2 s, then run again: it must finish and leave sane outputs.
models=$("$bin" list "$first" --models)
model=$(awk -F'\t' 'split($4, a, " ") > 1 { print $1; exit }' <<< "$models")
[ -n "${model:-}" ] || fail "no model of $first is read by two chapters"
like=$(sed -n "s/^LIKE_$first\/\([^ ]*\) := $model\$/\1/p" build/graph.mk)
changed="$model $like"
# and the models fitted on any of these, and on those, in turn
while :; do
  more=""
  for m in $changed; do
    for b in $(sed -n "s/^BASE_$first\/\([^ ]*\) := $m\$/\1/p" build/graph.mk); do
      [[ " $changed $more " == *" $b "* ]] || more+=" $b"
    done
  done
  [ -z "$more" ] && break
  changed+="$more"
done
expected=" "
for m in $changed; do
  for c in $(awk -F'\t' -v m="$m" '$1 == m { print $4 }' <<< "$models"); do expected+="$c "; done
done
untouched=""
for c in $("$bin" list "$first"); do
  [[ "$expected" == *" $c "* ]] || { untouched=$c; break; }
done
[ -n "$untouched" ] || fail "every chapter of $first reads model $model: none is left to check it stays untouched"
before=$(stat -c %Y "build/chapters/$first/$untouched/stats.json")
timeout -s INT 2 make --no-print-directory -j2 -f Makefile.report BIN="$bin" QUICK=1 "FLAGS_$first/$model=--epochs 2" report \
  > third.log 2>&1 || true
run "FLAGS_$first/$model=--epochs 2" report > fourth.log 2>&1 || { cat fourth.log >&2; fail "the run after an interrupt failed"; }
cat third.log fourth.log > changed.log
grep -q "^model    $first/$model\$" changed.log || fail "model $model was not retrained after its flags changed"
while read -r line; do
  name=${line#model    $first/}
  [[ " $changed " == *" $name "* ]] || fail "a change of $model's flags retrained model $name"
done < <(grep "^model " changed.log)
while read -r line; do
  c=${line#chapter  $first/}
  [[ "$expected" == *" $c "* ]] || fail "a change of $model's flags reran chapter $c, which does not read it"
done < <(grep "^chapter " changed.log)
for c in $expected; do grep -q "^chapter  $first/$c\$" changed.log || fail "$c was not rerun after $model changed"; done
[ "$(stat -c %Y "build/chapters/$first/$untouched/stats.json")" = "$before" ] || fail "$untouched was rewritten"
set -- $expected
c1=$1
grep -q '"epochs": 2' "build/chapters/$first/$c1/stats.json" || fail "$c1 does not have the new epochs"
FLOWREPORT_REPORT_ROOT=$work "$checks" "[sanity]" || fail "outputs are not sane after the interrupted run"
"$src/scripts/check-report" "$work" "$bin" "$first" --words $unlimited > /dev/null \
  || fail "the PDF is not right after the interrupted run"

# The author under the title, LaTeX's special characters escaped; none without AUTHOR.
author="Ada O'Neil_x & Co (s1)"
run AUTHOR="$author" "report/$first.pdf" > author.log 2>&1 || { cat author.log >&2; fail "make AUTHOR=... failed"; }
pdftotext -l 1 "report/$first.pdf" title.txt
grep -qF "Ada O’Neil_x & Co (s1)" title.txt || fail "the author is not on the title page"
run "report/$first.pdf" > author.log 2>&1 || { cat author.log >&2; fail "make without AUTHOR failed"; }
pdftotext -l 1 "report/$first.pdf" title.txt
! grep -qF "Neil_x" title.txt || fail "the author stayed on the title page without AUTHOR"
echo "quick-report: every chapter, figure and PDF of $(echo $exercises) on quick models; reruns, interrupts and the author checked"
