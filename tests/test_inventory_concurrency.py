"""Real concurrency: many threads, and separate processes, racing for the same units.

Both run on SQLite and PostgreSQL. On SQLite the threads and processes queue on the
database's single write lock (BEGIN IMMEDIATE + busy timeout); on PostgreSQL they race on
the stock row, and the conditional UPDATE under the row lock decides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from clipcart import clock
from clipcart.errors import Conflict
from clipcart.inventory import service as inventory
from clipcart.inventory.models import StockLevel, StockReservation, StockReservationLine
from tests.inventory_support import count, level, make_shop, stocked_sku


class Sampler:
    """Reads the stock row over and over while the race runs; remembers the worst seen."""

    def __init__(self, db, sku_id: int, warehouse_id: int) -> None:  # type: ignore[no-untyped-def]
        self.db, self.key = db, (sku_id, warehouse_id)
        self.lowest_available, self.samples = 10**9, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.db.sessions() as session:
                row = session.execute(select(StockLevel.on_hand, StockLevel.reserved).where(
                    StockLevel.sku_id == self.key[0],
                    StockLevel.warehouse_id == self.key[1])).one()
            self.lowest_available = min(self.lowest_available, row.on_hand - row.reserved,
                                        row.on_hand, row.reserved)
            self.samples += 1
            self.stop.wait(0.005)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def test_two_hundred_buyers_for_fifty_units_exactly_fifty_succeed(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 50)
    buyers = 200
    barrier = threading.Barrier(buyers)
    outcomes: list[str] = []

    def buy(i: int) -> None:
        barrier.wait(timeout=60)
        try:
            with db.transaction() as session:
                inventory.reserve(session, reference=f"buyer-{i}", lines=[(sku, 1)],
                                  expires_at=clock.now() + timedelta(minutes=30))
            outcomes.append("held")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # any other failure is a bug; collected and asserted
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(buyers)]
    with Sampler(db, sku, shop.warehouse_id) as sampler:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert Counter(outcomes) == {"held": 50, "OUT_OF_STOCK": 150}
    assert level(db, sku, shop.warehouse_id) == (50, 50)
    assert count(db, StockReservation) == 50
    with db.sessions() as session:
        held = session.execute(select(func.sum(StockReservationLine.quantity))).scalar_one()
    assert held == 50
    assert sampler.samples > 0 and sampler.lowest_available >= 0


CHILD = textwrap.dedent("""
    import json, os, sys, threading, time
    from datetime import timedelta
    from sqlalchemy import text
    import clipcart.handlers, clipcart.jobs
    from clipcart import clock
    from clipcart.db import get_database
    from clipcart.errors import Conflict
    from clipcart.inventory import service as inventory

    sku, attempts, threads, go, tag = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                       sys.argv[4], sys.argv[5])
    db = get_database()
    outcomes, lock = [], threading.Lock()

    def buyer(n):
        for i in range(attempts // threads):
            ref = f"{tag}-{n}-{i}"
            try:
                with db.transaction() as session:
                    inventory.reserve(session, reference=ref, lines=[(sku, 1)],
                                      expires_at=clock.now() + timedelta(minutes=30))
                with db.transaction() as session:
                    inventory.commit_reservation(session, ref)
                outcome = "sold"
            except Conflict as exc:
                outcome = exc.code
            except Exception as exc:
                outcome = repr(exc)
            with lock:
                outcomes.append(outcome)

    with db.sessions() as session:  # connect before the start signal
        session.execute(text("SELECT 1"))
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    pool = [threading.Thread(target=buyer, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print(json.dumps(outcomes), flush=True)
""")


def test_two_processes_hammering_one_sku_sell_exactly_the_stock(db, tmp_path: Path):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 50)
    go = tmp_path / "go"
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, str(sku), "40", "8", str(go), f"proc{n}"],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(2)]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.stderr
        with Sampler(db, sku, shop.warehouse_id) as sampler:
            go.touch()
            answers = [child.communicate(timeout=180) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert [child.returncode for child in children] == [0, 0], [a[1] for a in answers]
    outcomes = Counter(o for out, _ in answers for o in json.loads(out.strip().splitlines()[-1]))
    assert outcomes == {"sold": 50, "OUT_OF_STOCK": 30}
    assert level(db, sku, shop.warehouse_id) == (0, 0)
    assert sampler.lowest_available >= 0
