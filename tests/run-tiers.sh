#!/usr/bin/env bash
# Runs every test tier in one pytest run (benchmarks excluded: `make bench`).
# pytest exit 5 (nothing collected) is a failure here, never a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
export KIVY_NO_ARGS=1 KIVY_NO_FILELOG=1 KIVY_NO_CONSOLELOG=1
.venv/bin/python -m pytest tests/unit tests/wire tests/faults tests/e2e -q -m "not bench" "$@"
rc=$?
if [ $rc -eq 5 ]; then echo "run-tiers: pytest collected no tests: failing" >&2; exit 1; fi
exit $rc
