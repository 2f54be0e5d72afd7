"""Deterministic races: a competitor lands between our read and our write, every time.

These need a second writer while the first transaction is open. PostgreSQL allows that;
SQLite takes its write lock at BEGIN IMMEDIATE, so no competitor can ever run between our
read and our update there (it would wait for our commit): the race cannot happen, and the
tests are skipped.
"""

from __future__ import annotations

import threading

import pytest

from clipcart.errors import Conflict
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from tests.ledger_helpers import fund, move, usd
from tests.race_condition import in_thread, once, run_after, run_before, wait_until_blocked

pytestmark = pytest.mark.postgres

VIEWER, CREATOR = 11, 12
WALLET = codes.coins(VIEWER)


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):  # type: ignore[no-untyped-def]
    if not is_postgres:
        pytest.skip("SQLite serializes writers at BEGIN IMMEDIATE: no competitor can land "
                    "between a read and a write")


def _gift(db, key: str, amount: int) -> ledger.Operation:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return ledger.post(session, key=key, kind="coins.gift", reference="live:1",
                           transfers=[move(WALLET, codes.diamonds(CREATOR), usd(amount))])


def _refund_coins(db, key: str, amount: int) -> ledger.Operation:  # type: ignore[no-untyped-def]
    """The competitor: coins refunded to the card, through accounts that already exist
    (a brand-new account would make it wait for our commit on the account's unique key)."""
    with db.transaction() as session:
        return ledger.post(session, key=key, kind="coins.refund", reference="refund:1",
                           transfers=[move(WALLET, codes.EXTERNAL_PSP, usd(amount))])


def test_an_overdraw_landing_between_our_read_and_our_update_makes_ours_fail_cleanly(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(100))
    competitor = once(lambda: in_thread(lambda: _refund_coins(db, "refund:competitor", 70)))
    # Our gift has claimed its key and read its accounts; before it updates them, a
    # competing refund commits and takes 70 of the 100.
    with run_before("clipcart.ledger.locks.apply_changes", competitor), \
            pytest.raises(Conflict) as failure:
        _gift(db, "gift:ours", 80)
    assert failure.value.code == "INSUFFICIENT_FUNDS"
    with db.transaction() as session:
        assert ledger.balance(session, WALLET, "USD") == usd(30)
        assert ledger.balance(session, codes.diamonds(CREATOR), "USD") == usd(0)
        assert ledger.find_operation(session, "gift:ours") is None
        assert ledger.check_invariants(session) == []


def test_an_overdraw_waiting_on_our_row_lock_fails_once_we_commit(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(100))
    outcome: dict[str, object] = {}
    release = threading.Event()

    def rival() -> None:
        try:
            _refund_coins(db, "refund:rival", 80)
        except Conflict as exc:
            outcome["rival"] = exc.code

    def start_rival_and_wait(*_args: object) -> None:
        # We hold the wallet's row lock (our update ran, not yet committed): the rival's
        # conditional UPDATE must wait, then re-check its condition against our result.
        if threading.current_thread() is main:
            worker.start()
            wait_until_blocked(db.engine)
            release.set()

    main = threading.current_thread()
    worker = threading.Thread(target=rival)
    with run_after("clipcart.ledger.locks.apply_changes", start_rival_and_wait):
        _gift(db, "gift:first", 70)
    worker.join(timeout=60)
    assert release.is_set()
    assert outcome == {"rival": "INSUFFICIENT_FUNDS"}
    with db.transaction() as session:
        assert ledger.balance(session, WALLET, "USD") == usd(30)
        assert ledger.check_invariants(session) == []


def test_two_requests_with_one_key_racing_post_once_and_answer_the_same(db):
    answers: dict[str, int] = {}

    def twin() -> None:
        answers["twin"] = _pay(db).id

    def start_twin(*_args: object) -> None:
        # We hold the key's index entry (inserted, not committed): the twin's insert waits.
        if threading.current_thread() is main:
            worker.start()
            wait_until_blocked(db.engine)

    main = threading.current_thread()
    worker = threading.Thread(target=twin)
    with run_after("clipcart.ledger.service._claim_key", start_twin):
        answers["first"] = _pay(db).id
    worker.join(timeout=60)
    assert answers["twin"] == answers["first"]
    with db.transaction() as session:
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(5_000)
        assert ledger.operations_for(session, "order:77")[0].id == answers["first"]
        assert len(ledger.operations_for(session, "order:77")) == 1


def _pay(db) -> ledger.Operation:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return ledger.post(session, key="checkout:77:capture", kind="payment.captured",
                           reference="order:77",
                           transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(5_000))])


def test_a_void_racing_a_post_of_the_same_hold_loses_cleanly(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(100))
        held = ledger.hold(session, key="gift:hold", kind="coins.gift", reference="live:1",
                           transfers=[move(WALLET, codes.diamonds(CREATOR), usd(60))])
    outcome: dict[str, object] = {}

    def voider() -> None:
        try:
            with db.transaction() as session:
                ledger.void_pending(session, held.id)
        except Conflict as exc:
            outcome["void"] = exc.code

    def start_voider(*_args: object) -> None:
        if threading.current_thread() is main:
            worker.start()
            wait_until_blocked(db.engine)

    main = threading.current_thread()
    worker = threading.Thread(target=voider)
    with run_after("clipcart.ledger.service._claim_pending", start_voider), \
            db.transaction() as session:
        posted = ledger.post_pending(session, held.id)
    worker.join(timeout=60)
    assert posted.status == "POSTED"
    assert outcome == {"void": "ALREADY_POSTED"}
    with db.transaction() as session:
        assert ledger.balance(session, WALLET, "USD") == usd(40)
        assert ledger.available(session, WALLET, "USD") == usd(40)
        assert ledger.balance(session, codes.diamonds(CREATOR), "USD") == usd(60)
        assert ledger.check_invariants(session) == []
