"""Creators' Shop tab: named collections of products they chose, each holding at most
``showcase_collection_max`` (a platform rule in markets.toml) — counted by one conditional
UPDATE, so two concurrent adds never overfill a collection."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.markets import get_markets
from clipcart.social.models import ShowcaseCollection, ShowcaseItem
from clipcart.social.products import ProductCard, live_cards
from clipcart.social.profiles import user_profile

NAME_MAX = 60
MAX_COLLECTIONS = 20


def collection_max() -> int:
    return int(get_markets().rule("showcase_collection_max"))


@dataclass(frozen=True)
class CollectionView:
    id: int
    name: str
    products: list[ProductCard]


def _own(session: Session, user_id: int, collection_id: int) -> ShowcaseCollection:
    me = user_profile(session, user_id)
    found = session.get(ShowcaseCollection, collection_id)
    if found is None or found.profile_id != me.id:
        raise NotFound("No such collection.", code="COLLECTION_NOT_FOUND")
    return found


def create_collection(session: Session, user_id: int, name: str) -> ShowcaseCollection:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= NAME_MAX:
        raise ValidationFailed(f"Collection names are 1 to {NAME_MAX} characters.",
                               field="name")
    me = user_profile(session, user_id)
    count = len(list(session.scalars(select(ShowcaseCollection.id)
                                     .where(ShowcaseCollection.profile_id == me.id))))
    if count >= MAX_COLLECTIONS:
        raise Conflict(f"You can have at most {MAX_COLLECTIONS} collections.",
                       code="TOO_MANY_COLLECTIONS")
    row = ShowcaseCollection(id=new_id(), profile_id=me.id, name=clean, item_count=0,
                             created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("You already have a collection with that name.",
                       code="DUPLICATE_NAME") from exc
    return row


def add_product(session: Session, user_id: int, collection_id: int, product_id: int) -> int:
    """Add a live product to the user's collection; adding it again changes nothing.
    The collection's item count."""
    collection = _own(session, user_id, collection_id)
    if product_id not in live_cards(session, [product_id]):
        raise ValidationFailed("That product is not live.", field="product_id",
                               code="PRODUCT_NOT_LINKABLE")
    limit = collection_max()
    if session.get(ShowcaseItem, (collection.id, product_id)) is not None:
        return collection.item_count
    counted = session.execute(
        update(ShowcaseCollection).where(ShowcaseCollection.id == collection.id,
                                         ShowcaseCollection.item_count < limit)
        .values(item_count=ShowcaseCollection.item_count + 1)
        .returning(ShowcaseCollection.item_count)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if counted is None:
        raise Conflict(f"A collection holds at most {limit} products.", code="COLLECTION_FULL")
    try:
        with session.begin_nested():
            session.execute(insert(ShowcaseItem).values(collection_id=collection.id,
                                                        product_id=product_id,
                                                        added_at=clock.now()))
    except IntegrityError:  # a concurrent add of the same product won
        return int(session.execute(
            update(ShowcaseCollection).where(ShowcaseCollection.id == collection.id)
            .values(item_count=ShowcaseCollection.item_count - 1)
            .returning(ShowcaseCollection.item_count)).scalar_one())
    return int(counted)


def remove_product(session: Session, user_id: int, collection_id: int, product_id: int) -> None:
    collection = _own(session, user_id, collection_id)
    gone = session.execute(delete(ShowcaseItem).where(  # type: ignore[attr-defined]
        ShowcaseItem.collection_id == collection.id, ShowcaseItem.product_id == product_id)
        .execution_options(synchronize_session=False)).rowcount
    if gone:
        session.execute(update(ShowcaseCollection).where(ShowcaseCollection.id == collection.id)
                        .values(item_count=ShowcaseCollection.item_count - 1))


def delete_collection(session: Session, user_id: int, collection_id: int) -> None:
    collection = _own(session, user_id, collection_id)
    session.delete(collection)


def collections(session: Session, profile_id: int) -> list[CollectionView]:
    """A creator's collections with their live products (three queries)."""
    rows = list(session.scalars(select(ShowcaseCollection)
                                .where(ShowcaseCollection.profile_id == profile_id)
                                .order_by(ShowcaseCollection.id)))
    if not rows:
        return []
    items = session.execute(select(ShowcaseItem.collection_id, ShowcaseItem.product_id)
                            .where(ShowcaseItem.collection_id.in_([c.id for c in rows]))
                            .order_by(ShowcaseItem.added_at.desc())).all()
    cards = live_cards(session, [i.product_id for i in items])
    by_collection: dict[int, list[ProductCard]] = {c.id: [] for c in rows}
    for i in items:
        if i.product_id in cards:
            by_collection[i.collection_id].append(cards[i.product_id])
    return [CollectionView(c.id, c.name, by_collection[c.id]) for c in rows]
