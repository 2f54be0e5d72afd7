"""What shops adds to its own dashboard: the team card and the first checklist steps."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.shops import staff
from clipcart.shops.dashboard import Card, CardRow, Step, register_card, register_steps
from clipcart.shops.models import Shop


@register_card
def team_card(session: Session, shop: Shop) -> Card:
    members, pending = staff.staff_counts(session, shop.id)
    base = f"/seller/{shop.id}/staff"
    colleagues = [m for m in staff.staff_of(session, shop.id) if m.role != "owner"]
    return Card(
        title="Team",
        stats=[CardRow("Staff", str(members), base),
               CardRow("Pending invitations", str(pending), base, "warn" if pending else "")],
        rows=[CardRow(f"@{m.handle}", staff.ROLE_LABELS[m.role]) for m in colleagues[:5]],
        empty="Only you so far. Invite a manager or fulfillment staff to share the work.",
        link=CardRow("Manage staff", "", base),
    )


@register_steps
def shop_steps(session: Session, shop: Shop) -> list[Step]:
    members, pending = staff.staff_counts(session, shop.id)
    settings = f"/seller/{shop.id}/settings"
    return [
        Step("Upload your shop logo", shop.logo_key is not None, settings,
             "Buyers see it on your products and in LIVE."),
        Step("Describe your shop", bool(shop.description.strip()), settings,
             "A line or two about what you sell."),
        Step("Invite your team", members > 1 or pending > 0, f"/seller/{shop.id}/staff",
             "Managers run the shop with you; fulfillment staff pack and ship."),
    ]
