"""Turn bench/compare.sh's measurements into a table (stdout, bench/results/latest.md) and an
SVG chart (docs/benchmarks.svg). Standard library only."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path


def load(path):
    data = json.loads(Path(path).read_text())
    return {r["command"]: r for r in data["results"]}


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def main():
    out, lines_full, lines_subset, subset_names, ruff_rules = sys.argv[1:6]
    out = Path(out)
    full = load(out / "full.json")
    subset = load(out / "subset.json")
    memory = dict(line.split("\t") for line in (out / "memory.tsv").read_text().splitlines() if "\t" in line)

    def row(name, r, base, lines):
        median = r["median"]
        mem = int(memory.get(name, "0") or 0) / 1024
        ratio = median / base if base else float("nan")
        return name, median, r["stddev"] or 0.0, ratio, mem, int(lines) / median / 1e6

    rows = []
    base = full["asynclint"]["median"]
    for name in ["asynclint", "asynclint-no-project", "asynclint-1-thread", "ruff", "parse-only"]:
        rows.append(row(name, full[name], base, lines_full))
    sbase = subset["subset-asynclint"]["median"]
    srows = [row(n, subset[n], sbase, lines_subset) for n in ["subset-asynclint", "subset-ruff", "subset-flake8-async"]]

    cores = os.cpu_count()
    versions = {
        "asynclint": version(["target/release/asynclint", "--version"]),
        "ruff": version(["ruff", "--version"]),
        "flake8": version(["flake8", "--version"]),
        "python": platform.python_version(),
    }
    md = []
    md.append(f"Machine: {platform.machine()}, {cores} cores, {platform.system()} {platform.release()}")
    md.append("Versions: " + "; ".join(f"{k} {v}" for k, v in versions.items()))
    md.append(f"Corpus: {int(lines_full):,} lines of Python (bench/corpus.sh); flake8 subset: {subset_names} ({int(lines_subset):,} lines)")
    md.append(f"Ruff rules: `--select {ruff_rules}`")
    md.append("")
    md.append("| tool | median (s) | stddev | time / asynclint | peak memory (MiB) | Mlines/s |")
    md.append("|---|---:|---:|---:|---:|---:|")
    for name, median, sd, ratio, mem, speed in rows:
        md.append(f"| {name} | {median:.3f} | {sd:.3f} | {ratio:.2f} | {mem:.0f} | {speed:.2f} |")
    md.append("")
    md.append("| subset | median (s) | stddev | time / asynclint | peak memory (MiB) | Mlines/s |")
    md.append("|---|---:|---:|---:|---:|---:|")
    for name, median, sd, ratio, mem, speed in srows:
        md.append(f"| {name} | {median:.3f} | {sd:.3f} | {ratio:.2f} | {mem:.0f} | {speed:.2f} |")
    md.append("")
    ruff = full["ruff"]["median"]
    noproj = full["asynclint-no-project"]["median"]
    one = full["asynclint-1-thread"]["median"]
    flake = subset["subset-flake8-async"]["median"]
    mem_ruff = int(memory.get("ruff", "1")) or 1
    md.append("Ratios:")
    md.append(f"- asynclint / ruff wall time: {base / ruff:.2f} (target <= 1.0)")
    md.append(f"- project phase cost: {base / noproj:.2f}x the run without it (target <= 1.25)")
    md.append(f"- flake8-async / asynclint on the subset: {flake / sbase:.0f}x (target >= 100)")
    md.append(f"- peak memory asynclint / ruff: {int(memory.get('asynclint', '0')) / mem_ruff:.2f} (target <= 1.5)")
    md.append(f"- scaling 1 -> {cores} threads: {one / base:.2f}x faster")
    text = "\n".join(md)
    print(text)
    (out / "latest.md").write_text(text + "\n")

    # A horizontal bar chart of wall time (full corpus).
    bars = [(n, m) for n, m, *_ in rows]
    width, bar_h, gap, left = 720, 26, 10, 190
    top = 40
    height = top + len(bars) * (bar_h + gap) + 30
    scale = (width - left - 80) / max(m for _, m in bars)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="14">',
           f'<text x="10" y="24" font-size="16" font-weight="bold">Wall time on {int(lines_full):,} lines ({cores} cores), lower is better</text>']
    for i, (name, median) in enumerate(bars):
        y = top + i * (bar_h + gap)
        color = "#d9480f" if name.startswith("asynclint") else ("#868e96" if name == "parse-only" else "#1c7ed6")
        svg.append(f'<text x="{left - 8}" y="{y + bar_h * 0.7}" text-anchor="end">{name}</text>')
        svg.append(f'<rect x="{left}" y="{y}" width="{median * scale:.1f}" height="{bar_h}" fill="{color}"/>')
        svg.append(f'<text x="{left + median * scale + 6:.1f}" y="{y + bar_h * 0.7}">{median:.2f} s</text>')
    svg.append("</svg>")
    Path("docs").mkdir(exist_ok=True)
    Path("docs/benchmarks.svg").write_text("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
