"""Social pages over HTTP: profile tabs, video page, studio and Seller Center uploads,
comment moderation through forms."""

from __future__ import annotations

import re

from tests.catalog_support import log_in
from tests.checkout_support import buyer, listing
from tests.helpers import bearer, csrf_form, signup
from tests.social_support import clip, upload


def test_a_profile_page_shows_counts_videos_and_a_follow_button(client):
    star = signup(client)
    handle = star["user"]["handle"]
    vid = upload(client, star["access_token"], caption="Hello #world").json()["id"]
    fan = buyer(client)
    client.post(f"/api/v1/profiles/{handle}/follow", headers=fan.headers)
    page = client.get(f"/@{handle}")
    assert page.status_code == 200
    assert 'data-testid="follower-count">1<' in page.text
    assert f'href="/videos/{vid}"' in page.text
    assert "/static/css/social.css" in page.text
    log_in(client, fan.email)
    mine = client.get(f"/@{handle}")
    assert 'data-testid="unfollow"' in mine.text


def test_unknown_profiles_and_paths_without_an_at_are_not_found(client):
    assert client.get("/@nobody_at_all").status_code == 404
    assert client.get("/nobody_at_all").status_code == 404


def test_the_video_page_plays_the_clip_links_products_and_counts_a_view(client):
    shop = listing(client, price="9.99")
    vid = upload(client, shop.seller.token, caption="Look #linen @ghost",
                 product_ids=[shop.product_id]).json()["id"]
    page = client.get(f"/videos/{vid}")
    assert page.status_code == 200
    assert re.search(r'<source src="/media/videos/[^"]+\.mp4" type="video/mp4">', page.text)
    assert '<a class="tag" href="/search?q=linen">#linen</a>' in page.text
    assert f"/products/{shop.product_id}?source=video&amp;source_id={vid}" in page.text
    assert client.get(f"/api/v1/videos/{vid}").json()["view_count"] == 1


def test_a_comment_posted_on_the_page_can_be_hidden_by_the_owner_on_the_page(client):
    owner = signup(client)
    vid = upload(client, owner["access_token"]).json()["id"]
    fan = buyer(client)
    csrf = log_in(client, fan.email)
    posted = client.post(f"/videos/{vid}/comments", data={"_csrf_token": csrf,
                                                          "body": "Where to buy?"})
    assert posted.status_code == 200 and "Where to buy?" in posted.text
    [cid] = [c["id"] for c in client.get(f"/api/v1/videos/{vid}/comments").json()["comments"]]
    csrf = log_in(client, owner["email"])
    studio = client.get("/studio")
    assert "Where to buy?" in studio.text
    hidden = client.post(f"/comments/{cid}/status", data={"_csrf_token": csrf,
                                                          "status": "HIDDEN"})
    assert hidden.status_code == 200
    assert client.get(f"/api/v1/videos/{vid}/comments").json()["comments"] == []


def test_a_creator_uploads_from_the_studio_and_a_bad_file_shows_the_error(client):
    creator = signup(client)
    csrf = log_in(client, creator["email"])
    bad = client.post("/studio/videos", data={"_csrf_token": csrf, "caption": "oops"},
                      files={"file": ("notes.mp4", b"plain text, not a video", "video/mp4")})
    assert bad.status_code == 400
    assert "not a video" in bad.text and "oops" in bad.text
    good = client.post("/studio/videos", data={"_csrf_token": csrf, "caption": "First!"},
                       files={"file": ("clip.mp4", clip(), "video/mp4")})
    assert good.status_code == 200 and "First!" in good.text
    videos = client.get(f"/api/v1/profiles/{creator['user']['handle']}/videos").json()
    assert [v["caption"] for v in videos["videos"]] == ["First!"]


def test_a_seller_posts_on_the_shops_profile_with_linked_products(client):
    shop = listing(client, price="9.99", shop_name="Camden Loft")
    csrf = log_in(client, shop.seller.email)
    page = client.get(f"/seller/{shop.seller.shop_id}/videos")
    assert page.status_code == 200 and 'name="product_ids"' in page.text
    posted = client.post(f"/seller/{shop.seller.shop_id}/videos",
                         data={"_csrf_token": csrf, "caption": "New in",
                               "product_ids": str(shop.product_id)},
                         files={"file": ("clip.mp4", clip(), "video/mp4")})
    assert posted.status_code == 200
    videos = client.get("/api/v1/profiles/camden-loft-official/videos").json()["videos"]
    assert [v["caption"] for v in videos] == ["New in"]
    video = client.get(f"/api/v1/videos/{videos[0]['id']}").json()
    assert video["creator"]["kind"] == "shop"
    assert [p["id"] for p in video["products"]] == [str(shop.product_id)]


def test_another_shops_staff_cannot_open_its_video_page(client):
    shop = listing(client, shop_name="Mine")
    other = listing(client, shop_name="Other")
    log_in(client, other.seller.email)
    assert client.get(f"/seller/{shop.seller.shop_id}/videos").status_code == 404


def test_a_creator_fills_a_collection_and_it_shows_on_the_shop_tab(client):
    shop = listing(client, price="9.99")
    creator = signup(client, country="GB")
    csrf = log_in(client, creator["email"])
    client.post("/studio/collections", data={"_csrf_token": csrf, "name": "Faves"})
    mine = client.get("/api/v1/me/showcase", headers=bearer(creator["access_token"])).json()
    [col] = mine["collections"]
    client.post("/studio/collections", data={
        "_csrf_token": csrf, "collection_id": col["id"],
        "product_id": f"http://localhost/products/{shop.product_id}"})
    tab = client.get(f"/@{creator['user']['handle']}?tab=shop")
    assert "Faves" in tab.text
    assert f"/products/{shop.product_id}?source=showcase" in tab.text
    assert csrf_form(client, "/studio")


def test_a_seller_changes_a_videos_product_links_in_seller_center(client):
    first = listing(client, price="9.99", shop_name="Camden Loft")
    second = listing(client, price="5.00", seller=first.seller)
    csrf = log_in(client, first.seller.email)
    client.post(f"/seller/{first.seller.shop_id}/videos",
                data={"_csrf_token": csrf, "caption": "Two looks",
                      "product_ids": str(first.product_id)},
                files={"file": ("clip.mp4", clip(), "video/mp4")})
    [video] = client.get("/api/v1/profiles/camden-loft-official/videos").json()["videos"]
    page = client.get(f"/seller/{first.seller.shop_id}/videos")
    assert "Linked products (1)" in page.text
    saved = client.post(f"/seller/{first.seller.shop_id}/videos/{video['id']}",
                        data={"_csrf_token": csrf, "anchors": "1",
                              "product_ids": [str(second.product_id), str(first.product_id)]})
    assert saved.status_code == 200
    linked = client.get(f"/api/v1/videos/{video['id']}").json()["products"]
    assert [p["id"] for p in linked] == [str(second.product_id), str(first.product_id)]
    hidden = client.post(f"/seller/{first.seller.shop_id}/videos/{video['id']}",
                         data={"_csrf_token": csrf, "status": "HIDDEN"})
    assert hidden.status_code == 200
    mine = client.get(f"/api/v1/videos/{video['id']}", headers=bearer(first.seller.token))
    assert mine.json()["status"] == "HIDDEN"
    assert client.get(f"/api/v1/videos/{video['id']}").status_code == 404


def test_linking_products_over_the_api_checks_the_shop(client):
    mine = listing(client, price="9.99", shop_name="Mine")
    theirs = listing(client, price="9.99", shop_name="Theirs")
    vid = upload(client, mine.seller.token).json()["id"]
    ok = client.put(f"/api/v1/videos/{vid}/products", headers=bearer(mine.seller.token),
                    json={"product_ids": [str(mine.product_id)]})
    assert ok.status_code == 200
    assert [p["id"] for p in ok.json()["products"]] == [str(mine.product_id)]
    refused = client.put(f"/api/v1/videos/{vid}/products", headers=bearer(mine.seller.token),
                         json={"product_ids": [str(theirs.product_id)]})
    assert refused.status_code == 400 and refused.json()["code"] == "PRODUCT_NOT_LINKABLE"
    stranger = client.put(f"/api/v1/videos/{vid}/products",
                          headers=bearer(theirs.seller.token),
                          json={"product_ids": [str(theirs.product_id)]})
    assert stranger.status_code == 403


def test_a_creator_edits_their_name_bio_and_picture(client):
    from tests.catalog_support import png

    creator = signup(client)
    csrf = log_in(client, creator["email"])
    saved = client.post("/studio/profile", data={"_csrf_token": csrf,
                                                 "display_name": "  Zoe   C ",
                                                 "bio": "Linen lover"},
                        files={"avatar": ("me.png", png((200, 200)), "image/png")})
    assert saved.status_code == 200
    profile = client.get(f"/api/v1/profiles/{creator['user']['handle']}").json()
    assert (profile["display_name"], profile["bio"]) == ("Zoe C", "Linen lover")
    assert client.get(profile["avatar_url"]).status_code == 200
    refused = client.post("/studio/profile", data={"_csrf_token": csrf, "display_name": " ",
                                                   "bio": ""})
    assert refused.status_code == 400 and "Your name is 1 to 80 characters." in refused.text
