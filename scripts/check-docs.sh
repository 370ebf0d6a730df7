#!/usr/bin/env bash
# Regenerates the reference docs from ODS and fails if docs/reference is stale.
# With --update, copies the generated pages into docs/reference instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DAQ_BUILD_DIR:-$root/build}"

bash "$root/scripts/build.sh" mlir-doc >/dev/null
generated=(
  "Dialects/DaqDialect.md:dialect.md"
  "DaqPasses.md:passes.md"
  "DaqConversionPasses.md:conversion-passes.md"
)
stale=0
for pair in "${generated[@]}"; do
  source="$build/docs/${pair%%:*}"
  target="$root/docs/reference/${pair##*:}"
  if [ "${1:-}" = "--update" ]; then
    mkdir -p "$(dirname "$target")"
    cp "$source" "$target"
  elif ! cmp -s "$source" "$target"; then
    echo "check-docs: $target is out of date; run scripts/check-docs.sh --update" >&2
    stale=1
  fi
done
exit "$stale"
