"""Uploading videos: validated by content, stored with a poster, served with ranges."""

from __future__ import annotations

from tests.checkout_support import listing
from tests.helpers import bearer, signup
from tests.social_support import clip, upload


def test_an_mp4_upload_is_stored_with_a_poster_and_its_product_links(client):
    # given a seller with a live product
    shop = listing(client, price="9.99")
    # when they upload a clip linking it, with hashtags and a mention
    answer = upload(client, shop.seller.token, caption="Summer #linen #Dress by @nobody_here",
                    product_ids=[shop.product_id])
    # then the video is there with its media, poster, tags and product link
    assert answer.status_code == 201, answer.text
    video = answer.json()
    assert video["content_type"] == "video/mp4"
    assert video["duration_ms"] == 1500
    assert (video["width"], video["height"]) == (160, 284)
    assert video["hashtags"] == ["dress", "linen"]
    assert video["mentions"] == []
    assert [p["id"] for p in video["products"]] == [str(shop.product_id)]
    assert video["products"][0]["price"] == {"amount": "9.99", "currency": "GBP"}
    assert video["products"][0]["url"] == \
        f"/products/{shop.product_id}?source=video&source_id={video['id']}"
    poster = client.get(video["poster_url"])
    assert poster.status_code == 200 and poster.content[:3] == b"\xff\xd8\xff"
    again = client.get(f"/api/v1/videos/{video['id']}")
    assert again.status_code == 200 and again.json()["products"] == video["products"]


def test_a_webm_upload_is_accepted(client):
    account = signup(client)
    answer = upload(client, account["access_token"], data=clip(container="webm"),
                    name="x.webm", content_type="video/webm", caption="")
    assert answer.status_code == 201, answer.text
    assert answer.json()["content_type"] == "video/webm"


def test_a_renamed_text_file_is_refused_with_a_clear_error(client):
    account = signup(client)
    answer = upload(client, account["access_token"], data=b"just some text\n" * 50,
                    name="holiday.mp4")
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["code"] == "VIDEO_TYPE"
    assert "not a video" in problem["detail"]
    mine = client.get(f"/api/v1/profiles/{account['user']['handle']}/videos")
    assert mine.json()["videos"] == []


def test_a_truncated_mp4_is_refused_as_incomplete(client):
    account = signup(client)
    whole = clip()
    answer = upload(client, account["access_token"], data=whole[: len(whole) * 2 // 3])
    assert answer.status_code == 400
    assert answer.json()["code"] == "VIDEO_TYPE"
    assert "incomplete" in answer.json()["detail"]


def test_a_video_longer_than_the_configured_limit_is_refused(client, monkeypatch):
    from clipcart.config import reset_settings

    account = signup(client)
    monkeypatch.setenv("CLIPCART_VIDEO_MAX_SECONDS", "1")
    reset_settings()
    try:
        answer = upload(client, account["access_token"])
    finally:
        monkeypatch.delenv("CLIPCART_VIDEO_MAX_SECONDS")
        reset_settings()
    assert answer.status_code == 400
    assert answer.json()["code"] == "VIDEO_TOO_LONG"
    assert answer.json()["detail"] == "Videos may be at most 1 seconds long."


def test_products_of_another_shop_cannot_be_linked(client):
    mine = listing(client, shop_name="Mine")
    theirs = listing(client, shop_name="Theirs")
    answer = upload(client, mine.seller.token, product_ids=[theirs.product_id])
    assert answer.status_code == 400
    assert answer.json()["code"] == "PRODUCT_NOT_LINKABLE"


def test_video_media_is_served_with_byte_ranges(client):
    account = signup(client)
    video = upload(client, account["access_token"]).json()
    whole = client.get(video["media_url"])
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    size = len(whole.content)
    part = client.get(video["media_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.content == whole.content[100:200]
    tail = client.get(video["media_url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    beyond = client.get(video["media_url"], headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


def test_uploading_needs_a_signed_in_user(client):
    answer = client.post("/api/v1/videos", files={"file": ("a.mp4", clip(), "video/mp4")})
    assert answer.status_code == 401


def test_unknown_video_is_not_found(client):
    assert client.get("/api/v1/videos/123").status_code == 404
    assert client.get("/api/v1/videos/abc", headers=bearer("x")).status_code in (401, 404)


def test_the_openapi_document_describes_the_video_upload(client):
    schema = client.get("/schema/openapi.json").json()
    upload_op = schema["paths"]["/api/v1/videos"]["post"]
    assert list(upload_op["requestBody"]["content"]) == ["multipart/form-data"]
    assert "get" in schema["paths"]["/api/v1/videos/{video_id}"]
    assert "put" in schema["paths"]["/api/v1/videos/{video_id}/products"]


def test_media_answers_head_multi_ranges_and_refuses_paths_outside_the_folder(client):
    account = signup(client)
    video = upload(client, account["access_token"]).json()
    size = len(client.get(video["media_url"]).content)
    head = client.head(video["media_url"])
    assert head.status_code == 200 and head.headers["content-length"] == str(size)
    several = client.get(video["media_url"], headers={"Range": "bytes=0-1,5-6"})
    assert several.status_code == 200 and len(several.content) == size
    garbled = client.get(video["media_url"], headers={"Range": "bytes=x-y"})
    assert garbled.status_code == 416
    assert client.get("/media/../secrets/secret_key").status_code == 404
    assert client.get("/media/videos/nothing.mp4").status_code == 404
