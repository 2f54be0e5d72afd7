"""check_invariants and ``clipcart ledger check``: healthy books pass, broken ones are named.

No service can break the books, so the broken cases tamper with the tables directly:
that is the corruption the check exists to catch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import text
from sqlalchemy.orm import Session

from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from tests.ledger_helpers import fund, move, usd


def _books(db) -> ledger.Operation:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        fund(session, codes.ESCROW, usd(1_000))
        return ledger.hold(session, key="hold:1", kind="settlement", reference="order:1",
                           transfers=[move(codes.ESCROW, codes.seller_pending(2), usd(400))])


def _tamper(db, sql: str, **params) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _check(db) -> list[str]:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return ledger.check_invariants(session)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clipcart.cli", *args], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def test_healthy_books_pass_every_check(db):
    _books(db)
    assert _check(db) == []


def test_an_edited_balance_is_reported_twice_over(db):
    _books(db)
    _tamper(db, "UPDATE ledger_accounts SET balance = balance + 7 WHERE code = 'escrow'")
    assert _check(db) == ["USD: posted balances sum to 7, not 0",
                          "escrow USD: balance 1007 but posted transfers sum to 1000"]


def test_edited_pending_figures_are_reported(db):
    _books(db)
    _tamper(db, "UPDATE ledger_accounts SET pending_credits = 0 WHERE code = :code",
            code=codes.seller_pending(2))
    assert _check(db) == [
        "USD: pending debits 400 differ from pending credits 0",
        "seller:2:pending USD: pending credits 0 but pending transfers bring 400"]


def test_a_transfer_edited_behind_the_ledgers_back_is_reported(db):
    held = _books(db)
    _tamper(db, "UPDATE ledger_transfers SET status = 'VOIDED' WHERE id = :id",
            id=held.transfers[0].id)
    problems = _check(db)
    tid = held.transfers[0].id
    assert f"transfer {tid} is VOIDED but its operation is PENDING" in problems
    assert f"transfer {tid} is VOIDED but its history does not end there" in problems
    assert "escrow USD: pending debits 400 but pending transfers hold 0" in problems


def test_an_overdrawn_protected_account_is_reported(db):
    _books(db)
    # The CHECK constraint forbids this state, so lift it inside a transaction that is
    # rolled back (DDL is transactional on PostgreSQL; SQLite has a pragma).
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
            conn.commit()
        try:
            with conn.begin() as tx:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("ALTER TABLE ledger_accounts DROP CONSTRAINT "
                                         "ck_ledger_accounts_available_not_negative")
                conn.exec_driver_sql("UPDATE ledger_accounts SET balance = 300 "
                                     "WHERE code = 'escrow'")
                with Session(bind=conn) as session:
                    problems = ledger.check_invariants(session)
                tx.rollback()
        finally:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
                conn.commit()
    assert "escrow USD: available -100 is below zero and the account may not go negative" \
        in problems
    assert _check(db) == []


def test_the_check_command_passes_on_healthy_books(db):
    _books(db)
    result = _cli("ledger", "check", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"ok": True, "problems": [], "accounts": 3,
                                         "currencies": ["USD"]}
    human = _cli("ledger", "check")
    assert human.returncode == 0
    assert "The ledger is consistent: 3 account(s) in 1 currency" in human.stdout


def test_the_check_command_names_what_is_wrong_and_exits_1(db):
    _books(db)
    _tamper(db, "UPDATE ledger_accounts SET balance = balance + 7 WHERE code = 'escrow'")
    result = _cli("ledger", "check", "--json")
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["ok"] is False
    assert answer["problems"][0] == "USD: posted balances sum to 7, not 0"
    human = _cli("ledger", "check")
    assert human.returncode == 1
    assert "The ledger has 2 problem(s):" in human.stdout


def test_the_ledger_commands_have_help():
    result = _cli("ledger", "check", "--help")
    assert result.returncode == 0
    assert "exit 1 when the books are wrong" in result.stdout
