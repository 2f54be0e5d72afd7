"""What one flash-sale buyer costs, counted rather than timed (load-independent).

Runs the server in this process (uvicorn in a thread, the job consumer in-process, as
``clipcart serve`` does), sends N buyers through the bench's flow one after another, waits
until the outbox and the provider's webhooks are drained, and prints per buyer: HTTP
requests by route, SQL statements, transactions and commits, split by the request (or
job) that ran them, pool pings, statements not found in SQLAlchemy's compiled cache, and
the CPU time of the server and jobs per buyer (this process's, minus the client thread's).
``--pyinstrument`` / ``--yappi`` also write a profile of the whole run.

    PYTHONPATH=$PWD .venv/bin/python -m bench.flow_profile --buyers 20 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import contextvars
import os
import re
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.flash_sale import (
    _buy,
    _buyers,
    _drop,
    _free_port,
    _fresh_database,
    _seed,
)
from bench.load_client import Connection

_where: contextvars.ContextVar[str] = contextvars.ContextVar("where", default="jobs")
_ID = re.compile(r"/(pay_)?\d+")


def _route(path: str) -> str:
    return _ID.sub("/{id}", path)


class _Counting:
    """ASGI wrapper: counts requests per route and tags the SQL they run."""

    def __init__(self, app: Any, requests: Counter[str]) -> None:
        self.app, self.requests = app, requests

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = f"{scope['method']} {_route(scope['path'])}"
        self.requests[route] += 1
        token = _where.set(route)
        try:
            await self.app(scope, receive, send)
        finally:
            _where.reset(token)


def _drive(args: argparse.Namespace, base: str, counting: threading.Event,
           requests: Counter[str]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from clipcart.db import get_database
    from clipcart.events import OutboxEvent
    from clipcart.payments.sandbox.models import PspEvent

    _where.set("bench client (seed, drain wait)")
    with httpx.Client(base_url=base, timeout=60) as http:
        sku = _seed(http, args.buyers if args.units is None else args.units)
        tokens = _buyers(http, args.buyers)
    time.sleep(1.0)
    requests.clear()
    timings: dict[str, list[float]] = {"checkout": [], "payment": []}
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled")
        profiler.start()
    if args.yappi:  # every thread (server, handlers, jobs), CPU time
        import yappi

        yappi.set_clock_type("cpu")
        yappi.start()
    counting.set()
    cpu_started = time.process_time()
    started = time.perf_counter()
    client_started = time.thread_time()  # the buyers' HTTP client runs in this thread
    server = Connection(base)
    outcomes = Counter(_buy(server, t, sku, timings) for t in tokens)
    client_cpu = time.thread_time() - client_started
    flow = time.perf_counter() - started
    db = get_database()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.sessions() as session:
            left = session.execute(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.dispatched_at.is_(None))).scalar_one()
            left += session.execute(select(func.count()).select_from(PspEvent).where(
                PspEvent.delivered_at.is_(None))).scalar_one()
        if not left:
            break
        time.sleep(0.2)
    counting.clear()
    cpu = time.process_time() - cpu_started - client_cpu
    if args.yappi:
        import yappi

        yappi.stop()
        stats = yappi.get_func_stats()
        stats.sort("ttot", "desc")
        stats.save(f"{args.yappi}.pstat", type="pstat")  # callers/callees: python -m pstats
        with open(args.yappi, "w") as out:
            out.write(f"{'ttot s':>8} {'tsub s':>8} {'calls':>8}  function\n")
            for row in list(stats)[:400]:
                out.write(f"{row.ttot:8.3f} {row.tsub:8.3f} {row.ncall:8}  {row.full_name}\n")
            total = sum(t.ttot for t in yappi.get_thread_stats())
            out.write(f"threads' CPU total {total:.3f} s\n")
    if profiler is not None:
        profiler.stop()
        out = Path(args.pyinstrument)
        out.write_text(profiler.output_html() if out.suffix == ".html" else
                       profiler.output_text(unicode=False, show_all=False))
    return {"outcomes": outcomes, "flow": flow, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=20)
    parser.add_argument("--units", type=int, default=None,
                        help="units on sale (default: one per buyer; fewer profiles the "
                             "buyers who find it sold out)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--pyinstrument", metavar="HTML", default=None)
    parser.add_argument("--yappi", metavar="TXT", default=None,
                        help="CPU profile of every thread (pip install yappi)")
    parser.add_argument("--show", metavar="WHERE", default=None,
                        help='print the SQL of one route ("jobs" for the job consumer)')
    parser.add_argument("--show-compiles", action="store_true",
                        help="print the statements not found in the compiled cache")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="clipcart-profile-"))
    url, created = _fresh_database(args.database, data_dir)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update({
        "CLIPCART_DATA_DIR": str(data_dir), "CLIPCART_DATABASE_URL": url,
        "CLIPCART_PASSWORD_PROFILE": "fast", "CLIPCART_JOBS_IN_PROCESS": "1",
        "CLIPCART_LOG_LEVEL": "warning", "CLIPCART_BASE_URL": base,
        "CLIPCART_PSP_BASE_URL": f"{base}/psp-sandbox/v1",
        "CLIPCART_PSP_WEBHOOK_URL": f"{base}/api/v1/payments/webhooks/sandbox",
        "CLIPCART_JOBS_URL": f"sqlite:///{data_dir / 'jobs.db'}"})
    import uvicorn
    from sqlalchemy import event

    import clipcart.handlers
    import clipcart.jobs  # noqa: F401
    from clipcart.app import create_app
    from clipcart.db import get_database
    from clipcart.migrate import upgrade

    upgrade(url)
    requests: Counter[str] = Counter()
    sql: Counter[str] = Counter()
    begins: Counter[str] = Counter()
    commits: Counter[str] = Counter()
    pings: Counter[str] = Counter()
    compiles: Counter[str] = Counter()
    counting = threading.Event()
    shown: list[str] = []
    engine = get_database().engine

    @event.listens_for(engine, "before_cursor_execute")
    def _stmt(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if counting.is_set():
            where = _where.get()
            sql[where] += 1
            if where == args.show and len(shown) < 400:
                shown.append(f"{threading.get_ident() % 10000:5} " +
                             " ".join(statement.split())[:160])

    real_ping = engine.dialect.do_ping

    def _ping(dbapi_conn: Any) -> bool:  # pool pings are not cursor executes: count them here
        if counting.is_set():
            pings[_where.get()] += 1
        return real_ping(dbapi_conn)

    engine.dialect.do_ping = _ping  # type: ignore[method-assign]

    @event.listens_for(engine, "after_cursor_execute")
    def _compiled(_conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        if counting.is_set() and context is not None and context.compiled is not None \
                and context.cache_hit != context.dialect.CACHE_HIT:
            compiles[_where.get()] += 1
            if args.show_compiles and len(shown) < 400:
                shown.append(f"uncached ({context.cache_hit.name}): "
                             + " ".join(statement.split())[:160])

    @event.listens_for(engine, "begin")
    def _begin(*_: Any) -> None:
        if counting.is_set():
            begins[_where.get()] += 1

    @event.listens_for(engine, "commit")
    def _commit(*_: Any) -> None:
        if counting.is_set():
            commits[_where.get()] += 1

    server = uvicorn.Server(uvicorn.Config(_Counting(create_app(run_jobs=True), requests),
                                           host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    result: dict[str, Any] = {}

    def drive() -> None:
        while not server.started:
            time.sleep(0.05)
        try:
            result.update(_drive(args, base, counting, requests))
        finally:
            server.should_exit = True

    threading.Thread(target=drive, daemon=True).start()
    server.run()  # the main thread: the in-process job consumer sets signal handlers
    get_database().dispose()
    if created and args.database:
        _drop(args.database, created)
    if not result:
        raise SystemExit("the profiled run failed")
    outcomes, flow, cpu = result["outcomes"], result["flow"], result["cpu"]
    n = args.buyers
    for line in shown:
        print(line)
    print(f"database: {url.split(':')[0]}; buyers: {n}; outcomes: {dict(outcomes)}; "
          f"sequential flow wall {flow:.2f} s ({flow / n * 1000:.0f} ms per buyer); "
          f"CPU of the server and jobs (this process but the client) "
          f"{cpu / n * 1000:.1f} ms per buyer")
    print(f"{'where':48} {'req':>5} {'sql':>7} {'begin':>6} {'commit':>7} {'ping':>6} "
          f"{'uncached':>8}  (per buyer)")
    for where in sorted(set(requests) | set(sql) | set(commits), key=lambda w: -sql[w]):
        print(f"{where[:48]:48} {requests[where] / n:5.2f} {sql[where] / n:7.2f} "
              f"{begins[where] / n:6.2f} {commits[where] / n:7.2f} {pings[where] / n:6.2f} "
              f"{compiles[where] / n:8.2f}")
    print(f"{'TOTAL':48} {sum(requests.values()) / n:5.2f} {sum(sql.values()) / n:7.2f} "
          f"{sum(begins.values()) / n:6.2f} {sum(commits.values()) / n:7.2f} "
          f"{sum(pings.values()) / n:6.2f} {sum(compiles.values()) / n:8.2f}", flush=True)
    os._exit(0)  # the in-process job consumer's threads would keep the process alive


if __name__ == "__main__":
    main()
