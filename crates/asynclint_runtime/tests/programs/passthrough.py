"""Writes to stdout and stderr, reads stdin, and exits with the status given on the command line."""

import asyncio
import sys


async def main():
    data = sys.stdin.read()
    print("out: hello")
    print("err: warning", file=sys.stderr)
    sys.stdout.write("stdin had %d bytes\n" % len(data))
    await asyncio.sleep(0)


asyncio.run(main())
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
