#!/usr/bin/env python3
"""Time commands in alternation, several rounds, and print the median wall and CPU time of each.

hyperfine times one command after the other; on a VM whose speed drifts over minutes, that
drift lands on whichever command ran during it. Running the commands in turn, round after
round, spreads it evenly, so their ratios hold even when the absolute times move.

    bench/interleaved.py 10 "new=target/release/asynclint check bench/corpus ..." "old=..."

Use with `bench/pin_corpus.py` running, so no run reads the corpus from disk.
"""

import resource
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    rounds = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    times = {label: [] for label, _ in commands}
    for _ in range(rounds):
        for label, command in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                command,
                shell=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            times[label].append((wall, cpu))
    for label, _ in commands:
        walls = [w for w, _ in times[label]]
        cpus = [c for _, c in times[label]]
        print(
            f"{label:24s} wall {statistics.median(walls):.3f} s (min {min(walls):.3f})"
            f"  cpu {statistics.median(cpus):.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
