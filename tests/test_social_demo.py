"""The social demo: creators, clips with posters and anchors, collections, follows and
comments; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from clipcart.db import transaction
from clipcart.demo_social import CREATORS, seed_social
from clipcart.social import service
from clipcart.social.models import Comment, Follow, Video
from tests.checkout_support import listing
from tests.helpers import signup


def _counts() -> tuple[int, int, int]:
    with transaction() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (Video, Comment, Follow))  # type: ignore[return-value]


def test_the_social_demo_seeds_videos_with_anchors_and_is_idempotent(client):
    first = listing(client, price="9.99", shop_name="Camden Loft")
    for _ in range(2):
        listing(client, price="5.00", seller=first.seller)
    fans = [signup(client, country="GB")["email"] for _ in range(4)]
    with transaction() as session:
        lines = list(seed_social(session, "demo-password", fans))
    assert any("/@zoe.styles" in line for line in lines)
    videos, comments, follows = _counts()
    assert videos == 1 + 1 + len(CREATORS)  # the shop's, its owner's, each creator's
    assert comments >= 4 and follows >= len(fans)
    shop_videos = client.get("/api/v1/profiles/camden-loft-official/videos").json()["videos"]
    [video] = [client.get(f"/api/v1/videos/{v['id']}").json() for v in shop_videos]
    assert len(video["products"]) == 2
    assert client.get(video["poster_url"]).content[:3] == b"\xff\xd8\xff"
    tab = client.get("/api/v1/profiles/zoe.styles/shop").json()
    assert [len(c["products"]) for c in tab["collections"]] == [3]
    with transaction() as session:
        list(seed_social(session, "demo-password", fans))
        assert service.profile_by_handle(session, "zoe.styles").video_count == 1
    assert _counts() == (videos, comments, follows)
