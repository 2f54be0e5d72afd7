"""The payout rail: how money leaves the platform for a seller's bank account.

``PayoutRail`` is the seam a real bank or payment-provider integration implements;
``SimulatedRail`` stands in for one, deterministically, by account number:

* ``00000002``: the bank refuses the transfer (FAILED, "account closed");
* ``00000036``: the transfer succeeds, then comes back (RETURNED, "beneficiary account
  closed") the next time its status is checked;
* any other number succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from clipcart.money import Money

FAILING_ACCOUNT = "00000002"
RETURNED_ACCOUNT = "00000036"

RailStatus = Literal["SUCCEEDED", "FAILED", "RETURNED"]


@dataclass(frozen=True)
class PayoutInstruction:
    payout_id: int
    amount: Money
    holder_name: str
    account_number: str
    bank_name: str


@dataclass(frozen=True)
class RailResult:
    status: RailStatus
    reference: str
    reason: str = ""


class PayoutRail(Protocol):
    def send(self, instruction: PayoutInstruction) -> RailResult:
        """Send the money; idempotent by ``instruction.payout_id``."""
        ...

    def status(self, instruction: PayoutInstruction, reference: str) -> RailResult:
        """The transfer's status now (a paid transfer may have been returned)."""
        ...


class SimulatedRail:
    def send(self, instruction: PayoutInstruction) -> RailResult:
        reference = f"sim-{instruction.payout_id}"
        if instruction.account_number == FAILING_ACCOUNT:
            return RailResult("FAILED", reference, "account closed")
        return RailResult("SUCCEEDED", reference)

    def status(self, instruction: PayoutInstruction, reference: str) -> RailResult:
        if instruction.account_number == RETURNED_ACCOUNT:
            return RailResult("RETURNED", reference, "beneficiary account closed")
        return self.send(instruction)


_rail: PayoutRail = SimulatedRail()


def get_rail() -> PayoutRail:
    return _rail


def set_rail(rail: PayoutRail) -> None:
    global _rail
    _rail = rail
