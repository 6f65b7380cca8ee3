# The two entry points: `make report` and `make test` (see README.md).
# Both first install any missing Debian package (scripts/install-deps), then build.

SHELL := /bin/bash
BUILD_DIR := build/cmake
BIN := $(BUILD_DIR)/flowreport

.PHONY: report test deps build clean FORCE

# Models, chapters and figures build in parallel (JOBS=1 for one at a time).
JOBS ?= 2

report: build
	@$(MAKE) --no-print-directory -j$(JOBS) -f Makefile.report BIN=$(BIN) report

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j2

# chapter-<id>: rerun one chapter, its figures and the PDF.
chapter-%: build FORCE
	@$(MAKE) --no-print-directory -j$(JOBS) -f Makefile.report BIN=$(BIN) chapter-$*

deps:
	@scripts/install-deps

build: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DCMAKE_RULE_MESSAGES=OFF > /dev/null
	@set -o pipefail; cmake --build $(BUILD_DIR) -j2 -- --no-print-directory 2>&1 \
	  | { grep -v -E '^\[ *[0-9]+%\] Built target' || true; }

clean:
	rm -rf build figures/*.pdf report/report.pdf
