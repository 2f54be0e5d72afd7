"""A flash sale for real: many buyers at once on a few units, through HTTP.

On PostgreSQL the buyers hit the test's own server and two ``clipcart serve`` processes on
the same database; on SQLite they hit one server process with many threads (SQLite is one
writer per file; the multi-process run is for the database that serves several servers).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from clipcart.orders.models import Order
from tests.browser import _free_port
from tests.checkout_support import ADDRESSES, add, buyer, invariants, listing, stock
from tests.payments_helpers import SUCCEEDS
from tests.payments_helpers import live_psp as live_psp

BUYERS, UNITS = 200, 50


def _one_buyer(base: str, token: str, go: threading.Barrier) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=120) as http:
        go.wait()
        made = http.post("/api/v1/checkouts", json={"shipping_address": ADDRESSES["GB"]},
                         headers={**headers, "Idempotency-Key": secrets.token_hex(8)})
        if made.status_code == 409:
            return "OUT_OF_STOCK" if made.json()["code"] == "OUT_OF_STOCK" else made.text
        if made.status_code != 201:
            return f"checkout {made.status_code}: {made.text[:200]}"
        card = http.post("/psp-sandbox/v1/tokens", json={"number": SUCCEEDS, "exp_month": 12,
                                                         "exp_year": 2031, "cvc": "737"})
        key = secrets.token_hex(8)
        for _ in range(3):  # 503 means the outcome is unknown: the API says retry, same key
            paid = http.post(f"/api/v1/checkouts/{made.json()['id']}/payment",
                             json={"payment_token": card.json()["token"]},
                             headers={**headers, "Idempotency-Key": key})
            if paid.status_code != 503:
                break
        return paid.json().get("status", paid.text) if paid.status_code == 200 else \
            f"payment {paid.status_code}: {paid.text[:200]}"


def _flash_sale(client: Any, db: Any, bases: list[str]) -> None:
    item = listing(client, price="9.99", stock=UNITS)
    sku = item.sku_ids[0]
    tokens = []
    for _ in range(BUYERS):
        who = buyer(client)
        assert add(client, who, sku, 1).status_code == 200
        tokens.append(who.token)
    go = threading.Barrier(BUYERS)  # every buyer's thread is up before the first checkout
    with ThreadPoolExecutor(BUYERS) as pool:
        futures = [pool.submit(_one_buyer, bases[i % len(bases)], t, go)
                   for i, t in enumerate(tokens)]
        outcomes = Counter(f.result() for f in futures)
    assert outcomes == {"PAID": UNITS, "OUT_OF_STOCK": BUYERS - UNITS}, outcomes
    assert stock(db, sku) == (0, 0)
    with db.sessions() as session:
        by_status = dict(session.execute(select(Order.status, func.count())
                                         .group_by(Order.status)).all())
    assert by_status == {"ON_HOLD": UNITS}
    _wait_for_outbox(db)  # the servers' jobs book the captures in escrow
    assert invariants(db) == []


def _wait_for_outbox(db: Any, seconds: float = 60) -> None:
    """Until every outbox event is dispatched: books read while a job posts can disagree."""
    from clipcart.events import OutboxEvent

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.sessions() as session:
            if not session.execute(select(func.count()).select_from(OutboxEvent)
                                   .where(OutboxEvent.dispatched_at.is_(None))).scalar_one():
                return
        time.sleep(0.1)
    raise AssertionError("the outbox was not drained within a minute")


def test_200_buyers_on_50_units_in_one_server(app, client, db, live_psp):
    base, _ = live_psp
    _flash_sale(client, db, [base])


@contextmanager
def _servers(count: int, psp_base: str) -> Iterator[list[str]]:
    ports = [_free_port() for _ in range(count)]
    env = {**os.environ, "CLIPCART_JOBS_IN_PROCESS": "0", "CLIPCART_JOBS_URL": "memory://",
           "CLIPCART_PSP_BASE_URL": f"{psp_base}/psp-sandbox/v1",
           "CLIPCART_PSP_WEBHOOK_URL": f"{psp_base}/api/v1/payments/webhooks/sandbox"}
    procs = [subprocess.Popen(
        [sys.executable, "-m", "clipcart.cli", "serve", "--port", str(port), "--no-migrate"],
        env={**env, "CLIPCART_BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for base in bases:
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "a server did not start"
                time.sleep(0.2)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def test_200_buyers_on_50_units_across_three_server_processes(app, client, db, live_psp,
                                                              is_postgres):
    if not is_postgres:
        pytest.skip("several server processes share one database on PostgreSQL; SQLite "
                    "serves one process (see the single-server test)")
    base, _ = live_psp
    with _servers(2, base) as others:
        _flash_sale(client, db, [base, *others])
