"""A LIVE-style flash sale through HTTP on loopback: N buyers race for K units.

Each buyer adds the SKU to the cart, checks out and pays with the sandbox's success card
(tokenized at the provider). Prints buyers/s, p50/p99 of checkout and payment, oversold
units (must be 0), errors, and for comparison the raw rate of the same hot-row decrement
straight on the database. Runs on SQLite (default, a fresh file) or PostgreSQL
(``--database postgresql+psycopg://...``: a fresh database is created there and dropped).

    .venv/bin/python -m bench.flash_sale --buyers 1000 --units 100 --threads 16
    .venv/bin/python -m bench.flash_sale --servers 2 --jobs redis://127.0.0.1:6379/0 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres

``bench/flow_profile.py`` counts what one buyer costs (requests, SQL, commits).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.load_client import Connection, provider_connection, thread_connection

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2031, "cvc": "737"}
ADDRESS = {"name": "Ada Lovelace", "phone": "+44 20 7946 0000", "line1": "1 High Street",
           "city": "London", "postal_code": "SW1A 1AA", "country": "GB"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fresh_database(url: str | None, data_dir: Path) -> tuple[str, str | None]:
    if not url:
        return f"sqlite:///{data_dir / 'bench.db'}", None
    base = make_url(url)
    name = f"clipcart_bench_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop(url: str, name: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _seed(http: httpx.Client, units: int) -> int:
    """A GB shop with one dress SKU of ``units`` units; the SKU id."""
    from clipcart.db import transaction
    from clipcart.shops.service import create_approved_shop
    from tests.catalog_support import Seller, dress_input, live_product, sync_categories

    email = f"seller{secrets.token_hex(4)}@example.com"
    answer = http.post("/api/v1/auth/signup", json={
        "email": email, "password": "correct horse battery", "handle": f"s_{secrets.token_hex(4)}",
        "country": "GB", "birth_date": "1990-05-17"}).json()
    with transaction() as session:
        shop_id = create_approved_shop(session, email, "Flash Shop", "GB").id
    sync_categories()
    seller = Seller(int(answer["user"]["id"]), email, answer["access_token"], shop_id, "GB")
    product_id = live_product(seller, dress_input(colours=("Red",), sizes=("M",),
                                                  price="9.99", stock=units))
    skus = http.get(f"/api/v1/products/{product_id}",
                    headers={"Authorization": f"Bearer {seller.token}"}).json()["skus"]
    return int(skus[0]["id"])


def _buyers(http: httpx.Client, n: int) -> list[str]:
    tokens = []
    for _ in range(n):
        tag = secrets.token_hex(5)
        answer = http.post("/api/v1/auth/signup", json={
            "email": f"b{tag}@example.com", "password": "correct horse battery",
            "handle": f"b_{tag}", "country": "GB", "birth_date": "1990-05-17"})
        tokens.append(answer.json()["access_token"])
    return tokens


def _cpu_seconds(pids: list[int] | None) -> dict[int, float]:
    """User + system CPU so far of these processes, or of every PostgreSQL process when
    ``pids`` is None (Linux /proc; a process that is gone is left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids or [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]:
        try:
            if pids is None and Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _buy(http: Connection, token: str, sku: int, timings: dict[str, list[float]],
         provider: str | None = None) -> str:
    """One buyer on ``http``: cart line, checkout, then a card token from the provider
    (``provider``'s own process, else the server's mounted provider) and the payment."""
    auth = {"Authorization": f"Bearer {token}"}
    line = http.post("/api/v1/cart/lines", json={"sku_id": str(sku), "quantity": 1,
                                                 "source": {"type": "live"}}, headers=auth)
    if line.status_code == 409 and line.json().get("code") == "OUT_OF_STOCK":
        return "OUT_OF_STOCK"  # sold out already: turned away at "Add to cart"
    if line.status_code != 200:
        return f"cart {line.status_code}"
    started = time.perf_counter()
    made = http.post("/api/v1/checkouts", json={"shipping_address": ADDRESS},
                     headers={**auth, "Idempotency-Key": secrets.token_hex(8)})
    timings["checkout"].append(time.perf_counter() - started)
    if made.status_code == 409 and made.json().get("code") == "OUT_OF_STOCK":
        return "OUT_OF_STOCK"
    if made.status_code != 201:
        return f"checkout {made.status_code}"
    started = time.perf_counter()
    tokenizer = provider_connection(provider) if provider else http
    card = tokenizer.post("/psp-sandbox/v1/tokens", json=CARD).json()["token"]
    paid = http.post(f"/api/v1/checkouts/{made.json()['id']}/payment",
                     json={"payment_token": card},
                     headers={**auth, "Idempotency-Key": secrets.token_hex(8)})
    timings["payment"].append(time.perf_counter() - started)
    timings.setdefault("payment_started", []).append(started)
    if paid.status_code == 200 and paid.json().get("status") == "PAID":
        timings.setdefault("paid_at", []).append(time.perf_counter())
    return str(paid.json().get("status")) if paid.status_code == 200 else \
        f"payment {paid.status_code}"


def _warm_up(bases: list[str], sku: int, tokens: list[str], provider: str | None,
             threads: int) -> None:
    """A few whole buyers before the sale, as many at once as the sale has threads: each
    server has compiled its statements and opened the database connections a burst needs."""
    with ThreadPoolExecutor(threads) as pool:
        outcomes = Counter(pool.map(lambda token: _buy(
            thread_connection(bases), token, sku, {"checkout": [], "payment": []}, provider),
            tokens))
    if set(outcomes) != {"PAID"}:
        raise SystemExit(f"the warm-up buyers did not all pay: {dict(outcomes)}")


def _wait_for_outbox(url: str, seconds: float = 300) -> float:
    """Wait until the jobs have dispatched every outbox event and the provider has delivered
    every webhook; the seconds it took. Before the sale: so that signing the buyers up is
    not measured as part of it. After: how far the jobs lag behind the buyers."""
    engine = create_engine(url)
    started = time.monotonic()
    with engine.connect() as conn:
        while time.monotonic() < started + seconds:
            left = conn.execute(text(
                "SELECT (SELECT COUNT(*) FROM outbox_events WHERE dispatched_at IS NULL) + "
                "(SELECT COUNT(*) FROM psp_events WHERE delivered_at IS NULL)")).scalar_one()
            conn.rollback()
            if not left:
                break
            time.sleep(0.1)
    engine.dispose()
    return time.monotonic() - started


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _hot_row(url: str, seconds: float, threads: int) -> float:
    """Decrements per second of one row by conditional UPDATE, each its own commit."""
    from clipcart.db import make_engine

    engine = make_engine(url, pool_size=threads, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_hot (id INTEGER PRIMARY KEY, qty BIGINT)"))
        conn.execute(text("INSERT INTO bench_hot VALUES (1, 1000000000)"))
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def loop(i: int) -> None:
        with engine.connect() as conn:
            while time.perf_counter() < stop:
                conn.execute(text("UPDATE bench_hot SET qty = qty - 1 WHERE id = 1 AND qty >= 1 "
                                  "RETURNING qty"))
                conn.commit()
                done[i] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    engine.dispose()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--servers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--jobs", default=None, metavar="URL",
                        help="a redis:// or postgresql:// job queue served by a separate "
                             "`clipcart worker` process, as in production (default: a SQLite "
                             "queue per server with the consumer in-process)")
    parser.add_argument("--provider-process", action="store_true",
                        help="run the sandbox payment provider as a process of its own, as a "
                             "real provider is outside the platform (default: each server "
                             "calls the provider mounted in itself)")
    parser.add_argument("--warmup", type=int, default=8, metavar="N",
                        help="before the sale, N buyers per server pay for another SKU, "
                             "--threads at a time (not measured): the sale then meets "
                             "servers that have served payments, as in production, not ones "
                             "that compile each statement and open each database connection "
                             "on first use")
    parser.add_argument("--provider-latency", type=float, default=0, metavar="MS",
                        help="with --provider-process: the platform reaches the provider "
                             "through a proxy that adds MS to every call, as over the "
                             "internet (bench/latency_proxy.py)")
    parser.add_argument("--worker-threads", type=int, default=4)
    parser.add_argument("--worker-nice", type=int, default=0,
                        help="run the --jobs worker at this nice value: the web processes "
                             "get the CPU first in a burst, the jobs catch up after it")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="clipcart-bench-"))
    url, created = _fresh_database(args.database, data_dir)
    env = {**os.environ, "CLIPCART_DATA_DIR": str(data_dir), "CLIPCART_DATABASE_URL": url,
           "CLIPCART_PASSWORD_PROFILE": "fast", "CLIPCART_JOBS_IN_PROCESS": "1",
           "CLIPCART_LOG_LEVEL": "warning"}
    queue = f"bench-{secrets.token_hex(4)}"
    if args.jobs:
        env.update({"CLIPCART_JOBS_URL": args.jobs, "CLIPCART_JOBS_QUEUE": queue,
                    "CLIPCART_JOBS_IN_PROCESS": "0"})
    os.environ.update(env)
    from clipcart.migrate import upgrade

    upgrade(url)
    ports = [_free_port() for _ in range(args.servers + (1 if args.provider_process else 0))]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    provider = bases.pop() if args.provider_process else None
    far_provider, proxy = provider, []  # the provider as the platform reaches it
    if provider and args.provider_latency:
        far_port = _free_port()
        far_provider = f"http://127.0.0.1:{far_port}"
        proxy.append(subprocess.Popen(
            [sys.executable, "-m", "bench.latency_proxy", "--listen", str(far_port),
             "--to", provider.rsplit(":", 1)[1], "--latency-ms", str(args.provider_latency)]))
    procs = [subprocess.Popen(
        [sys.executable, "-m", "clipcart.cli", "serve", "--port", str(p), "--no-migrate"],
        env={**env, "CLIPCART_BASE_URL": f"http://127.0.0.1:{p}",
             # without a provider process each server reaches the provider mounted in itself
             # (it shares the database): one busy server answering every provider call would
             # be the bottleneck
             "CLIPCART_PSP_BASE_URL":
                 f"{far_provider or f'http://127.0.0.1:{p}'}/psp-sandbox/v1",
             "CLIPCART_PSP_WEBHOOK_URL": f"{bases[0]}/api/v1/payments/webhooks/sandbox",
             "CLIPCART_JOBS_URL": args.jobs or f"sqlite:///{data_dir / f'jobs-{p}.db'}"},
        stdout=subprocess.DEVNULL, stderr=(data_dir / f"server-{p}.log").open("w"))
        for p in ports]
    bases_and_provider = bases + ([provider] if provider else [])
    if args.jobs:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "clipcart.cli", "worker", "--workers",
             str(args.worker_threads)],
            env={**env, "CLIPCART_BASE_URL": bases[0],
                 "CLIPCART_PSP_BASE_URL": f"{far_provider or bases[0]}/psp-sandbox/v1",
                 "CLIPCART_PSP_WEBHOOK_URL": f"{bases[0]}/api/v1/payments/webhooks/sandbox"},
            stdout=subprocess.DEVNULL, stderr=(data_dir / "worker.log").open("w"),
            preexec_fn=(lambda: os.nice(args.worker_nice)) if args.worker_nice else None))
    try:
        for base, proc in zip(bases_and_provider, procs[:len(ports)], strict=True):
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server at {base} did not start; see {data_dir}")
        with httpx.Client(base_url=bases[0], timeout=60) as http:
            sku = _seed(http, args.units)
            tokens = _buyers(http, args.buyers)
            if args.warmup:
                _warm_up(bases, _seed(http, args.warmup * len(bases)),
                         _buyers(http, args.warmup * len(bases)), provider, args.threads)
        _wait_for_outbox(url)
        timings: dict[str, list[float]] = {"checkout": [], "payment": []}
        server_pids = [p.pid for p in procs]
        client_before = time.process_time()
        servers_before, pg_before = _cpu_seconds(server_pids), _cpu_seconds(None)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            outcomes = Counter(pool.map(
                lambda token: _buy(thread_connection(bases), token, sku, timings, provider),
                tokens))
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        lag = _wait_for_outbox(url)  # the CPU per buyer includes the jobs' catching up
        servers_after = _cpu_seconds(server_pids)
        web_pids = server_pids[:len(ports)]
        cpu = [spent * 1000 / args.buyers for spent in (
            client_cpu,
            _cpu_spent(servers_before, servers_after),
            _cpu_spent(pg_before, _cpu_seconds(None)) if "postgresql" in url else 0.0,
            _cpu_spent({p: servers_before.get(p, 0.0) for p in web_pids},
                       {p: servers_after[p] for p in web_pids if p in servers_after}))]
        engine = create_engine(url)
        with engine.connect() as conn:
            on_hand, reserved = conn.execute(text(
                "SELECT COALESCE(SUM(on_hand), 0), COALESCE(SUM(reserved), 0) FROM stock_levels "
                "WHERE sku_id = :s"), {"s": sku}).one()
            sold = conn.execute(text(
                "SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN orders o "
                "ON o.id = l.order_id WHERE l.sku_id = :s AND o.status <> 'CANCELLED' "
                "AND o.status <> 'UNPAID'"), {"s": sku}).scalar_one()
        engine.dispose()
        hot = _hot_row(url, 3.0, 1), _hot_row_again(url, args.threads)
    finally:
        for proc in procs + proxy:
            proc.terminate()
        for proc in procs + proxy:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a consumer still finishing a retry
                proc.kill()
                proc.wait()
    if args.jobs and args.jobs.startswith("redis"):
        _forget_queue(args.jobs, queue)
    errors = {k: v for k, v in outcomes.items() if k not in ("PAID", "OUT_OF_STOCK")}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
          f"{platform.release()}; python {platform.python_version()}")
    print(f"database: {make_url(url).get_backend_name()}; servers: {args.servers}; "
          f"client threads: {args.threads}; provider: "
          f"{'own process' if provider else 'in each server'}"
          f"{f', {args.provider_latency:g} ms away' if proxy else ''}; jobs: "
          f"{'worker process on ' + args.jobs.split(':')[0] if args.jobs else 'in-process'}")
    print(f"warm-up: {args.warmup} buyer(s) per server paid for another SKU before the sale, "
          f"{args.threads} at a time")
    print(f"buyers: {args.buyers}  units: {args.units}  paid: {outcomes['PAID']}  "
          f"out of stock: {outcomes['OUT_OF_STOCK']}  errors: {sum(errors.values())} {errors}")
    print(f"buyers/s: {args.buyers / elapsed:.1f}  paid orders/s: "
          f"{outcomes['PAID'] / elapsed:.1f}  (wall {elapsed:.1f} s; the jobs were done "
          f"{lag:.1f} s after the last buyer)")
    selling = max(timings.get("paid_at", [started])) - started
    print(f"the sale itself: the last unit paid {selling:.1f} s after the start "
          f"({outcomes['PAID'] / max(selling, 1e-9):.1f} paid orders/s while units lasted)")
    print(f"checkout p50 {_pct(timings['checkout'], .5):.0f} ms  p99 "
          f"{_pct(timings['checkout'], .99):.0f} ms;  payment p50 "
          f"{_pct(timings['payment'], .5):.0f} ms  p99 {_pct(timings['payment'], .99):.0f} ms")
    slowest = sorted(zip(timings["payment"], timings.get("payment_started", []),
                         strict=True), reverse=True)[:3]
    print("slowest payments: " + ", ".join(
        f"{took * 1000:.0f} ms (sent {(sent - started) * 1000:.0f} ms into the sale)"
        for took, sent in slowest))
    print(f"CPU per buyer: client {cpu[0]:.1f} ms, servers and jobs {cpu[1]:.1f} ms (the "
          f"servers {cpu[3]:.1f}), PostgreSQL {cpu[2]:.1f} ms (2 cores: 100 buyers/s needs "
          "< 20 ms in all)")
    print(f"stock after: on hand {on_hand}, reserved {reserved}; units sold {sold}; "
          f"oversold {max(0, int(sold) - args.units)}")
    print(f"raw hot-row decrements/s: {hot[0]:.0f} (1 connection), {hot[1]:.0f} "
          f"({args.threads} connections)")
    if created and args.database:
        _drop(args.database, created)


def _forget_queue(url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"*{queue}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _hot_row_again(url: str, threads: int) -> float:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_hot"))
    engine.dispose()
    return _hot_row(url, 3.0, threads)


if __name__ == "__main__":
    main()
