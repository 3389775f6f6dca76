#!/usr/bin/env python3
"""Keep the corpus's source files in the page cache while benchmarks run.

On small VMs the kernel drops the pages of recently read files within seconds, so every tool
pays for disk reads in some runs and not in others; the spread between runs is then larger
than the differences measured. This maps every Python and configuration file of the corpus
and locks the pages (`mlock`), then sleeps until killed. Linux only; needs the right to lock
that much memory (root, or a large `ulimit -l`). Used by `PIN=1 bench/compare.sh`.

    python3 bench/pin_corpus.py bench/corpus &
"""

import ctypes
import os
import sys
import time

SUFFIXES = (".py", ".pyi", ".toml", ".cfg", ".ini", ".txt", "ignore")
PROT_READ = 1
MAP_SHARED = 1


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else "bench/corpus"
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    failed = ctypes.c_void_p(-1).value
    files = size = failures = 0
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != "_archives"]
        for name in names:
            if not name.endswith(SUFFIXES):
                continue
            path = os.path.join(directory, name)
            try:
                length = os.path.getsize(path)
                if length == 0:
                    continue
                fd = os.open(path, os.O_RDONLY)
                try:
                    address = libc.mmap(None, length, PROT_READ, MAP_SHARED, fd, 0)
                finally:
                    os.close(fd)
                if address in (None, failed) or libc.mlock(address, length) != 0:
                    failures += 1
                    continue
                files += 1
                size += length
            except OSError:
                failures += 1
    print(
        f"pinned {files} files ({size / 2**20:.0f} MiB) of {root}; {failures} failed",
        file=sys.stderr,
        flush=True,
    )
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
