"""Demo social data: creators with profiles, short generated clips (posters extracted
like any upload) with product anchors, Shop tab collections, follows and comments.

Idempotent: a profile that already has videos gets none added; follows are unique.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product
from clipcart.identity import service as identity
from clipcart.identity.models import User
from clipcart.shops.models import Shop
from clipcart.social import service as social
from clipcart.social.clips import generate_clip


@dataclass(frozen=True)
class DemoCreator:
    email: str
    handle: str
    name: str
    country: str
    bio: str
    colour: str


CREATORS = [
    DemoCreator("zoe@demo.clipcart.dev", "zoe.styles", "Zoe Carter", "GB",
                "London thrift and linen. Try-ons every Friday.", "#d9467a"),
    DemoCreator("kai@demo.clipcart.dev", "kai.tech", "Kai Lim", "SG",
                "Gadgets under S$100, tested for a week before I say a word.", "#2563eb"),
]
COMMENTS = ["Where is this from?", "Love the colour!", "Does it run small?",
            "Just ordered one!", "Need this for summer"]
REPLIES = ["True to size for me", "It is linked in the video"]


def _user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def _creator(session: Session, spec: DemoCreator, password: str) -> User:
    user = _user(session, spec.email)
    if user is None:
        identity.sign_up(session, identity.SignUp(
            email=spec.email, password=password, handle=spec.handle, country=spec.country,
            birth_date=date(1997, 5, 17), display_name=spec.name))
        user = _user(session, spec.email)
        assert user is not None
    identity.grant_role(session, user.id, "creator")
    social.update_profile(session, user.id, display_name=spec.name, bio=spec.bio)
    return user


def _live_products(session: Session, shop_id: int, limit: int) -> list[int]:
    return list(session.scalars(select(Product.id).where(Product.shop_id == shop_id,
                                                         Product.visible.is_(True))
                                .order_by(Product.id).limit(limit)))


def _post(session: Session, user_id: int, caption: str, colour: str, text: str,
          products: list[int], shop_id: int | None = None) -> int:
    clip = generate_clip(2.0, (180, 320), colour, text, fps=10)
    video = social.upload_video(session, user_id, clip, caption=caption,
                                product_ids=products, shop_id=shop_id)
    return video.id


def _chatter(session: Session, video_id: int, commenters: list[int], seed: int) -> None:
    first = None
    for n, who in enumerate(commenters[:3]):
        comment = social.add_comment(session, who, video_id, COMMENTS[(seed + n) % len(COMMENTS)])
        first = first or comment.id
        social.like(session, who, video_id)
    if first is not None and len(commenters) > 3:
        social.add_comment(session, commenters[3], video_id, REPLIES[seed % len(REPLIES)], first)


def seed_social(session: Session, password: str, buyer_emails: list[str]) -> Iterator[str]:
    """Creators, shop and creator videos with anchors, collections, follows, comments."""
    creators = [_creator(session, spec, password) for spec in CREATORS]
    buyers = [u.id for u in (_user(session, e) for e in buyer_emails) if u is not None]
    audience = buyers + [c.id for c in creators]
    shops = list(session.scalars(select(Shop).where(Shop.status == "APPROVED")
                                 .order_by(Shop.id)))
    posted = 0
    for index, shop in enumerate(shops[:3]):
        profile = social.shop_profile(session, shop.id)
        products = _live_products(session, shop.id, 3)
        if profile.video_count == 0 and products:
            colour = ["#0f766e", "#b45309", "#7c3aed"][index % 3]
            vid = _post(session, shop.owner_user_id,
                        f"New in at {shop.name}: #newin #{shop.market.lower()}deals",
                        colour, shop.name[:14], products[:2], shop_id=shop.id)
            _chatter(session, vid, [u for u in audience if u != shop.owner_user_id], index)
            owner_profile = social.user_profile(session, shop.owner_user_id)
            if owner_profile.video_count == 0:
                _post(session, shop.owner_user_id,
                      f"Packing orders at {shop.name} today #smallbusiness",
                      "#334155", "Packing day", products[2:3])
            posted += 1
        for who in audience:
            if who != shop.owner_user_id:
                social.follow(session, who, profile.id)
    for spec, user in zip(CREATORS, creators, strict=True):
        me = social.user_profile(session, user.id)
        if me.video_count == 0:
            vid = _post(session, user.id, f"Today's picks from @{spec.handle} #haul #fyp",
                        spec.colour, spec.name.split()[0], [])
            _chatter(session, vid, [u for u in audience if u != user.id], len(spec.handle))
            posted += 1
        market_shop = next((s for s in shops if s.market == spec.country), None)
        if market_shop is not None and not social.collections(session, me.id):
            collection = social.create_collection(session, user.id, "My favourites")
            for pid in _live_products(session, market_shop.id, 4):
                social.add_product(session, user.id, collection.id, pid)
        for who in buyers:
            social.follow(session, who, me.id)
        yield (f"creator ({spec.country}): {spec.email} / {password} at /@{spec.handle}")
    yield f"social: {posted} profiles got demo videos"
