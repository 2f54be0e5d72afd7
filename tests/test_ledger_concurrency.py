"""Real threads hammering a few accounts: nothing lost, nothing overdrawn, no deadlock.

On PostgreSQL 32 threads run at once, each in its own connection. SQLite serializes
writers (BEGIN IMMEDIATE), so the same workload runs there with fewer threads: it still
proves that queued writers see each other's results and that nothing leaks.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from clipcart.db import make_engine
from clipcart.errors import Conflict
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.ledger.models import LedgerAccount
from clipcart.money import Money
from tests.ledger_helpers import move

PROTECTED = [codes.coins(1), codes.coins(2), codes.coins(3), codes.advertiser(1), codes.ESCROW]
OVERDRAFTABLE = [codes.seller_available(1), codes.EXTERNAL_PSP]
EVERY = PROTECTED + OVERDRAFTABLE
CURRENCIES = ["USD", "GBP"]
START = 20_000


@pytest.fixture(autouse=True)
def _quiet_outbox(monkeypatch):  # type: ignore[no-untyped-def]
    # Not under test here: each commit would otherwise drain the outbox inline.
    import clipcart.jobs

    monkeypatch.setattr(clipcart.jobs, "kick_outbox", lambda: None)


@dataclass
class Tally:
    moved: Counter[tuple[str, str]] = field(default_factory=Counter)
    posted: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    def record(self, specs: list[ledger.TransferSpec]) -> None:
        for s in specs:
            self.moved[(s.debit, s.amount.currency)] -= s.amount.minor
            self.moved[(s.credit, s.amount.currency)] += s.amount.minor
        self.posted += 1


def _random_specs(rng: random.Random) -> list[ledger.TransferSpec]:
    currency = rng.choice(CURRENCIES)
    specs = []
    for _ in range(rng.choice([1, 1, 2])):
        debit, credit = rng.sample(EVERY, 2)
        specs.append(move(debit, credit, Money(rng.randint(1, 4_000), currency)))
    return specs


def _worker(sessions, n: int, ops: int, tally: Tally, lock: threading.Lock,  # type: ignore[no-untyped-def]
            start: threading.Barrier) -> None:
    rng = random.Random(1_000 + n)
    start.wait()
    for i in range(ops):
        roll = rng.random()
        specs = _random_specs(rng)
        if roll < 0.1:  # a deliberate overdraw of a protected account
            specs = [move(rng.choice(PROTECTED), codes.PLATFORM_FEES,
                          Money(10**9, rng.choice(CURRENCIES)))]
        key = f"conc:{n}:{i}"
        try:
            if roll < 0.3:
                with sessions.begin() as session:
                    held = ledger.hold(session, key=key, kind="test.hold", reference=key,
                                       transfers=specs)
                with sessions.begin() as session:
                    if rng.random() < 0.5:
                        ledger.post_pending(session, held.id)
                    else:
                        ledger.void_pending(session, held.id)
                        specs = []
            else:
                with sessions.begin() as session:
                    ledger.post(session, key=key, kind="test.move", reference=key,
                                transfers=specs)
        except Conflict as exc:
            with lock:
                if exc.code == "INSUFFICIENT_FUNDS":
                    tally.refused += 1
                else:
                    tally.errors.append(f"{exc.code}: {exc.detail}")
            continue
        except Exception as exc:  # a deadlock or any other leak fails the test
            with lock:
                tally.errors.append(repr(exc))
            continue
        with lock:
            tally.record(specs)


def _hammer(threads: int, ops: int) -> None:
    from clipcart.config import get_settings

    url = get_settings().database_url
    extra = {"pool_size": threads + 2, "max_overflow": 0} if url.startswith("postgresql") \
        else {}
    engine = make_engine(url, **extra)
    sessions = sessionmaker(engine, expire_on_commit=False)
    tally, lock = Tally(), threading.Lock()
    funding = [move(codes.EXTERNAL_PSP, code, Money(START, cur))
               for code in [*PROTECTED, codes.seller_available(1)] for cur in CURRENCIES]
    with sessions.begin() as session:
        ledger.post(session, key="conc:fund", kind="test.fund", reference="fund",
                    transfers=funding)
    tally.record(funding)
    start = threading.Barrier(threads)
    workers = [threading.Thread(target=_worker, args=(sessions, n, ops, tally, lock, start))
               for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=600)
    try:
        assert not any(w.is_alive() for w in workers), "a worker hung"
        assert tally.errors == []
        assert tally.posted > threads and tally.refused > threads  # both paths were taken
        with sessions.begin() as session:
            for (code, cur), expected in sorted(tally.moved.items()):
                found = ledger.account(session, code, cur)
                assert found is not None
                assert (code, cur, found.balance.minor, found.available.minor) == (
                    code, cur, expected, expected)
                if code in PROTECTED:
                    assert expected >= 0
            assert ledger.check_invariants(session) == []
            assert session.execute(select(func.count()).select_from(LedgerAccount)
                                   ).scalar_one() == len(tally.moved)
    finally:
        engine.dispose()


def test_many_threads_moving_money_at_random_keep_the_books_exact(is_postgres):
    if is_postgres:
        _hammer(threads=32, ops=30)
    else:
        _hammer(threads=6, ops=15)


def test_threads_opening_the_same_new_account_at_once_share_one_row(db):
    start = threading.Barrier(12)
    failures: list[str] = []

    def first_use(n: int) -> None:
        start.wait()
        try:
            with db.transaction() as session:
                ledger.post(session, key=f"first-use:{n}", kind="coins.recharge",
                            reference=f"recharge:{n}",
                            transfers=[move(codes.EXTERNAL_PSP, codes.coins(500),
                                            Money(100, "SGD"))])
        except Exception as exc:
            failures.append(repr(exc))

    workers = [threading.Thread(target=first_use, args=(n,)) for n in range(12)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert failures == []
    with db.transaction() as session:
        assert ledger.balance(session, codes.coins(500), "SGD") == Money(1_200, "SGD")
        assert ledger.list_accounts(session, prefix="coins:").accounts[0].code == "coins:500"
        assert len(ledger.list_accounts(session).accounts) == 2
        assert ledger.check_invariants(session) == []
