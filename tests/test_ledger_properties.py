"""Property tests: random sequences of ledger operations keep the books exact.

A hypothesis state machine posts, holds, posts and voids holds, replays idempotency keys
and splits settlements across accounts of every family and three currencies, while a plain
Python model predicts every figure. After each step the database must agree with the model
to the minor unit; after each run every invariant must hold.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from clipcart.db import get_database
from clipcart.errors import Conflict
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.ledger.models import LedgerAccount
from clipcart.money import Money
from tests.conftest import _empty_all_tables as empty_all_tables
from tests.ledger_helpers import move

CURRENCIES = ("USD", "VND", "GBP")
_worlds = itertools.count(1)

# (debit index, credit index, amount, currency, require_funds) over the run's 8 accounts;
# the credit index is an offset from the debit one, so the two always differ.
transfer_st = st.tuples(st.integers(0, 7), st.integers(1, 7), st.integers(1, 5_000),
                        st.sampled_from(CURRENCIES), st.sampled_from([False, False, True])
                        ).map(lambda t: (t[0], (t[0] + t[1]) % 8, *t[2:]))
transfers_st = st.lists(transfer_st, min_size=1, max_size=3)
ratios_st = st.tuples(st.integers(1, 1_000), st.lists(st.integers(0, 1_000), max_size=3)
                      ).map(lambda t: [t[0], *t[1]])


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.db = get_database()
        empty_all_tables()  # each run starts from empty books, so runs replay exactly
        w = next(_worlds)
        self.codes = [codes.coins(w), codes.advertiser(w), codes.diamonds(w), codes.ESCROW,
                      codes.seller_available(w), codes.creator_pending(w),
                      codes.EXTERNAL_PSP, codes.PLATFORM_FEES]
        self.model: dict[tuple[str, str], list[int]] = {
            (code, cur): [0, 0, 0] for code in self.codes for cur in CURRENCIES}
        self.world = w
        self.step = itertools.count()
        self.holds: list[tuple[int, list[ledger.TransferSpec]]] = []
        self.finished: dict[int, str] = {}
        self.keys: list[tuple[str, str, list[ledger.TransferSpec], int]] = []

    # the model ------------------------------------------------------------------------
    def _specs(self, raw: list[tuple[int, int, int, str, bool]]) -> list[ledger.TransferSpec]:
        return [move(self.codes[d], self.codes[c], Money(amount, cur), require_funds=rf)
                for d, c, amount, cur, rf in raw]

    def _predict(self, specs: list[ledger.TransferSpec], held: bool) -> bool:
        """Apply specs to the model if the ledger should accept them; say whether it does."""
        deltas: dict[tuple[str, str], list[int]] = {}
        guarded: set[tuple[str, str]] = set()
        for s in specs:
            d, c = (s.debit, s.amount.currency), (s.credit, s.amount.currency)
            deltas.setdefault(d, [0, 0, 0])
            deltas.setdefault(c, [0, 0, 0])
            if held:
                deltas[d][1] += s.amount.minor
                deltas[c][2] += s.amount.minor
            else:
                deltas[d][0] -= s.amount.minor
                deltas[c][0] += s.amount.minor
            if s.require_funds:
                guarded.add(d)
        for key, (db_, dpd, _) in deltas.items():
            bal, pd, _ = self.model[key]
            protected = key in guarded or not codes.may_go_negative(key[0])
            if protected and db_ - dpd < 0 and bal + db_ - (pd + dpd) < 0:
                return False
        for key, delta in deltas.items():
            self.model[key] = [a + b for a, b in zip(self.model[key], delta, strict=True)]
        return True

    def _key(self) -> str:
        return f"prop:{self.world}:{next(self.step)}"

    # rules ----------------------------------------------------------------------------
    @rule(payee=st.integers(0, 5), amount=st.integers(1, 20_000),
          currency=st.sampled_from(CURRENCIES))
    def deposit(self, payee: int, amount: int, currency: str) -> None:
        """Money from outside (always accepted: external accounts may go negative)."""
        self._write([move(codes.EXTERNAL_PSP, self.codes[payee], Money(amount, currency))],
                    held=False)

    @rule(raw=transfers_st)
    def post(self, raw: list[tuple[int, int, int, str, bool]]) -> None:
        self._write(self._specs(raw), held=False)

    @rule(raw=transfers_st)
    def hold(self, raw: list[tuple[int, int, int, str, bool]]) -> None:
        self._write(self._specs(raw), held=True)

    def _write(self, specs: list[ledger.TransferSpec], held: bool) -> None:
        key = self._key()
        accepted = self._predict(specs, held)
        try:
            with self.db.transaction() as session:
                write = ledger.hold if held else ledger.post
                op = write(session, key=key, kind="prop", reference=key, transfers=specs)
        except Conflict as exc:
            assert exc.code == "INSUFFICIENT_FUNDS"
            assert not accepted, f"refused {specs}"
            event("refused: insufficient funds")
            return
        assert accepted, f"accepted {specs}"
        event("held" if held else "posted")
        assert op.status == ("PENDING" if held else "POSTED")
        self.keys.append((key, "hold" if held else "post", specs, op.id))
        if held:
            self.holds.append((op.id, specs))

    @precondition(lambda self: self.holds)
    @rule(pick=st.integers(0, 10_000), post=st.booleans())
    def finish(self, pick: int, post: bool) -> None:
        op_id, specs = self.holds[pick % len(self.holds)]
        target = "POSTED" if post else "VOIDED"
        before = self.finished.get(op_id)
        try:
            with self.db.transaction() as session:
                op = (ledger.post_pending if post else ledger.void_pending)(session, op_id)
        except Conflict as exc:
            assert before is not None and before != target
            assert exc.code == f"ALREADY_{before}"
            return
        assert before in (None, target)
        assert op.status == target
        if before is None:
            self.finished[op_id] = target
            for s in specs:
                d, c = self.model[(s.debit, s.amount.currency)], \
                    self.model[(s.credit, s.amount.currency)]
                d[1] -= s.amount.minor
                c[2] -= s.amount.minor
                if post:
                    d[0] -= s.amount.minor
                    c[0] += s.amount.minor

    @precondition(lambda self: self.keys)
    @rule(pick=st.integers(0, 10_000), tamper=st.booleans())
    def replay(self, pick: int, tamper: bool) -> None:
        key, mode, specs, op_id = self.keys[pick % len(self.keys)]
        if tamper:
            first = specs[0]
            specs = [move(first.debit, first.credit, first.amount.times(2)), *specs[1:]]
        write = ledger.hold if mode == "hold" else ledger.post
        try:
            with self.db.transaction() as session:
                op = write(session, key=key, kind="prop", reference=key, transfers=specs)
        except Conflict as exc:
            assert tamper and exc.code == "IDEMPOTENCY_MISMATCH"
            return
        assert not tamper
        assert op.id == op_id

    @rule(total=st.integers(1, 10**9), ratios=ratios_st, currency=st.sampled_from(CURRENCIES))
    def settle(self, total: int, ratios: list[int], currency: str) -> None:
        """Buyer money through escrow, split by ratios: not one minor unit appears or goes."""
        whole = Money(total, currency)
        parts = whole.allocate(ratios)
        assert sum(p.minor for p in parts) == total
        payees = [codes.seller_available(self.world), codes.PLATFORM_FEES,
                  codes.creator_pending(self.world), codes.diamonds(self.world)]
        specs = [move(codes.EXTERNAL_PSP, codes.ESCROW, whole)] + [
            move(codes.ESCROW, payee, part) for payee, part in zip(payees, parts, strict=False)
            if part.minor > 0]
        assert self._predict(specs, held=False)
        with self.db.transaction() as session:
            ledger.post(session, key=self._key(), kind="settlement", reference="prop",
                        transfers=specs)

    # checks ---------------------------------------------------------------------------
    @invariant()
    def figures_match_the_model(self) -> None:
        with self.db.transaction() as session:
            rows = session.execute(select(LedgerAccount).where(
                LedgerAccount.code.in_(self.codes))).scalars().all()
            found = {(r.code, r.currency): (r.balance, r.pending_debits, r.pending_credits)
                     for r in rows}
            assert all(total.minor == 0 for _, _, total in ledger.currency_totals(session))
        for (code, cur), (bal, pd, pc) in self.model.items():
            assert found.get((code, cur), (0, 0, 0)) == (bal, pd, pc), (code, cur)
            if not codes.may_go_negative(code):
                assert bal - pd >= 0, (code, cur)

    def teardown(self) -> None:
        with self.db.transaction() as session:
            assert ledger.check_invariants(session) == []


LedgerMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_operation_sequences_keep_every_invariant = LedgerMachine.TestCase
