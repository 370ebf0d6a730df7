#!/usr/bin/env bash
# README command (2): installs what is missing, builds, and runs the whole test
# suite. `.ci/run` calls this script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DAQ_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
bash "$root/scripts/check-docs.sh"

status=0
/usr/lib/llvm-22/bin/lit -sv --xunit-xml-output="$build/test-results.xml" \
  "$build/test" || status=$?

# The Python package (python/tests), from this checkout and this build.
rm -f "$build/pytest-results.xml"
PYTHONPATH="$root/python" DAQ_BUILD_DIR="$build" /usr/bin/python3 -m pytest -q \
  --junitxml="$build/pytest-results.xml" "$root/python/tests" || status=1

# One closing line that CI and people can read: lit and pytest together.
/usr/bin/python3 - "$build/test-results.xml" "$build/pytest-results.xml" <<'PY'
import os
import sys
import xml.etree.ElementTree as ET

def count(path):
    if not os.path.exists(path):
        return None
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped

totals, parts = [0, 0, 0], []
for name, path in zip(("lit", "pytest"), sys.argv[1:]):
    counts = count(path)
    if counts is None:
        parts.append(f"{name}: did not run")
        totals[1] += 1
        continue
    totals = [t + c for t, c in zip(totals, counts)]
    parts.append(f"{name} {counts[0]}/{counts[0] + counts[1]}")
passed, failed, skipped = totals
print(f"daq suites: {', '.join(parts)}")
print(f"daq: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
