"""What the after-sales pages share: labels, reason lists and the time left on a timer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clipcart import clock
from clipcart.aftersales import queries
from clipcart.aftersales.reasons import BUYER_REASONS, PACKAGE_REJECT_REASONS, SELLER_REJECT_REASONS
from clipcart.errors import NotFound
from clipcart.ids import parse_id

ACTIONS = {"SELLER_RESPOND": "Seller to answer", "BUYER_SHIP": "Buyer to send the item",
           "SELLER_CONFIRM_RECEIPT": "Seller to confirm receipt",
           "BUYER_ESCALATE": "Buyer may escalate", "OPERATOR_DECIDE": "Platform to decide"}


def time_left(deadline: datetime | None) -> str:
    """“2 d 5 h left”, “40 min left”, or “due now” for a deadline."""
    if deadline is None:
        return ""
    seconds = int((deadline - clock.now()).total_seconds())
    if seconds <= 0:
        return "due now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h left"
    if hours:
        return f"{hours} h {rest // 60} min left"
    return f"{max(rest // 60, 1)} min left"


def urgent(deadline: datetime | None) -> bool:
    """Less than a day left: the queue shows it in red."""
    return deadline is not None and (deadline - clock.now()).total_seconds() < 86400


def ident(raw: str, what: str = "return") -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def common(**extra: Any) -> dict[str, Any]:
    return {"labels": queries.STATUS_LABELS, "tones": queries.STATUS_TONES,
            "type_labels": queries.TYPE_LABELS, "buyer_reasons": BUYER_REASONS,
            "reject_reasons": SELLER_REJECT_REASONS, "package_reasons": PACKAGE_REJECT_REASONS,
            "all_reasons": BUYER_REASONS | SELLER_REJECT_REASONS | PACKAGE_REJECT_REASONS,
            "actions": ACTIONS, "time_left": time_left, "urgent": urgent, "error": None, **extra}
