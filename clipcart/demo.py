"""Demo data: accounts in several markets, so ``clipcart demo`` shows a lived-in platform.

Idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from clipcart.catalog.categories import ensure_categories
from clipcart.db import get_database
from clipcart.identity import service as identity

DEMO_PASSWORD = "clipcart-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    handle: str
    name: str
    country: str
    birth: date


DEMO_USERS = [
    DemoUser("ana@demo.clipcart.dev", "ana.shops", "Ana Reyes", "PH", date(1996, 4, 12)),
    DemoUser("budi@demo.clipcart.dev", "budi.live", "Budi Santoso", "ID", date(1993, 9, 2)),
    DemoUser("mai@demo.clipcart.dev", "mai.nguyen", "Mai Nguyen", "VN", date(1999, 1, 20)),
    DemoUser("olivia@demo.clipcart.dev", "olivia.finds", "Olivia Brown", "GB", date(1991, 6, 30)),
    DemoUser("jake@demo.clipcart.dev", "jake.deals", "Jake Miller", "US", date(1988, 11, 5)),
    DemoUser("lena@demo.clipcart.dev", "lena.abroad", "Lena Vogel", "DE", date(1995, 3, 14)),
]


def seed() -> Iterator[str]:
    db = get_database()
    with db.transaction() as session:
        yield f"categories: {ensure_categories(session).as_json()}"
        operator = identity.create_operator(session, "operator@demo.clipcart.dev", DEMO_PASSWORD)
        yield f"operator: {operator.email} / {DEMO_PASSWORD}"
        for person in DEMO_USERS:
            if identity.user_by_email(session, person.email) is None:
                identity.sign_up(session, identity.SignUp(
                    email=person.email, password=DEMO_PASSWORD, handle=person.handle,
                    country=person.country, birth_date=person.birth, display_name=person.name))
            yield f"buyer ({person.country}): {person.email} / {DEMO_PASSWORD}"
