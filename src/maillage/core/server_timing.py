"""Where a request's time went, in a `Server-Timing` response header (off unless the
`SERVER_TIMING` setting is on; docs/configuration.md says why).

Two middleware classes share one per-request record: `ServerTimingMiddleware`, first in
the list, times the whole of Django's work and everything under it; `ViewTimingMiddleware`,
last, times what lies under the middleware stack (URL resolution, the views' hooks, the
view and its template). The header then carries, in milliseconds:

- `app`: Django's whole time for the request, from the outermost middleware in and out;
- `view` and `mw`: the part under the stack, and the rest (the middleware themselves);
- `db`: time inside the database driver's calls, all statements (desc: how many), and
  `dbmax`, the slowest statement;
- `gc`: the garbage collector's pauses during the request (desc: full collections);
- `cpu` and `runq`: the worker thread's time on a core, and its time runnable but waiting
  for one (Linux's /proc/thread-self/schedstat): a request slowed by other work on the
  machine shows a large `runq`, one slowed by its own work a large `cpu`;
- `dbcpu` and `dbrunq`: the same two for the PostgreSQL backend serving the request, when
  it runs on the same machine (its /proc entry readable), from the first statement on;
- `queue`: from the moment a proxy (or the benchmark's client) stamped the request
  (`X-Request-Start: t=<seconds since the epoch>`, nginx's `t=${msec}`) to Django's first
  line: connecting, waiting for a free worker, gunicorn's parsing.
"""

import gc
import threading
import time
from pathlib import Path

from django.db import connection

SCHEDSTAT = Path("/proc/thread-self/schedstat")
_current = threading.local()  # the record of the request this thread is serving, if any


def _schedstat(path: Path = SCHEDSTAT) -> tuple[int, int] | None:
    """(nanoseconds on a core, nanoseconds runnable but waiting) since the thread started:
    this thread's, or another process's."""
    try:
        on_cpu, waiting, _slices = path.read_text().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu), int(waiting)


class _Record:
    __slots__ = (
        "backend",
        "backend_sched",
        "db",
        "db_max",
        "gc",
        "gc_full",
        "gc_started",
        "queries",
        "sched",
        "started",
        "view",
    )

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.sched = _schedstat()
        self.db = self.db_max = self.gc = self.view = 0.0
        self.queries = self.gc_full = 0
        self.gc_started = 0.0
        self.backend: Path | None = None
        self.backend_sched: tuple[int, int] | None = None


def _backend(db_connection) -> Path | None:
    """The schedstat file of the database backend serving this connection (psycopg 3 or 2)."""
    raw = db_connection.connection
    info = getattr(raw, "info", None)
    pid = getattr(info, "backend_pid", None) or getattr(raw, "get_backend_pid", lambda: None)()
    if not pid:
        return None
    return Path(f"/proc/{pid}/schedstat")


def _on_gc(phase: str, info: dict) -> None:
    record = getattr(_current, "record", None)
    if record is None:
        return
    if phase == "start":
        record.gc_started = time.perf_counter()
    elif record.gc_started:
        record.gc += time.perf_counter() - record.gc_started
        record.gc_started = 0.0
        if info.get("generation") == 2:
            record.gc_full += 1


def _timed_execute(execute, sql, params, many, context):
    record = getattr(_current, "record", None)
    if (
        record is not None
        and record.backend is None
        and context["connection"].vendor == ("postgresql")
    ):
        record.backend = _backend(context["connection"])
        if record.backend is not None:
            record.backend_sched = _schedstat(record.backend)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        if record is not None:
            spent = time.perf_counter() - started
            record.db += spent
            record.db_max = max(record.db_max, spent)
            record.queries += 1


def _request_start(meta: dict, now: float) -> float | None:
    """Seconds from the proxy's stamp to now, or None without a usable stamp. nginx writes
    seconds with milliseconds; others write milli- or microseconds: the size tells."""
    value = meta.get("HTTP_X_REQUEST_START", "").removeprefix("t=")
    try:
        stamp = float(value)
    except ValueError:
        return None
    while stamp > 1e11:  # milliseconds or microseconds since the epoch
        stamp /= 1000
    waited = now - stamp
    return waited if 0 <= waited < 3600 else None


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        if _on_gc not in gc.callbacks:
            gc.callbacks.append(_on_gc)

    def __call__(self, request):
        queue = _request_start(request.META, time.time())
        record = _current.record = _Record()
        try:
            with connection.execute_wrapper(_timed_execute):
                response = self.get_response(request)
        finally:
            _current.record = None
        total = time.perf_counter() - record.started
        parts = [
            ("app", total, None),
            ("view", record.view, None),
            ("mw", max(0.0, total - record.view), None),
            ("db", record.db, str(record.queries)),
            ("dbmax", record.db_max, None),
            ("gc", record.gc, str(record.gc_full)),
        ]
        after = _schedstat()
        if record.sched is not None and after is not None:
            parts.append(("cpu", (after[0] - record.sched[0]) / 1e9, None))
            parts.append(("runq", (after[1] - record.sched[1]) / 1e9, None))
        if record.backend is not None and record.backend_sched is not None:
            backend = _schedstat(record.backend)
            if backend is not None:
                parts.append(("dbcpu", (backend[0] - record.backend_sched[0]) / 1e9, None))
                parts.append(("dbrunq", (backend[1] - record.backend_sched[1]) / 1e9, None))
        if queue is not None:
            parts.append(("queue", queue, None))
        response["Server-Timing"] = ", ".join(
            f"{name};dur={seconds * 1000:.2f}" + (f';desc="{desc}"' if desc else "")
            for name, seconds, desc in parts
        )
        return response


class ViewTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            record = getattr(_current, "record", None)
            if record is not None:
                record.view += time.perf_counter() - started
