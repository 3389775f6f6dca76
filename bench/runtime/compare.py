"""Overhead of `asynclint run`: each workload alternately with and without the monitor.

    python3 bench/runtime/compare.py [--rounds 7] [--asynclint target/release/asynclint]

Prints, per workload, the median wall and CPU time of both and the slowdown. Times are
measured inside the program (interpreter start-up excluded; `asynclint run` adds ~15 ms of
its own around it). CPU time is the process's (the monitor's watchdog thread included); it is
the steadier number on a busy machine. Runs alternate so drifting machine load hits both
sides alike.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def workloads(python):
    yield "tasks: 100k short tasks", [python, os.path.join(HERE, "tasks.py")]
    yield "awaits: 1M awaited coroutine calls", [python, os.path.join(HERE, "awaits.py")]
    yield "echo: HTTP echo, asyncio streams, 20k requests", [python, os.path.join(HERE, "echo.py")]
    probe = subprocess.run([python, "-c", "import aiohttp"], capture_output=True)
    if probe.returncode == 0:
        yield (
            "echo: HTTP echo, aiohttp, 20k requests",
            [
                python,
                os.path.join(HERE, "echo.py"),
                "--aiohttp",
            ],
        )


# asyncio's streams read into 256 KiB buffers; with glibc's default thresholds, whether each
# read mmaps and trims memory depends on what the process allocated before (importing the
# monitor alone flips it and made the plain run 2x slower), so both sides fix them.
ENV = dict(os.environ, MALLOC_MMAP_THRESHOLD_="4194304", MALLOC_TRIM_THRESHOLD_="67108864")


def once(command):
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=ENV).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], result["cpu"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--asynclint", default=os.path.join(ROOT, "target", "release", "asynclint"))
    parser.add_argument(
        "--run-args", default="", help="extra `asynclint run` options, e.g. '--origin-depth 1'"
    )
    args = parser.parse_args()
    monitor = [args.asynclint, "run", "-q", "-o", os.devnull] + args.run_args.split()
    print(
        "| workload | plain wall | monitored wall | wall slowdown "
        "| plain CPU | monitored CPU | CPU slowdown |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, command in workloads(args.python):
        plain, monitored = [], []
        for _ in range(args.rounds):
            plain.append(once(command))
            monitored.append(once(monitor + ["--"] + command))
        pw = statistics.median(p[0] for p in plain)
        mw = statistics.median(m[0] for m in monitored)
        pc = statistics.median(p[1] for p in plain)
        mc = statistics.median(m[1] for m in monitored)
        print(
            "| %s | %.3f s | %.3f s | %+.1f%% | %.3f s | %.3f s | %+.1f%% |"
            % (name, pw, mw, (mw / pw - 1) * 100, pc, mc, (mc / pc - 1) * 100),
            flush=True,
        )
    startup(args.python, monitor, args.rounds)


def startup(python, monitor, rounds):
    """Whole-process wall time of a trivial asyncio program, start-up included."""
    command = [python, "-c", "import asyncio; asyncio.run(asyncio.sleep(0))"]

    def timed(cmd):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, env=ENV)
        return time.perf_counter() - started

    plain, monitored = [], []
    for _ in range(rounds):
        plain.append(timed(command))
        monitored.append(timed(monitor + ["--"] + command))
    pw, mw = statistics.median(plain), statistics.median(monitored)
    print(
        "| start-up: `asyncio.run(asyncio.sleep(0))`, whole process "
        "| %.3f s | %.3f s | +%.0f ms | | | |" % (pw, mw, (mw - pw) * 1000)
    )


if __name__ == "__main__":
    main()
