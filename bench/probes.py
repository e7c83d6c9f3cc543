"""Measuring inside a benchmark's server process, never in the app: an SQLAlchemy
before_cursor_execute counter on every engine, cProfile over CPU time, and a sampling
profiler (SIGPROF every 2 ms of CPU, the running greenlet's stack counted; py-spy's view,
without cProfile's overhead, which inflates what makes many small calls), reached through
/_bench/... paths a WSGI wrapper answers before the app sees them (bench/api_server.py).

The sampler's report, set in the server's environment (bench/api_create.py --sample passes
its own on): BENCH_SAMPLE_LINES, how many functions the inclusive list shows (70);
BENCH_SAMPLE_CALLERS=NAME, for the innermost function whose file:name contains NAME, its
callers three frames up and its direct callees with their shares, to put two runs' (SQLite
and PostgreSQL) costs side by side part by part."""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

statements: Counter[str] = Counter()
_profile: list[cProfile.Profile] = []
_CHECKOUT = re.compile(r"^/work/[^/]+/")  # the worktree's folder, whichever it is
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def _kind(sql: str) -> str:
    """'INSERT ticket_event', 'SELECT ticket', ...: the verb and the first table named."""
    verb = sql.lstrip().split(None, 1)[0].upper()
    table = _TABLE.search(sql)
    return f"{verb} {table.group(1) if table else ''}".strip()


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
    where = "request" if has_request_context() else "background"
    statements[f"{where}: {_kind(sql)}"] += 1


_inclusive: Counter[str] = Counter()
_own: Counter[str] = Counter()
_samples = [0]
_CALLERS_OF = os.environ.get("BENCH_SAMPLE_CALLERS", "")
_callers: Counter[str] = Counter()
_callees: Counter[str] = Counter()


def _where(frame: FrameType) -> str:
    code = frame.f_code
    name = _CHECKOUT.sub("", code.co_filename.rsplit("site-packages/", 1)[-1])
    return f"{name}:{code.co_name}"


def _sample(signum: int, frame: FrameType | None) -> None:
    if frame is None:
        return
    _samples[0] += 1
    _own[_where(frame)] += 1
    seen = set()
    chain = []
    while frame is not None:
        where = _where(frame)
        seen.add(where)
        chain.append(where)
        frame = frame.f_back
    _inclusive.update(seen)
    if _CALLERS_OF:
        for i, where in enumerate(chain):
            if _CALLERS_OF in where:
                _callers[" < ".join(chain[i : i + 4])] += 1
                _callees[chain[i - 1] if i else "(its own code)"] += 1
                break


def _sampled_report() -> str:
    # BENCH_SAMPLE_LINES: more of the inclusive list, to compare two runs' components.
    limit = int(os.environ.get("BENCH_SAMPLE_LINES", "70"))
    total = _samples[0] or 1
    lines = [f"{_samples[0]} samples (2 ms of CPU each); inclusive share, then own share"]
    lines += [f"{n / total * 100:6.1f}%  {k}" for k, n in _inclusive.most_common(limit)]
    lines.append("--- own")
    lines += [f"{n / total * 100:6.1f}%  {k}" for k, n in _own.most_common(30)]
    if _CALLERS_OF:
        lines.append(f"--- callers of {_CALLERS_OF}")
        lines += [f"{n / total * 100:6.1f}%  {k}" for k, n in _callers.most_common(15)]
        lines.append(f"--- what {_CALLERS_OF} calls")
        lines += [f"{n / total * 100:6.1f}%  {k}" for k, n in _callees.most_common(25)]
    return "\n".join(lines)


def _answer(path: str, query: str) -> bytes:
    if path == "/_bench/sample/start":
        _inclusive.clear()
        _own.clear()
        _callers.clear()
        _callees.clear()
        _samples[0] = 0
        signal.signal(signal.SIGPROF, _sample)
        signal.setitimer(signal.ITIMER_PROF, 0.002, 0.002)
        return b"{}"
    if path == "/_bench/sample/stop":
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        return _sampled_report().encode()
    if path == "/_bench/statements":
        return json.dumps(dict(statements)).encode()
    if path == "/_bench/profile/start":
        _profile.clear()
        _profile.append(cProfile.Profile(time.process_time))
        _profile[0].enable()
        return b"{}"
    if path == "/_bench/profile/stop":
        profile = _profile.pop()
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        if query:
            stats.dump_stats(query)  # ?PATH: the raw stats for pstats or snakeviz
        stats.sort_stats("cumulative").print_stats(60)
        return out.getvalue().encode()
    return b"unknown probe"


def with_probes(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_bench/"):
            body = _answer(path, environ.get("QUERY_STRING", ""))
            start_response("200 OK", [("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return wsgi
