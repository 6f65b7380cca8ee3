#!/usr/bin/env bash
# The whole report on quick models (few points, one epoch, narrow networks), through the
# real build graph, in a scratch folder:
#   tests/quick-report.sh SOURCE_DIR FLOWREPORT_BIN REPORT_TESTS_BIN
# Checks that every chapter runs and writes sane statistics and every figure, that the
# PDF builds with every heading and reference, that a second run does nothing, that
# make chapter-<id> reruns that chapter only, that a changed model flag retrains that
# model only and reruns only its chapters, and that a run interrupted in the middle
# finishes correctly when started again.
set -euo pipefail
src=$1 bin=$2 checks=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/flowreport-quick.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "quick-report: $*" >&2; exit 1; }

mkdir -p "$work/report"
cp "$src/Makefile.report" "$work/"
cp "$src"/report/*.tex "$src"/report/*.sty "$work/report/"
cd "$work"
unset FLOWREPORT_MODELS
fm_flags="--hidden 16 --depth 3 --dt 0.01"
quick=(BIN="$bin" FLAGS="--points 3000 --epochs 1" NF_FLAGS="--couplings 5 --hidden 4"
       CFM_FLAGS="--hidden 16 --depth 3 --dt 0.01")
run() { make --no-print-directory -j2 -f Makefile.report "${quick[@]}" FM_FLAGS="$fm_flags" "$@" report; }

run > first.log 2>&1 || { cat first.log >&2; fail "the quick report failed"; }
FLOWREPORT_REPORT_ROOT=$work "$checks" "[sanity]" || fail "a chapter's statistics or figures are not sane"
"$src/scripts/check-report" "$work" "$bin" || fail "the PDF does not read as it should"
if "$src/scripts/check-report" "$work" "$bin" 1 > /dev/null 2>&1; then
  fail "check-report accepted a limit of 1 page"
fi
# A table or figure past the margin is refused (LaTeX's overfull box, here planted).
cp build/latex/report.log report.log.keep
echo 'Overfull \hbox (12.5pt too wide) in paragraph at lines 3--9' >> build/latex/report.log
if "$src/scripts/check-report" "$work" "$bin" > /dev/null 2>&1; then
  fail "check-report accepted a box 12.5pt past the margin"
fi
mv report.log.keep build/latex/report.log

# Nothing changed: nothing to do.
run > second.log 2>&1 || { cat second.log >&2; fail "the second run failed"; }
grep -q "nothing to do" second.log || fail "the second run did not say it had nothing to do"
if grep -E "^(model|chapter|figure|report) " second.log; then fail "the second run redid work"; fi

# One chapter rerun on request: that chapter, its figures and the PDF, nothing else.
make --no-print-directory -j2 -f Makefile.report "${quick[@]}" FM_FLAGS="$fm_flags" chapter-nf-q4-trajectories \
  > rerun.log 2>&1 \
  || { cat rerun.log >&2; fail "make chapter-nf-q4-trajectories failed"; }
[ "$(grep -c '^chapter ' rerun.log)" = 1 ] && grep -q "^chapter  nf-q4-trajectories" rerun.log \
  || { cat rerun.log >&2; fail "make chapter-nf-q4-trajectories did not rerun exactly that chapter"; }
grep -q "^figure   nf-q4-trajectories" rerun.log || fail "the rerun chapter's figure was not redrawn"
grep -q "^report   report/report.pdf" rerun.log || fail "the PDF was not remade after the chapter"

# One model's flag changed: that model and its chapters only. Interrupted after 2 s,
# then run again: it must finish and leave sane outputs.
fm_flags+=" --epochs 2"
nf_stats=$(stat -c %Y build/chapters/nf-q1-loss/stats.json)
timeout -s INT 2 make --no-print-directory -j2 -f Makefile.report "${quick[@]}" FM_FLAGS="$fm_flags" report \
  > third.log 2>&1 || true
run > fourth.log 2>&1 || { cat fourth.log >&2; fail "the run after an interrupt failed"; }
cat third.log fourth.log > changed.log
grep -q "^model    fm" changed.log || fail "the fm model was not retrained after FM_FLAGS changed"
if grep -E "^model    (nf|cfm)|^chapter  (nf|cfm)-" changed.log; then
  fail "a change of FM_FLAGS reran another model or its chapters"
fi
for c in fm-q1-loss fm-q4-time-quantization fm-bonus-target; do
  grep -q "^chapter  $c" changed.log || fail "$c was not rerun after FM_FLAGS changed"
done
[ "$(stat -c %Y build/chapters/nf-q1-loss/stats.json)" = "$nf_stats" ] || fail "nf-q1-loss was rewritten"
grep -q '"epochs": 2' build/chapters/fm-q1-loss/stats.json || fail "fm-q1-loss does not have the new epochs"
FLOWREPORT_REPORT_ROOT=$work "$checks" "[sanity]" || fail "outputs are not sane after the interrupted run"
"$src/scripts/check-report" "$work" "$bin" > /dev/null || fail "the PDF is not right after the interrupted run"
echo "quick-report: every chapter, figure and the PDF on quick models; reruns and interrupts checked"
