"""Small builders for ledger tests: money, transfer specs and funded accounts."""

from __future__ import annotations

import secrets

from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.ledger.service import TransferSpec
from clipcart.money import Money


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def move(debit: str, credit: str, amount: Money, memo: str = "",
         require_funds: bool = False) -> TransferSpec:
    return TransferSpec(debit=debit, credit=credit, amount=amount, memo=memo,
                        require_funds=require_funds)


def key(tag: str = "k") -> str:
    return f"test:{tag}:{secrets.token_hex(6)}"


def fund(session, code: str, amount: Money, reference: str = "topup:1") -> ledger.Operation:  # type: ignore[no-untyped-def]
    """Money arriving from the payment provider into ``code``."""
    return ledger.post(session, key=key("fund"), kind="test.fund", reference=reference,
                       transfers=[move(codes.EXTERNAL_PSP, code, amount)])
