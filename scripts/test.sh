#!/usr/bin/env bash
# Runs every test suite and fails if any failed. Order: fuzz (short), C++ unit tests (CTest),
# then the node suites (integration against the real binary, SDK), whose summary ends the output.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== fuzz (10 s per target)"
bash fuzz/run.sh 10 || status=1

echo "== C++ unit tests"
(cd build && ctest --output-on-failure --timeout 120) || status=1

echo "== integration and SDK tests"
node --test --test-concurrency=1 tests/integration/ tests/e2e/ tests/web/ sdk/js/test/ || status=1

exit $status
