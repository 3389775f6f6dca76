"""The asyncio hooks of `asynclint run` (see the package docstring). Imported once `asyncio` is.

The hot paths are one Python call per task (the task factory: a counter; a done callback and
the creation site for the first 1000 tasks of a loop and one in 32 after) and one per queue
put. Events leave the process as per-site snapshots, not one per task, sent by the watchdog
thread, which sleeps until a loop could be blocked.
"""

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.queues
import asyncio.runners
import asyncio.tasks
import atexit
import contextvars
import functools
import json
import os
import socket
import sys
import threading
import time
import warnings
import weakref

_monotonic = time.monotonic
_getframe = sys._getframe
_get_ident = threading.get_ident
# Done callbacks run in this empty context instead of a copy of the caller's.
_CONTEXT = contextvars.Context()
_HAS_POSITIONS = sys.version_info >= (3, 11)

_interval = 0.05
_threshold = 0.1
_tick = 0.005  # the shortest sleep of the watchdog
_flush_every = 0.5
_origin_depth = 0

_started = False
_pid = os.getpid()
_sock = None
_dead = False
_final = False
_out = []
# Re-entrant: a finaliser run by the garbage collector inside a flush may emit (and, after
# exit, flush) again on the same thread.
_send_lock = threading.RLock()
_thread = None
_wakeup = threading.Event()

_next_id = [0]


def _new_id():
    _next_id[0] += 1
    return _next_id[0]


# --- where code lives ---------------------------------------------------------------------------

_INTERNAL = 0  # asyncio itself, this monitor, `<frozen ...>`, `<string>`
_LIBRARY = 1  # the standard library and installed packages
_USER = 2  # everything else: the program's own files

_kinds = {}
_internal_dirs = ()
_library_dirs = ()


def _init_dirs():
    global _internal_dirs, _library_dirs
    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    asyncio_dir = os.path.dirname(os.path.abspath(asyncio.__file__)) + os.sep
    stdlib = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
    _internal_dirs = (here, asyncio_dir)
    _library_dirs = (stdlib,)


def _kind(filename):
    kind = _kinds.get(filename)
    if kind is None:
        kind = _kinds[filename] = _classify(filename)
    return kind


def _classify(filename):
    if not filename or filename[0] == "<":
        return _INTERNAL
    path = filename if os.path.isabs(filename) else os.path.abspath(filename)
    if path.startswith(_internal_dirs):
        return _INTERNAL
    if path.startswith(_library_dirs):
        return _LIBRARY
    if "site-packages" in path or "dist-packages" in path:
        return _LIBRARY
    return _USER


def _user_frame(frame):
    """The innermost frame of the program's own code, else of a library (never asyncio's)."""
    fallback = None
    depth = 0
    while frame is not None and depth < 40:
        kind = _kind(frame.f_code.co_filename)
        if kind == _USER:
            return frame
        if kind == _LIBRARY and fallback is None:
            fallback = frame
        frame = frame.f_back
        depth += 1
    return fallback


def _qualname(code):
    return getattr(code, "co_qualname", code.co_name)


def _positions(code, lasti):
    """(line, end_line, col, end_col) of the instruction at `lasti` (3.11+), else None."""
    if not _HAS_POSITIONS or lasti < 0:
        return None
    try:
        index = lasti // 2
        for i, position in enumerate(code.co_positions()):
            if i == index:
                if None in position:
                    return None
                return list(position)
    except Exception:
        pass
    return None


def _frame_info(frame):
    code = frame.f_code
    filename = code.co_filename
    info = {
        "file": filename,
        "line": frame.f_lineno or code.co_firstlineno,
        "func": _qualname(code),
        "kind": _kind(filename),
    }
    position = _positions(code, frame.f_lasti)
    if position is not None:
        info["pos"] = position
    return info


# The event loop's own frames: a captured stack stops there (what called the loop is not
# what blocked it).
_LOOP_FUNCS = frozenset(["_run", "_run_once", "run_forever", "run_until_complete", "run"])


def _stack(frame, limit=48):
    frames = []
    while frame is not None and len(frames) < limit:
        code = frame.f_code
        filename = code.co_filename
        if code.co_name in _LOOP_FUNCS and (
            filename.startswith(_internal_dirs) or filename.endswith("uvloop/__init__.py")
        ):
            break
        if not filename.startswith(_internal_dirs[:1]):
            frames.append(_frame_info(frame))
        frame = frame.f_back
    return frames


def _coroutine_stack(coro):
    """Where a suspended coroutine chain waits, innermost first."""
    frames = []
    while coro is not None and len(frames) < 32:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        frames.append(_frame_info(frame))
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    frames.reverse()
    return frames


def _traceback_frames(tb):
    frames = []
    while tb is not None and len(frames) < 64:
        code = tb.tb_frame.f_code
        frames.append(
            {
                "file": code.co_filename,
                "line": tb.tb_lineno,
                "func": _qualname(code),
                "kind": _kind(code.co_filename),
            }
        )
        tb = tb.tb_next
    frames.reverse()
    return frames[:24]


def _coro_name(coro):
    name = getattr(coro, "__qualname__", None)
    if isinstance(name, str):
        return name
    return type(coro).__name__


def _emit(event):
    if _dead:
        return
    _out.append(event)
    if _final:
        _flush()


# --- sites --------------------------------------------------------------------------------------


class _Site:
    """Where something was created: one instruction of one code object (from a frame), or
    one line (from a coroutine's `cr_origin`)."""

    __slots__ = ("id", "code", "file", "line", "pos", "func", "dirty")

    def __init__(self, frame=None, origin=None):
        self.id = _new_id()
        self.dirty = True
        if frame is None:
            self.code = None
            self.file, self.line, self.func = origin
            self.pos = None
            return
        code = frame.f_code
        # Holding the code object keeps its id (part of the site key) unique.
        self.code = code
        self.file = code.co_filename
        self.line = frame.f_lineno or code.co_firstlineno
        self.pos = _positions(code, frame.f_lasti)
        self.func = _qualname(code)

    def __repr__(self):
        return "<asynclint run>"

    def base(self, kind):
        event = {
            "type": kind,
            "site": self.id,
            "file": self.file,
            "line": self.line,
            "func": self.func,
            "kind": _kind(self.file),
        }
        if self.pos is not None:
            event["pos"] = self.pos
        return event


class _TaskSite(_Site):
    """The tasks created at one place: the innermost frame of the program's own code when the
    task factory ran, or (with coroutine origin tracking) the line that created the task's
    coroutine, which is nearly always the same line (`create_task(fetch(url))`)."""

    __slots__ = ("coro", "coro_code", "created", "done", "cancelled", "failed", "total", "max")

    def __init__(self, frame, coro, origin=None):
        _Site.__init__(self, frame, origin)
        self.coro = _coro_name(coro)
        self.coro_code = getattr(coro, "cr_code", None)
        # Counted when the task finishes, or when it is reported still pending.
        self.created = 0
        self.done = 0
        self.cancelled = 0
        self.failed = 0
        self.total = 0.0
        self.max = 0.0

    def snapshot(self):
        event = self.base("task_site")
        event.update(
            coro=self.coro,
            created=self.created,
            done=self.done,
            cancelled=self.cancelled,
            failed=self.failed,
            total_ms=round(self.total * 1000.0, 3),
            max_ms=round(self.max * 1000.0, 3),
        )
        return event


class _QueueSite(_Site):
    __slots__ = ("cls", "maxsize", "queues", "puts", "hwm")

    def __init__(self, frame, queue):
        _Site.__init__(self, frame)
        self.cls = type(queue).__name__
        self.maxsize = getattr(queue, "_maxsize", 0)
        self.queues = 0
        self.puts = 0
        self.hwm = 0

    def snapshot(self):
        event = self.base("queue_site")
        event.update(
            cls=self.cls, maxsize=self.maxsize, queues=self.queues, puts=self.puts, hwm=self.hwm
        )
        return event


_task_sites = {}
_queue_sites = {}


def _site_for(table, frame, make, arg):
    frame = _user_frame(frame)
    if frame is None:
        return None
    code = frame.f_code
    key = (id(code), frame.f_lasti)
    site = table.get(key)
    if site is None:
        site = table[key] = make(frame, arg)
    return site


# --- loops --------------------------------------------------------------------------------------


class _LoopState:
    __slots__ = (
        "id",
        "ref",
        "thread",
        "running",
        "attached",
        "inner_factory",
        "factory",
        "handle",
        "due",
        "episode",
        "captured",
        "captured_episode",
        "captured_late",
        "active",
        "peak",
        "created",
        "scan_at",
        "max_lag",
        "beats",
        "blocks",
        "samples",
        "__weakref__",
    )

    def __init__(self, loop):
        self.id = _new_id()
        try:
            self.ref = weakref.ref(loop)
        except TypeError:
            # Never expected: keep the loop for the monitor's lifetime rather than lose it.
            self.ref = lambda loop=loop: loop
        self.thread = None
        self.running = False
        self.attached = False
        self.inner_factory = None
        self.factory = None
        self.handle = None
        self.due = 0.0
        self.episode = 0
        self.captured = None
        self.captured_episode = -1
        self.captured_late = False
        self.active = 0
        self.peak = 0
        self.created = 0
        self.scan_at = 0
        self.max_lag = 0.0
        self.beats = 0
        self.blocks = 0
        self.samples = []

    def __repr__(self):
        return "<asynclint run>"

    def resume(self, loop, thread):
        self.thread = thread
        if not self.attached:
            self.attach(loop)
        if self.handle is not None:
            self.handle.cancel()
        self.episode += 1
        now = _monotonic()
        self.due = now + _interval
        self.samples.append((round(now, 4), 0.0, self.active))
        self.handle = loop.call_later(_interval, self.beat)
        self.running = True
        # The watchdog may be asleep until the next flush: it must plan for this loop now.
        _wakeup.set()
        _enable_origin_tracking()

    def pause(self):
        self.running = False
        self.episode += 1
        if self.handle is not None:
            try:
                self.handle.cancel()
            except Exception:
                pass
            self.handle = None

    def attach(self, loop):
        self.factory = _make_factory(self)
        if isinstance(loop, asyncio.base_events.BaseEventLoop):
            self.inner_factory = _orig_get_task_factory(loop)
            _orig_set_task_factory(loop, self.factory)
        else:
            self.inner_factory = loop.get_task_factory()
            # uvloop and other loops: their methods cannot be wrapped, so a factory the
            # program sets later replaces this one (tasks are then no longer counted).
            loop.set_task_factory(self.factory)
            if loop.get_exception_handler() is None:
                loop.set_exception_handler(_fallback_exception_handler)
        self.attached = True
        _emit(
            {
                "type": "loop",
                "loop": self.id,
                "cls": type(loop).__module__ + "." + type(loop).__qualname__,
                "thread": threading.current_thread().name,
                "t": _monotonic(),
            }
        )

    def beat(self):
        now = _monotonic()
        lag = now - self.due
        if lag < 0.0:
            lag = 0.0
        episode = self.episode
        self.episode = episode + 1
        self.beats += 1
        if lag >= _threshold:
            self.blocked(lag, now, episode)
        if lag > self.max_lag:
            self.max_lag = lag
        loop = self.ref()
        if loop is not None and self.beats >= self.scan_at:
            self.count_tasks(loop)
        self.samples.append((round(now, 4), round(lag * 1000.0, 3), self.active))
        self.due = _monotonic() + _interval
        if loop is not None and self.running:
            self.handle = loop.call_later(_interval, self.beat)

    def count_tasks(self, loop):
        """Pending tasks of the loop, for the timeline and the peak. Counting visits every
        task, so with many alive it runs less often: at most ~1% of the loop's time."""
        started = _monotonic()
        try:
            active = len(asyncio.tasks.all_tasks(loop))
        except Exception:
            return
        cost = _monotonic() - started
        self.active = active
        if active > self.peak:
            self.peak = active
        self.scan_at = self.beats + 1 + int(cost * 100.0 / _interval)

    def blocked(self, lag, now, episode):
        self.blocks += 1
        frames = None
        if self.captured_episode == episode:
            frames = self.captured
        self.captured = None
        event = {
            "type": "block",
            "loop": self.id,
            "t": round(now, 4),
            "lag_ms": round(lag * 1000.0, 3),
            "frames": frames,
        }
        if frames is not None and self.captured_late:
            event["late"] = True
        _emit(event)

    def watch(self, now, frames_of):
        """Called by the watchdog: capture the loop thread's stack while it is blocked."""
        if not self.running:
            return frames_of
        late = now - self.due
        episode = self.episode
        if late < _threshold * 0.5:
            return frames_of
        if self.captured_episode == episode and (self.captured_late or late < _threshold):
            return frames_of
        if frames_of is None:
            frames_of = sys._current_frames()
        frame = frames_of.get(self.thread)
        if frame is None:
            return frames_of
        frames = _stack(frame)
        if self.episode == episode and self.running:
            self.captured = frames
            self.captured_episode = episode
            self.captured_late = late >= _threshold
        return frames_of

    def snapshot(self):
        samples, self.samples = self.samples, []
        return {
            "type": "loop_stats",
            "loop": self.id,
            "beats": self.beats,
            "blocks": self.blocks,
            "max_lag_ms": round(self.max_lag * 1000.0, 3),
            "tasks": self.created,
            "peak_tasks": self.peak,
            "active_tasks": self.active,
            "samples": samples,
        }


_states = {}  # id(loop) -> _LoopState
_running = {}  # thread id -> _LoopState of the loop running there


def _state_for(loop):
    state = _states.get(id(loop))
    if state is None or state.ref() is not loop:
        state = _states[id(loop)] = _LoopState(loop)
    return state


def _make_factory(state):
    Task = asyncio.tasks.Task
    monotonic = _monotonic
    partial = functools.partial
    done = _asynclint_task_done
    context = _CONTEXT
    exact = _EXACT_TASKS
    mask = _SAMPLE_EVERY - 1
    by_code = _sites_by_code
    alive = _alive_counter()

    # The hot path of the monitor: one call per task. A done callback costs the loop a whole
    # callback slot (~1.5 us on CPython 3.11, more than a short task itself), and so does the
    # stack walk that finds the creation site; so the first `exact` tasks of a loop get both,
    # later ones one in `_SAMPLE_EVERY` (counted with that weight).
    def task_factory(loop, coro, **kwargs):
        inner = state.inner_factory
        if inner is not None:
            task = inner(loop, coro, **kwargs)
        elif kwargs:
            task = Task(coro, loop=loop, **kwargs)
        else:
            task = Task(coro, loop=loop)
        try:
            created = state.created + 1
            state.created = created
            if created <= exact:
                weight = 1
            elif created & mask:
                # Untracked, but the first task of each coroutine function still has its
                # site learnt, for the reports about single tasks (a lost exception).
                if id(coro.cr_code) not in by_code:
                    _creation_site(coro, _getframe(1))
                return task
            else:
                weight = mask + 1
            # Bursts of short tasks come and go between heartbeats: the peak is also sampled
            # here, as the number of tasks alive (not yet freed) in the process.
            if alive is not None:
                count = alive()
                if count > state.peak:
                    state.peak = count
            site = _creation_site(coro, _getframe(1))
            task.add_done_callback(partial(done, site, monotonic(), weight), context=context)
        except Exception:
            pass
        return task

    return task_factory


def _alive_counter():
    """A cheap count of the tasks alive in the process: the size of asyncio's weak set of
    tasks (3.9-3.11 `_all_tasks`; 3.12+ `_scheduled_tasks` plus `_eager_tasks`)."""
    tasks = asyncio.tasks
    every = getattr(tasks, "_all_tasks", None)
    if every is not None:
        return every.__len__
    scheduled = getattr(tasks, "_scheduled_tasks", None)
    eager = getattr(tasks, "_eager_tasks", None)
    if scheduled is not None and eager is not None:
        return lambda: len(scheduled) + len(eager)
    return None


_EXACT_TASKS = 1000
_SAMPLE_EVERY = 32  # a power of two
_NO_SITE = object()
_sites_by_code = {}  # id(coroutine code) -> the first site seen creating it (or None)
_site_codes = []  # the code objects of those ids, kept alive so the ids stay unique


def _creation_site(coro, frame):
    origin = getattr(coro, "cr_origin", None)
    if origin:
        site = _origin_site(origin, coro)
    else:
        code = getattr(coro, "cr_code", None)
        if (
            code is not None
            and code.co_name in _HOUSEKEEPING
            and _kind(code.co_filename) == _INTERNAL
        ):
            # The loop's own shutdown tasks: counted, no site.
            return None
        site = _site_for(_task_sites, frame, _TaskSite, coro)
    code = getattr(coro, "cr_code", None)
    if code is not None:
        # `None` too: a coroutine function whose tasks have no site is not walked again.
        _sites_by_code.setdefault(id(code), site)
        _site_codes.append(code)
    return site


def _origin_site(origin, coro):
    # The innermost line of the program's own code (origins deeper than one frame can skip a
    # library wrapper), else the line that called the coroutine function.
    where = origin[0]
    if len(origin) > 1:
        for entry in origin:
            if _kind(entry[0]) == _USER:
                where = entry
                break
    site = _task_sites.get(where)
    if site is None:
        if _kind(where[0]) == _INTERNAL:
            # Created inside asyncio itself (the loop's shutdown tasks): counted, no site.
            site = _NO_SITE
        else:
            site = _TaskSite(None, coro, where)
        _task_sites[where] = site
    return None if site is _NO_SITE else site


_HOUSEKEEPING = frozenset(["shutdown_asyncgens", "shutdown_default_executor"])


def _task_site(task):
    """The creation site of any task: from its done callback (a tracked pending task), its
    coroutine's origin, or the site that created tasks of the same coroutine function."""
    try:
        callbacks = task._callbacks or ()
        for entry in callbacks:
            callback = entry[0] if isinstance(entry, tuple) else entry
            if type(callback) is functools.partial and callback.func is _asynclint_task_done:
                return callback.args[0]
        coro = task.get_coro()
        origin = getattr(coro, "cr_origin", None)
        if origin:
            return _origin_site(origin, coro)
        code = getattr(coro, "cr_code", None)
        if code is not None:
            return _sites_by_code.get(id(code))
    except Exception:
        pass
    return None


def _is_tracked(task):
    """Does the task carry our done callback (so it is counted when it finishes)?"""
    try:
        for entry in task._callbacks or ():
            callback = entry[0] if isinstance(entry, tuple) else entry
            if type(callback) is functools.partial and callback.func is _asynclint_task_done:
                return True
    except Exception:
        pass
    return False


def _asynclint_task_done(site, started, weight, task):
    elapsed = _monotonic() - started
    if site is None:
        return
    site.created += weight
    if task.cancelled():
        site.cancelled += weight
    # `_exception` reads the exception without marking it retrieved, unlike `exception()`:
    # the "never retrieved" report must still happen.
    elif getattr(task, "_exception", None) is None:
        site.done += weight
    else:
        site.failed += weight
    site.total += elapsed * weight
    if elapsed > site.max:
        site.max = elapsed
    site.dirty = True


def _site_ref(site):
    if site is None:
        return None
    site.dirty = True
    return site.id


# --- hooks --------------------------------------------------------------------------------------

_orig_set_running_loop = None
_orig_loop_init = None
_orig_set_task_factory = None
_orig_get_task_factory = None
_orig_call_exception_handler = None
_orig_close = None
_orig_cancel_all_tasks = None
_orig_warn_unawaited = None
_orig_queue_init = None
_orig_queue_put_nowait = None


def _set_running_loop(loop):
    _orig_set_running_loop(loop)
    try:
        thread = _get_ident()
        if loop is None:
            state = _running.pop(thread, None)
            if state is not None:
                state.pause()
        else:
            state = _state_for(loop)
            _running[thread] = state
            state.resume(loop, thread)
    except Exception:
        pass


def _loop_init(self, *args, **kwargs):
    _orig_loop_init(self, *args, **kwargs)
    # Attached when created, not when first run: `asyncio.run`'s main task is created
    # before the loop starts.
    try:
        state = _state_for(self)
        if not state.attached:
            state.attach(self)
    except Exception:
        pass


def _set_task_factory(self, factory):
    state = _states.get(id(self))
    if state is not None and state.attached and state.ref() is self:
        if factory is not None and not callable(factory):
            raise TypeError("task factory must be a callable or None")
        state.inner_factory = factory
        return None
    return _orig_set_task_factory(self, factory)


def _get_task_factory(self):
    state = _states.get(id(self))
    if state is not None and state.attached and state.ref() is self:
        return state.inner_factory
    return _orig_get_task_factory(self)


def _call_exception_handler(self, context):
    try:
        _observe_exception_context(self, context)
    except Exception:
        pass
    return _orig_call_exception_handler(self, context)


def _fallback_exception_handler(loop, context):
    try:
        _observe_exception_context(loop, context)
    except Exception:
        pass
    loop.default_exception_handler(context)


def _observe_exception_context(loop, context):
    message = context.get("message") or ""
    if message == "Task was destroyed but it is pending!":
        task = context.get("task")
        if task is None:
            return
        site = _task_site(task)
        if site is not None:
            site.created += 1
        closed = False
        try:
            closed = loop.is_closed()
        except Exception:
            pass
        _emit(
            {
                "type": "task_destroyed",
                "site": _site_ref(site),
                "coro": _coro_name(task.get_coro()),
                "where": _coroutine_stack(task.get_coro()),
                "loop_closed": closed,
                "t": round(_monotonic(), 4),
            }
        )
    elif message.endswith("exception was never retrieved"):
        future = context.get("future")
        if future is None:
            return
        site = _task_site(future)
        exc = context.get("exception")
        text = ""
        try:
            text = str(exc)
        except Exception:
            pass
        coro = None
        try:
            coro = future.get_coro()
        except Exception:
            pass
        _emit(
            {
                "type": "exception_not_retrieved",
                "site": _site_ref(site),
                "coro": _coro_name(coro) if coro is not None else None,
                "exc_type": type(exc).__qualname__ if exc is not None else None,
                "exc_module": type(exc).__module__ if exc is not None else None,
                "exc_msg": text[:300],
                "raised": _traceback_frames(getattr(exc, "__traceback__", None)),
                "t": round(_monotonic(), 4),
            }
        )


def _report_pending(loop, via, main=None):
    now = round(_monotonic(), 4)
    for task in list(asyncio.tasks.all_tasks(loop)):
        if task.done() or (main is not None and task.get_coro() is main):
            continue
        site = _task_site(task)
        if site is not None and not _is_tracked(task):
            site.created += 1
        coro = task.get_coro()
        _emit(
            {
                "type": "pending_at_shutdown",
                "via": via,
                "site": _site_ref(site),
                "coro": _coro_name(coro),
                "where": _coroutine_stack(coro),
                "t": now,
            }
        )


def _cancel_all_tasks(loop):
    try:
        # Before 3.11, a Ctrl-C leaves `asyncio.run`'s main task pending too: that one is
        # interrupted by design, not forgotten.
        main = None
        caller = _getframe(1)
        if caller.f_code.co_name == "run":
            main = caller.f_locals.get("main")
        _report_pending(loop, "asyncio.run", main)
    except Exception:
        pass
    return _orig_cancel_all_tasks(loop)


def _close(self):
    try:
        if not self.is_closed() and not self.is_running():
            _report_pending(self, "loop.close")
        state = _states.pop(id(self), None)
        if state is not None:
            _closed_states.append(state)
    except Exception:
        pass
    return _orig_close(self)


_closed_states = []


def _warn_unawaited(coro):
    """`warnings._warn_unawaited_coroutine` (the same code in CPython 3.9-3.13), which the
    interpreter calls when an unawaited coroutine is destroyed. It is reimplemented rather
    than called, so that `stacklevel=2` still names the program's frame, not this one."""
    try:
        _observe_unawaited(coro, _getframe(1))
    except Exception:
        pass
    msg_lines = ["coroutine '%s' was never awaited\n" % (coro.__qualname__,)]
    origin = coro.cr_origin
    # An origin recorded for asynclint (not asked for by the program) is not printed: the
    # warning reads as it would without asynclint.
    if origin is not None and not (_origin_depth and len(origin) <= _origin_depth):
        import linecache
        import traceback

        def extract():
            for filename, lineno, funcname in reversed(origin):
                line = linecache.getline(filename, lineno)
                yield (filename, lineno, funcname, line)

        msg_lines.append("Coroutine created at (most recent call last)\n")
        msg_lines += traceback.format_list(list(extract()))
    msg = "".join(msg_lines).rstrip("\n")
    warnings.warn(msg, category=RuntimeWarning, stacklevel=2, source=coro)


def _observe_unawaited(coro, frame):
    code = getattr(coro, "cr_code", None)
    origin = getattr(coro, "cr_origin", None)
    if origin:
        frames = [
            {"file": f, "line": line, "func": func, "kind": _kind(f)} for f, line, func in origin
        ]
        from_origin = True
    else:
        # Without an origin, the frame running when the coroutine was dropped: for the
        # usual `fetch()` statement that is the line that called it.
        frames = _stack(frame, limit=16)
        from_origin = False
    event = {
        "type": "unawaited",
        "coro": _coro_name(coro),
        "frames": frames,
        "from_origin": from_origin,
        "t": round(_monotonic(), 4),
    }
    if code is not None:
        event["def_file"] = code.co_filename
        event["def_line"] = code.co_firstlineno
    _emit(event)


_origin_threads = set()


def _enable_origin_tracking():
    if not _origin_depth:
        return
    thread = _get_ident()
    if thread in _origin_threads:
        return
    _origin_threads.add(thread)
    try:
        if sys.get_coroutine_origin_tracking_depth() == 0:
            sys.set_coroutine_origin_tracking_depth(_origin_depth)
    except Exception:
        pass


def _queue_init(self, *args, **kwargs):
    _orig_queue_init(self, *args, **kwargs)
    try:
        site = _site_for(_queue_sites, _getframe(1), _QueueSite, self)
        if site is not None:
            site.queues += 1
            site.dirty = True
            self._asynclint_site = site
    except Exception:
        pass


def _queue_put_nowait(self, item):
    _orig_queue_put_nowait(self, item)
    site = getattr(self, "_asynclint_site", None)
    if site is not None:
        site.puts += 1
        site.dirty = True
        try:
            size = self.qsize()
        except Exception:
            return
        if size > site.hwm:
            site.hwm = size


# --- transport ----------------------------------------------------------------------------------


def _connect():
    global _sock, _dead
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(_config_socket)
    except Exception:
        _dead = True
        return None
    _sock = sock
    _send_lines(
        [
            {
                "type": "hello",
                "protocol": 1,
                "pid": os.getpid(),
                "ppid": os.getppid(),
                "python": "%d.%d.%d" % sys.version_info[:3],
                "executable": sys.executable,
                "argv": list(sys.argv),
                "cwd": os.getcwd(),
                "interval_ms": _interval * 1000.0,
                "threshold_ms": _threshold * 1000.0,
                "t": round(_monotonic(), 4),
            }
        ]
    )
    return sock


def _send_lines(events):
    global _dead
    if _sock is None:
        return
    lines = []
    for event in events:
        try:
            lines.append(json.dumps(event, separators=(",", ":")))
        except Exception:
            # One bad value (never expected) must not cost the rest.
            pass
    try:
        _sock.sendall(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    except Exception:
        _dead = True


def _snapshots():
    events = []
    for table in (_task_sites, _queue_sites):
        for site in list(table.values()):
            if site is not _NO_SITE and site.dirty:
                site.dirty = False
                events.append(site.snapshot())
    for key, state in list(_states.items()):
        if state.ref() is None:
            # Collected without `close()`.
            _states.pop(key, None)
            _closed_states.append(state)
        elif state.attached:
            events.append(state.snapshot())
    for state in _closed_states:
        if state.attached:
            events.append(state.snapshot())
    del _closed_states[:]
    return events


def _flush():
    with _send_lock:
        if _dead:
            return
        if _sock is None and _connect() is None:
            return
        events = _snapshots()
        count = len(_out)
        if count:
            events[:0] = _out[:count]
            del _out[:count]
        if events:
            _send_lines(events)


def _watchdog():
    # Each wake-up takes the GIL from the program, so the thread sleeps until the earliest
    # moment a loop could be half the threshold late (a loop that keeps beating pushes that
    # moment on: ~10 wake-ups a second at the defaults), or the next flush.
    next_flush = _monotonic() + _flush_every
    while not _dead:
        wake = next_flush
        for state in list(_running.values()):
            if not state.running:
                continue
            if state.captured_episode != state.episode:
                at = state.due + _threshold * 0.5
            elif not state.captured_late:
                at = state.due + _threshold
            else:
                continue
            if at < wake:
                wake = at
        _wakeup.wait(max(_tick, wake - _monotonic()))
        _wakeup.clear()
        try:
            now = _monotonic()
            frames_of = None
            for state in list(_running.values()):
                frames_of = state.watch(now, frames_of)
            frames_of = None
            if now >= next_flush:
                next_flush = now + _flush_every
                _flush()
        except Exception:
            pass


def _at_exit():
    global _final
    try:
        _flush()
        _emit({"type": "exit", "t": round(_monotonic(), 4)})
        # Tasks and coroutines finalised after this point are still reported, one by one.
        _final = True
        _flush()
    except Exception:
        pass


def _start_thread():
    global _thread
    _thread = threading.Thread(target=_watchdog, name="asynclint-monitor", daemon=True)
    _thread.start()


def _after_fork():
    global _sock, _dead, _final, _thread, _pid, _out, _send_lock
    _pid = os.getpid()
    # The parent's lock may have been held by its watchdog at the fork; the connection is
    # the parent's (closing this copy leaves the parent's open).
    _send_lock = threading.RLock()
    if _sock is not None:
        try:
            _sock.close()
        except Exception:
            pass
    _sock = None
    _dead = False
    _final = False
    _out = []
    _task_sites.clear()
    _queue_sites.clear()
    _sites_by_code.clear()
    del _site_codes[:]
    _running.clear()
    _states.clear()
    del _closed_states[:]
    _origin_threads.clear()
    # A forked child (multiprocessing's fork start method, pre-fork servers) usually ends with
    # `os._exit()`, which skips `atexit`: send what it saw first.
    if getattr(os._exit, "__wrapped__", None) is None:
        os._exit = functools.wraps(os._exit)(_exit_after_flush(os._exit))
    try:
        _start_thread()
    except Exception:
        pass


def _exit_after_flush(exit):
    def _exit(status):
        _at_exit()
        exit(status)

    return _exit


_config_socket = None


def start(config):
    """Install the hooks (once per process)."""
    global _started, _interval, _threshold, _tick, _origin_depth, _config_socket
    global _orig_set_running_loop, _orig_loop_init, _orig_set_task_factory, _orig_get_task_factory
    global _orig_call_exception_handler, _orig_close, _orig_cancel_all_tasks
    global _orig_warn_unawaited, _orig_queue_init, _orig_queue_put_nowait
    if _started:
        return
    _started = True
    _config_socket = config["socket"]
    _interval = max(0.001, float(config.get("interval_ms", 50)) / 1000.0)
    _threshold = max(0.001, float(config.get("threshold_ms", 100)) / 1000.0)
    _tick = max(0.002, min(_interval, _threshold) / 10.0)
    # Off by default: CPython then records an origin for every coroutine (~0.1-0.2 us each,
    # ~10% of a coroutine-heavy program), only to place unawaited coroutines more precisely.
    _origin_depth = max(0, int(config.get("origin_depth", 0)))
    _init_dirs()

    events = asyncio.events
    _orig_set_running_loop = events._set_running_loop
    events._set_running_loop = _set_running_loop
    asyncio._set_running_loop = _set_running_loop

    base = asyncio.base_events.BaseEventLoop
    _orig_loop_init = base.__init__
    _orig_set_task_factory = base.set_task_factory
    _orig_get_task_factory = base.get_task_factory
    _orig_call_exception_handler = base.call_exception_handler
    _orig_close = base.close
    base.__init__ = functools.wraps(_orig_loop_init)(_loop_init)
    base.set_task_factory = functools.wraps(_orig_set_task_factory)(_set_task_factory)
    base.get_task_factory = functools.wraps(_orig_get_task_factory)(_get_task_factory)
    base.call_exception_handler = functools.wraps(_orig_call_exception_handler)(
        _call_exception_handler
    )
    base.close = functools.wraps(_orig_close)(_close)

    _orig_cancel_all_tasks = getattr(asyncio.runners, "_cancel_all_tasks", None)
    if _orig_cancel_all_tasks is not None:
        asyncio.runners._cancel_all_tasks = _cancel_all_tasks

    _orig_warn_unawaited = getattr(warnings, "_warn_unawaited_coroutine", None)
    if _orig_warn_unawaited is not None:
        warnings._warn_unawaited_coroutine = _warn_unawaited

    queue = asyncio.queues.Queue
    _orig_queue_init = queue.__init__
    _orig_queue_put_nowait = queue.put_nowait
    queue.__init__ = functools.wraps(_orig_queue_init)(_queue_init)
    queue.put_nowait = functools.wraps(_orig_queue_put_nowait)(_queue_put_nowait)

    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)
    _start_thread()
