#!/usr/bin/env bash
# Apply every fix (safe and unsafe) to a copy of the corpus and check that every changed file
# still parses with CPython's own parser. Prints the counts; exits 1 if a file no longer parses.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/asynclint}
[ -x "$BIN" ] || cargo build --release -q -p asynclint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench/corpus.sh >/dev/null
mkdir -p "$work/corpus"
for d in bench/corpus/*/; do
  case "$d" in */_archives/) continue ;; esac
  cp -a "$d" "$work/corpus/"
done
cp -a "$work/corpus" "$work/original"
set +e
"$BIN" check "$work/corpus" --isolated --no-respect-gitignore --fix --unsafe-fixes --output-format concise --exit-zero > "$work/report.txt"
set -e
grep -oE "(Found|Fixed) .*" "$work/report.txt" | tail -1 || true
changed=$(diff -rq "$work/original" "$work/corpus" | awk '/^Files/ {print $4}' || true)
n=$(printf '%s\n' "$changed" | grep -c . || true)
echo "files changed: $n"
printf '%s\n' "$changed" | grep . > "$work/changed.txt" || true
python3 - "$work/changed.txt" <<'PY'
import ast, sys, warnings
warnings.simplefilter("ignore")
bad = 0
files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
for path in files:
    try:
        ast.parse(open(path, "rb").read(), filename=path)
    except SyntaxError as exc:
        bad += 1
        print(f"does not parse after fixing: {path}: {exc}")
print(f"parsed {len(files)} changed files with CPython's ast: {bad} failures")
sys.exit(1 if bad else 0)
PY
