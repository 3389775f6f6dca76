#!/usr/bin/env bash
# Time asynclint against Ruff (its async rules) and flake8-async on the real corpus, in one run.
# Prints medians, ratios and peak memory, and writes bench/results/latest.{json,md} plus the
# chart docs/benchmarks.svg. Measures; asserts nothing.
#
#   bench/compare.sh                 # full corpus, 5 runs each
#   RUNS=3 bench/compare.sh          # fewer runs
#   FLAKE8_SUBSET="aiohttp httpx" bench/compare.sh
#   PIN=1 bench/compare.sh           # corpus pages locked in memory (bench/pin_corpus.py)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
CORPUS=bench/corpus
OUT=bench/results
mkdir -p "$OUT"
# flake8-async is pure Python: it runs on a subset (named here), and so do the others for its row.
FLAKE8_SUBSET=${FLAKE8_SUBSET:-"aiohttp httpx anyio starlette uvicorn"}
RUFF_RULES="ASYNC,RUF006,RUF029,PLE1142"

need() { command -v "$1" >/dev/null 2>&1 || { echo "missing: $1 ($2)" >&2; exit 2; }; }
need hyperfine "apt-get install hyperfine"
need ruff "pip install ruff"
need flake8 "pip install flake8 flake8-async"
[ -x /usr/bin/time ] || { echo "missing: /usr/bin/time (apt-get install time)" >&2; exit 2; }

bench/corpus.sh >/dev/null
if [ "${PIN:-0}" = 1 ]; then
  python3 bench/pin_corpus.py "$CORPUS" &
  PIN_PID=$!
  trap 'kill "$PIN_PID" 2>/dev/null || true' EXIT
  sleep 5
fi
cargo build --release -q -p asynclint
BIN=$PWD/target/release/asynclint

subset_dirs=()
for name in $FLAKE8_SUBSET; do
  for d in "$CORPUS"/"$name"-*/; do subset_dirs+=("$d"); done
done

declare -A CMD
CMD[asynclint]="$BIN check $CORPUS --isolated --no-respect-gitignore --exit-zero -q --output-format concise"
CMD[asynclint-no-project]="$BIN --no-project check $CORPUS --isolated --no-respect-gitignore --exit-zero -q --output-format concise"
CMD[asynclint-1-thread]="env RAYON_NUM_THREADS=1 $BIN check $CORPUS --isolated --no-respect-gitignore --exit-zero -q --output-format concise"
CMD[ruff]="ruff check --no-cache --isolated --no-respect-gitignore --select $RUFF_RULES --exit-zero -q $CORPUS"
CMD[parse-only]="$BIN parse-only $CORPUS"
CMD[subset-asynclint]="$BIN check ${subset_dirs[*]} --isolated --no-respect-gitignore --exit-zero -q --output-format concise"
CMD[subset-ruff]="ruff check --no-cache --isolated --no-respect-gitignore --select $RUFF_RULES --exit-zero -q ${subset_dirs[*]}"
CMD[subset-flake8-async]="flake8 --isolated --select ASYNC --exit-zero ${subset_dirs[*]}"

full=(asynclint asynclint-no-project asynclint-1-thread ruff parse-only)
subset=(subset-asynclint subset-ruff subset-flake8-async)

args=()
for n in "${full[@]}"; do args+=(-n "$n" "${CMD[$n]}"); done
hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$OUT/full.json" "${args[@]}"
args=()
for n in "${subset[@]}"; do args+=(-n "$n" "${CMD[$n]}"); done
hyperfine --warmup 0 --runs "${SUBSET_RUNS:-2}" --style basic --export-json "$OUT/subset.json" "${args[@]}"

: > "$OUT/memory.tsv"
for n in "${full[@]}" "${subset[@]}"; do
  kb=$( { /usr/bin/time -f "%M" bash -c "${CMD[$n]} >/dev/null 2>&1"; } 2>&1 | tail -1 )
  printf '%s\t%s\n' "$n" "$kb" >> "$OUT/memory.tsv"
done

lines_full=$(find "$CORPUS" -name '*.py' -not -path '*/_archives/*' -print0 | xargs -0 cat | wc -l)
lines_subset=$(find "${subset_dirs[@]}" -name '*.py' -print0 | xargs -0 cat | wc -l)
python3 bench/report.py "$OUT" "$lines_full" "$lines_subset" "$FLAKE8_SUBSET" "$RUFF_RULES"
