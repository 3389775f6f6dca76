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
# The run-time monitor from the installed command (Linux): a program that blocks its loop for
# 0.3 s must be reported, and the child's own exit status passed through.
if [ "$(uname -s)" = "Linux" ]; then
  cat > "$work/blocky.py" <<'PY'
import asyncio
import time


async def main():
    time.sleep(0.3)
    await asyncio.sleep(0)


asyncio.run(main())
PY
  set +e
  "$work/venv/bin/asynclint" run --output-format concise -o "$work/run.txt" -- "$work/venv/bin/python" "$work/blocky.py"
  status=$?
  set -e
  cat "$work/run.txt"
  if [ "$status" -ne 0 ]; then
    echo "wheel test: asynclint run should pass the child's exit status 0 through, got $status" >&2
    exit 1
  fi
  grep -q "AIO100" "$work/run.txt" || { echo "wheel test: the monitor did not report the blocking time.sleep (AIO100)" >&2; exit 1; }
fi
echo "wheel test: ok"
