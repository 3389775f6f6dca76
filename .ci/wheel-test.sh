#!/usr/bin/env bash
# Build the wheel the way users get it (`pip wheel .` runs maturin through PEP 517), install it
# into a fresh virtualenv, and run the installed command.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --upgrade pip
"$work/venv/bin/pip" wheel -q --no-deps . -w "$work/dist"
"$work/venv/bin/pip" install -q "$work"/dist/asynclint-*.whl
"$work/venv/bin/asynclint" --version
# The example project has findings on purpose: exit status 1 is the expected outcome.
set +e
"$work/venv/bin/asynclint" check examples/ --output-format concise > "$work/out.txt"
status=$?
set -e
tail -n 2 "$work/out.txt"
if [ "$status" -ne 1 ]; then
  echo "wheel test: expected exit status 1 on examples/, got $status" >&2
  exit 1
fi
grep -q "AIO100" "$work/out.txt" || { echo "wheel test: AIO100 missing from the report" >&2; exit 1; }
echo "wheel test: ok"
