#!/usr/bin/env bash
# Fetch a pinned corpus of asyncio-heavy Python projects for benchmarking asynclint.
#
#   bench/corpus.sh                          # everything in PROJECTS
#   bench/corpus.sh --only aiohttp,prefect   # a subset (names as in PROJECTS)
#   bench/corpus.sh --list                   # print the pinned list and exit
#   bench/corpus.sh --count                  # only print the summary of what is unpacked
#
# Each release is fetched from PyPI with `pip download --no-deps`: the sdist when one exists
# (it carries tests and scripts too), the wheel otherwise or when the entry says `wheel`.
# Archives are kept in bench/corpus/_archives/, sources are unpacked into
# bench/corpus/<name>-<version>/. Re-running skips everything already present, so the script
# is cheap to call before every benchmark. bench/corpus/ is git-ignored.
#
# Override the destination with CORPUS_DIR=/path.
set -euo pipefail

# name==version [wheel]   -- one pinned release per line; `wheel` skips the sdist attempt.
PROJECTS=(
  "homeassistant==2026.11.0 wheel"   # the sdist is several times larger; the wheel has all sources
  "aiohttp==3.14.5"
  "prefect==3.9.1"
  "textual==8.2.8"
  "discord.py==2.7.1"
  "litestar==2.25.0"
  "telethon==1.45.0 wheel"         # its sdist cannot build metadata (hatch_build.py is missing)
  "aiogram==3.31.0"
  "redis==8.1.0"
  "sanic==25.12.1"
  "starlette==1.10.0"
  "httpx==0.28.1"
  "anyio==4.16.0"
  "uvicorn==0.54.0"
  "fastapi==0.163.2"
)

# Wheels are requested for this interpreter (pure-Python wheels match any version).
WHEEL_PYTHON_VERSION=3.12

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
corpus="${CORPUS_DIR:-$here/corpus}"
archives="$corpus/_archives"
only=""
mode=fetch

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only="${2:?--only needs a comma-separated list}"; shift 2 ;;
    --only=*) only="${1#--only=}"; shift ;;
    --list) mode=list; shift ;;
    --count) mode=count; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "corpus.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

# Select entries; every name given to --only must exist.
selected=()
if [[ -n "$only" ]]; then
  IFS=',' read -r -a wanted <<<"$only"
  for w in "${wanted[@]}"; do
    found=""
    for entry in "${PROJECTS[@]}"; do
      spec="${entry%% *}"
      if [[ "${spec%%==*}" == "$w" ]]; then selected+=("$entry"); found=1; fi
    done
    if [[ -z "$found" ]]; then echo "corpus.sh: '$w' is not in PROJECTS" >&2; exit 2; fi
  done
else
  selected=("${PROJECTS[@]}")
fi

if [[ "$mode" == list ]]; then
  printf '%s\n' "${selected[@]}"
  exit 0
fi

mkdir -p "$archives"
# Leftovers of an interrupted run.
rm -rf "$archives"/.dl.* "$corpus"/.unpack.*

# Lower-case, runs of [-_.] -> '_' : how both sdist and wheel file names spell a project.
file_stem() { echo "$1" | tr 'A-Z' 'a-z' | sed -E 's/[-_.]+/_/g'; }

find_archive() { # name version kind(sdist|wheel)
  local stem pattern f
  stem="$(file_stem "$1")"
  if [[ "$3" == sdist ]]; then pattern='.tar.gz .zip'; else pattern='.whl'; fi
  for f in "$archives"/*; do
    [[ -f "$f" ]] || continue
    local base lower
    base="$(basename "$f")"
    lower="$(echo "$base" | tr 'A-Z' 'a-z' | sed -E 's/[-.]+/_/g')"
    for ext in $pattern; do
      if [[ "$base" == *"$ext" && "$lower" == "${stem}_$(echo "$2" | sed -E 's/[-.]+/_/g')"* ]]; then
        echo "$f"; return 0
      fi
    done
  done
  return 1
}

download() { # spec kind
  local spec="$1" kind="$2" tmp log
  tmp="$(mktemp -d "$archives/.dl.XXXXXX")"
  log="$tmp/pip.log"
  local rc=0
  if [[ "$kind" == sdist ]]; then
    pip download --quiet --no-deps --no-binary :all: --ignore-requires-python \
      --dest "$tmp" "$spec" >"$log" 2>&1 || rc=$?
  else
    pip download --quiet --no-deps --only-binary :all: --python-version "$WHEEL_PYTHON_VERSION" \
      --ignore-requires-python --dest "$tmp" "$spec" >"$log" 2>&1 || rc=$?
  fi
  if [[ $rc -eq 0 ]]; then
    local f
    for f in "$tmp"/*; do
      [[ "$f" == "$log" ]] && continue
      mv "$f" "$archives/"
    done
    rm -rf "$tmp"
    return 0
  fi
  echo "    pip download ($kind) failed for $spec:" >&2
  { grep -E 'Error|error:|ERROR' "$log" || tail -n 3 "$log"; } | tail -n 3 | sed 's/^/      /' >&2
  rm -rf "$tmp"
  return 1
}

unpack() { # archive dest
  local archive="$1" dest="$2" tmp
  tmp="$(mktemp -d "$corpus/.unpack.XXXXXX")"
  case "$archive" in
    *.whl|*.zip) unzip -q "$archive" -d "$tmp" ;;
    *.tar.gz|*.tgz) tar -xzf "$archive" -C "$tmp" ;;
    *) echo "corpus.sh: do not know how to unpack $archive" >&2; rm -rf "$tmp"; return 1 ;;
  esac
  # An sdist holds a single top-level <name>-<version>/ folder: lift its content up.
  local entries=("$tmp"/*)
  if [[ "$archive" != *.whl && ${#entries[@]} -eq 1 && -d "${entries[0]}" ]]; then
    mv "${entries[0]}" "$tmp.inner"
    rmdir "$tmp"
    mv "$tmp.inner" "$tmp"
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  basename "$archive" >"$dest/.asynclint-corpus-source"
}

failures=()

if [[ "$mode" == fetch ]]; then
  for entry in "${selected[@]}"; do
    spec="${entry%% *}"
    name="${spec%%==*}"
    version="${spec##*==}"
    prefer="sdist"
    [[ "$entry" == *" wheel" ]] && prefer="wheel"
    dest="$corpus/$name-$version"
    if [[ -f "$dest/.asynclint-corpus-source" ]]; then
      echo "ok      $name $version (already unpacked)"
      continue
    fi
    archive=""
    if [[ "$prefer" == sdist ]]; then
      archive="$(find_archive "$name" "$version" sdist || true)"
      if [[ -z "$archive" ]]; then
        echo "fetch   $name $version (sdist)"
        if download "$spec" sdist; then archive="$(find_archive "$name" "$version" sdist || true)"; fi
      fi
    fi
    if [[ -z "$archive" ]]; then
      archive="$(find_archive "$name" "$version" wheel || true)"
      if [[ -z "$archive" ]]; then
        echo "fetch   $name $version (wheel)"
        if download "$spec" wheel; then archive="$(find_archive "$name" "$version" wheel || true)"; fi
      fi
    fi
    if [[ -z "$archive" ]]; then
      echo "FAILED  $name $version: no sdist or wheel could be downloaded" >&2
      failures+=("$name")
      continue
    fi
    echo "unpack  $(basename "$archive") -> $(basename "$dest")/"
    if ! unpack "$archive" "$dest"; then failures+=("$name"); fi
  done
  echo
fi

# Summary: .py files and lines per unpacked project.
total_files=0
total_lines=0
printf '%-28s %8s %10s  %s\n' project py_files py_lines source
for entry in "${selected[@]}"; do
  spec="${entry%% *}"
  name="${spec%%==*}"
  version="${spec##*==}"
  dest="$corpus/$name-$version"
  if [[ ! -f "$dest/.asynclint-corpus-source" ]]; then
    printf '%-28s %8s %10s  %s\n' "$name-$version" - - "(missing)"
    continue
  fi
  files=$(find "$dest" -type f -name '*.py' | wc -l)
  lines=$(find "$dest" -type f -name '*.py' -print0 | xargs -0 -r cat -- | wc -l)
  source=$(cat "$dest/.asynclint-corpus-source")
  case "$source" in *.whl) source="wheel" ;; *) source="sdist" ;; esac
  printf '%-28s %8d %10d  %s\n' "$name-$version" "$files" "$lines" "$source"
  total_files=$((total_files + files))
  total_lines=$((total_lines + lines))
done
printf '%-28s %8d %10d\n' TOTAL "$total_files" "$total_lines"

if [[ ${#failures[@]} -gt 0 ]]; then
  echo "corpus.sh: failed: ${failures[*]}" >&2
  exit 1
fi
