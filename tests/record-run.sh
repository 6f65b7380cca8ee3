#!/usr/bin/env bash
# A RUN= prefix for the tests (Makefile.report): appends the command it is given, its
# words joined by spaces, as one line to the file named first, then runs it in its place.
#   make report RUN="tests/record-run.sh /tmp/commands.log"
set -euo pipefail
log=$1
shift
printf '%s\n' "$*" >> "$log"
exec "$@"
