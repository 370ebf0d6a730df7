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

# One closing line that CI and people can read.
python3 - "$build/test-results.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"daq: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
