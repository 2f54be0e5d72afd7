"""Demo data: accounts in several markets, so ``clipcart demo`` shows a lived-in platform.

Idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from clipcart.catalog.categories import category_by_path, ensure_categories
from clipcart.catalog.service import OptionInput, ProductInput, SkuInput, find_skus
from clipcart.catalog.submission import create_and_submit
from clipcart.db import get_database
from clipcart.demo_catalog import SHOPS, DemoProduct, DemoShop, local_price
from clipcart.demo_images import product_picture
from clipcart.demo_social import seed_social
from clipcart.identity import service as identity
from clipcart.live.demo import seed_live
from clipcart.shops import service as shops
from clipcart.shops.models import Shop

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
        yield from seed_shops(session)
        yield from seed_social(session, DEMO_PASSWORD, [p.email for p in DEMO_USERS])
        yield from seed_live(session, [_demo_shop(session, spec) for spec in SHOPS])


def _stock(code: str) -> int:
    return 4 + sum(code.encode()) % 60


def _product_input(session: Session, shop: DemoShop, item: DemoProduct) -> ProductInput:
    category = category_by_path(session, item.category)
    assert category is not None, item.category
    names = list(item.options)
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in item.options[name]]
    first = names[0] if names else None
    skus = []
    for combo in combos:
        step = item.options[first].index(combo[first]) if first and len(names) == 1 else 0
        code = "-".join([shop.market, item.key, *(v.split()[0].replace(",", "").upper()
                                                  for v in combo.values())])
        skus.append(SkuInput(code, local_price(item.usd, shop.market, step),
                             attributes=combo, weight_g=300, stock=_stock(code)))
    return ProductInput(title=item.title, description=item.description,
                        brand=item.brand or shop.brand, category_id=category.id,
                        attributes=item.attributes,
                        options=[OptionInput(n, item.options[n]) for n in names], skus=skus)


def _demo_shop(session: Session, spec: DemoShop) -> Shop:
    owner = identity.user_by_email(session, spec.owner_email)
    if owner is None:
        identity.sign_up(session, identity.SignUp(
            email=spec.owner_email, password=DEMO_PASSWORD, handle=spec.owner_handle,
            country=spec.market, birth_date=date(1990, 1, 1), display_name=spec.owner_name))
        owner = identity.user_by_email(session, spec.owner_email)
        assert owner is not None
    for shop, _role in shops.shops_of(session, owner.id):
        if shop.name == spec.name:
            return shop
    return shops.create_approved_shop(session, spec.owner_email, spec.name, spec.market)


def seed_shops(session: Session) -> Iterator[str]:
    """Approved demo shops with live products (images, variants, stock); idempotent."""
    from clipcart.demo_catalog import PRODUCTS

    for spec in SHOPS:
        shop = _demo_shop(session, spec)
        added = 0
        for key in spec.picks:
            item = PRODUCTS[key]
            data = _product_input(session, spec, item)
            if find_skus(session, shop.id, [data.skus[0].seller_sku]):
                continue  # listed by an earlier run
            captions = [" · ".join(v[:3]) for v in item.options.values()]
            images = [product_picture(item.title, n, captions[0] if captions else "")
                      for n in range(2)]
            with session.begin_nested():
                create_and_submit(session, shop, data, images=images,
                                  actor_user_id=shop.owner_user_id)
            added += 1
        yield (f"seller ({spec.market}): {spec.owner_email} / {DEMO_PASSWORD} owns "
               f"{spec.name} ({added} products added, {len(spec.picks)} listed)")
