# Written by `asynclint run` into a temporary directory that it puts first on PYTHONPATH.
# It starts the asynclint monitor, then hands over to the `sitecustomize` it shadows (if any),
# as if this one had never been on the path.
import os as _os
import sys as _sys


def _asynclint_start():
    here = _os.path.dirname(_os.path.abspath(__file__))
    try:
        import asynclint_bootstrap

        asynclint_bootstrap.install()
    except Exception:
        # The monitor must never stop the program from starting.
        pass
    # Our directory leaves sys.path (the program sees the path it would see without us), and
    # the next `sitecustomize` on the path runs as it would have. Its own errors propagate to
    # `site`, which reports them as usual.
    _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != here]
    # The import system re-reads `sys.modules["sitecustomize"]` once this file has run: it
    # must hold the shadowed module when there is one, else this one.
    this = _sys.modules.pop("sitecustomize", None)
    try:
        import sitecustomize  # noqa: F401
    except ImportError as exc:
        if exc.name != "sitecustomize":
            raise
        if this is not None:
            _sys.modules["sitecustomize"] = this


_asynclint_start()
del _asynclint_start
