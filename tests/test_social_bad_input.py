"""Bad input to social's API gets a clear 4xx and changes nothing; never a 500."""

from __future__ import annotations

import pytest

from clipcart.db import transaction
from clipcart.social.models import Video
from tests.checkout_support import listing
from tests.helpers import bearer, signup
from tests.social_support import clip, upload

BODIES = [b"", b"{", b"[]", b"null", b'{"unknown": 1}', b'{"body": 5}', b'{"status": []}']


@pytest.fixture
def world(client):
    owner = signup(client)
    vid = upload(client, owner["access_token"]).json()["id"]
    return owner["access_token"], owner["user"]["handle"], vid


@pytest.mark.parametrize("body", BODIES)
def test_malformed_json_bodies_are_refused(client, world, body):
    token, _handle, vid = world
    for method, path in [("POST", f"/api/v1/videos/{vid}/comments"),
                         ("PATCH", f"/api/v1/videos/{vid}"),
                         ("POST", f"/api/v1/videos/{vid}/status"),
                         ("POST", f"/api/v1/videos/{vid}/shares"),
                         ("POST", "/api/v1/reports"),
                         ("PATCH", "/api/v1/me/profile"),
                         ("POST", "/api/v1/me/showcase/collections")]:
        answer = client.request(method, path, content=body, headers={
            **bearer(token), "content-type": "application/json"})
        assert 400 <= answer.status_code < 500, (method, path, answer.status_code)
        assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", [
    "/api/v1/videos/not-an-id", "/api/v1/videos/0", "/api/v1/videos/99999999999999999999999",
    "/api/v1/videos/1/comments", "/api/v1/profiles/nobody_here", "/api/v1/profiles/x/videos",
    "/api/v1/profiles/nobody_here/shop", "/videos/abc", "/@", "/@a"])
def test_unknown_things_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_bad_page_tokens_and_sizes_are_refused(client, world):
    _token, handle, vid = world
    assert client.get(f"/api/v1/profiles/{handle}/videos?page_token=zzz").status_code == 400
    assert client.get(f"/api/v1/profiles/{handle}/videos?page_size=0").status_code == 400
    assert client.get(f"/api/v1/videos/{vid}/comments?page_size=101").status_code == 400


def test_uploads_with_missing_or_bad_fields_change_nothing(client, world):
    token, _handle, _vid = world
    no_file = client.post("/api/v1/videos", headers=bearer(token), data={"caption": "x"})
    bad_ids = upload(client, token, extra={"product_ids": "12,abc"})
    bad_vis = upload(client, token, extra={"visibility": "SECRET"})
    long_caption = upload(client, token, caption="x" * 2201)
    for answer in (no_file, bad_ids, bad_vis, long_caption):
        assert answer.status_code == 400, answer.text
    assert bad_ids.json()["code"] == "VALIDATION_ERROR"
    with transaction() as session:
        assert session.query(Video).count() == 1


def test_product_ids_may_be_repeated_fields_or_one_comma_separated_field(client):
    shop = listing(client, price="9.99", skus=1)
    second = listing(client, price="5.00", seller=shop.seller)
    ids = [shop.product_id, second.product_id]
    repeated = upload(client, shop.seller.token, product_ids=ids)
    joined = client.post("/api/v1/videos", headers=bearer(shop.seller.token),
                         data={"product_ids": f"{ids[0]}, {ids[1]}"},
                         files={"file": ("c.mp4", clip(), "video/mp4")})
    for answer in (repeated, joined):
        assert answer.status_code == 201, answer.text
        assert [p["id"] for p in answer.json()["products"]] == [str(i) for i in ids]
