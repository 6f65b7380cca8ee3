# The two entry points: `make report` and `make test` (see README.md).
# Both first install any missing Debian package (scripts/install-deps), then build.

SHELL := /bin/bash

# One run at a time per tree: every goal runs again under the tree's lock (scripts/lock,
# a flock on this folder); a second `make` here waits for the first, saying so.
include scripts/lock.mk
ifndef LOCKING

BUILD_DIR := build/cmake
# One BLAS thread in every program make starts (see Makefile.report).
export OPENBLAS_NUM_THREADS := 1
BIN := $(BUILD_DIR)/flowreport

.PHONY: report test bench check-golden golden-update deps build clean FORCE

# What `build` compiles (cmake targets): everything unless a goal asks for less.
TARGETS ?= all

# Models, chapters and figures build in parallel (JOBS=1 for one at a time).
JOBS ?= 2

# Each goal builds what it needs: the reports only the driver, the tests everything.
# `make report` builds every exercise's PDF (report/<exercise>.pdf); `make report-<exercise>`
# builds one.
report:
	@$(MAKE) --no-print-directory TARGETS=flowreport build
	@$(MAKE) --no-print-directory -j$(JOBS) -f Makefile.report BIN=$(BIN) report

report-%: FORCE
	@$(MAKE) --no-print-directory TARGETS=flowreport build
	@$(MAKE) --no-print-directory -j$(JOBS) -f Makefile.report BIN=$(BIN) report-$*

test:
	@$(MAKE) --no-print-directory TARGETS=all build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j2

# The statistics of full reports (`make report` at the defaults) against
# tests/golden/<exercise>/.
check-golden:
	@$(MAKE) --no-print-directory TARGETS=flowreport_report_tests build
	@$(BUILD_DIR)/flowreport_report_tests "[golden]"

# Replace tests/golden/<exercise>/<id>.json by this report's statistics, after a
# deliberate change of results; only from a report at the defaults (every flags file empty).
golden-update:
	@for f in build/flags/*/*.txt; do ! grep -q "[^[:space:]]" "$$f" || { echo "golden-update: $$f is not empty; run make report at the defaults first" >&2; exit 1; }; done
	@for e in $$($(BIN) list); do mkdir -p tests/golden/$$e; for id in $$($(BIN) list $$e); do \
	  cp build/chapters/$$e/$$id/stats.json tests/golden/$$e/.$$id.json.$$$$ && mv tests/golden/$$e/.$$id.json.$$$$ tests/golden/$$e/$$id.json; \
	  done; echo "tests/golden/$$e: $$($(BIN) list $$e | wc -l) chapters' statistics copied; review with git diff"; done

# chapter-<exercise>/<id>: rerun one chapter, its figures and its exercise's PDF. One
# pattern per exercise folder: a pattern without a slash would be matched against the
# part of the goal after its last slash.
define chapter-rule
chapter-$(1)/%: FORCE
	@$$(MAKE) --no-print-directory TARGETS=flowreport build
	@$$(MAKE) --no-print-directory -j$$(JOBS) -f Makefile.report BIN=$$(BIN) chapter-$(1)/$$*
endef
$(foreach e,$(notdir $(wildcard chapters/*)),$(eval $(call chapter-rule,$(e))))

# flowreport against the PyTorch reference (bench/reference.py) on one core each; installs
# python3-torch first. Not part of make test.
bench:
	@$(MAKE) --no-print-directory TARGETS=flowreport build
	@scripts/bench

deps:
	@scripts/install-deps

# Ninja, so that the units of different targets (lib, chapters) compile side by side.
# The build folder is configured whenever it cannot build: no build.ninja (never
# configured, or a configure that failed or was interrupted), and afresh when its cache
# is another generator's or another source folder's (a copied or moved tree). A failed
# configure or build stops here: nothing runs on a stale driver, and the next run
# configures again.
build: deps
	@cache=$(BUILD_DIR)/CMakeCache.txt; \
	  if [ -f $$cache ] && ! { grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' $$cache \
	    && grep -qxF 'CMAKE_HOME_DIRECTORY:INTERNAL=$(CURDIR)' $$cache; }; then rm -rf $(BUILD_DIR); fi
	@set -o pipefail; start=$$(date +%s.%N); before=$$(stat -c %.9Y $(BIN) 2>/dev/null || echo none); \
	  { test -f $(BUILD_DIR)/build.ninja || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null; } || exit 1; \
	  cmake --build $(BUILD_DIR) -j2 --target $(TARGETS) -- --quiet 2>&1 | { grep -v '^ninja: no work to do\.$$' || true; } || exit 1; \
	  if [ "$$(stat -c %.9Y $(BIN) 2>/dev/null || echo none)" != "$$before" ]; then \
	    mkdir -p build/timing && echo "$$start $$(date +%s.%N)" > build/timing/.build.txt.$$$$ \
	    && mv build/timing/.build.txt.$$$$ build/timing/build.txt; fi

clean:
	rm -rf build figures/*/ report/*.pdf

endif
