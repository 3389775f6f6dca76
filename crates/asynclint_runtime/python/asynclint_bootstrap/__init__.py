"""The monitor that `asynclint run` injects into the Python processes it starts.

`sitecustomize` calls `install()`. Nothing happens until the program imports `asyncio`; then
every event loop is observed:

- loop lag: a heartbeat (`loop.call_later`) every `interval` measures how late the loop runs
  it; a daemon watchdog thread captures the loop thread's stack (`sys._current_frames`) while
  the loop is still blocked, so the report can name the blocking line;
- tasks: creation site, duration, outcome, peak concurrency (a task factory that wraps any
  factory the program sets), tasks still pending at shutdown, "Task exception was never
  retrieved" and "Task was destroyed but it is pending!";
- coroutines never awaited, with the line that created them;
- `asyncio.Queue` high-water marks per creation site.

Events travel as JSON lines over the Unix socket named in `$ASYNCLINT_RUN`, buffered and sent
by the watchdog thread. Standard library only. The monitor never prints, never keeps a task or
a loop alive, and swallows its own errors: the program must behave exactly as without it.
"""

import os
import sys

PROTOCOL = 1
_CONFIG_ENV = "ASYNCLINT_RUN"

_config = None


def install():
    """Arm the monitor when `$ASYNCLINT_RUN` asks for it (CPython 3.9+ only)."""
    global _config
    if _config is not None:
        return
    if sys.version_info < (3, 9) or sys.implementation.name != "cpython":
        return
    raw = os.environ.get(_CONFIG_ENV)
    if not raw:
        return
    # Parsed when asyncio is imported: a process that never imports it pays nothing more.
    _config = raw
    if "asyncio" in sys.modules:
        _start()
    else:
        sys.meta_path.insert(0, _AsyncioFinder())


class _AsyncioFinder:
    """Starts the monitor right after `asyncio` is first imported: programs that never use
    asyncio pay for one string comparison per import."""

    def find_spec(self, name, path=None, target=None):
        if name != "asyncio":
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        spec = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if find is not None:
                spec = find(name, path, target)
                if spec is not None:
                    break
        if spec is None:
            return None
        loader = spec.loader
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None:
            return spec

        def exec_and_start(module):
            exec_module(module)
            _start()

        try:
            loader.exec_module = exec_and_start
        except Exception:
            pass
        return spec


def _start():
    try:
        import json

        config = json.loads(_config)
        if int(config.get("protocol", 0)) != PROTOCOL or not config.get("socket"):
            return
        from asynclint_bootstrap import _monitor

        _monitor.start(config)
    except Exception:
        pass
