"""Follows, likes, views, shares, threaded comments with moderation, blocks, reports,
visibility: counts stay exact and idempotent, and only the right people can act."""

from __future__ import annotations

from clipcart.db import transaction
from clipcart.social import service
from tests.checkout_support import listing
from tests.helpers import bearer, signup
from tests.social_support import upload


def _person(client):
    account = signup(client)
    return account["access_token"], account["user"]["handle"], int(account["user"]["id"])


def test_following_twice_counts_once_and_unfollowing_undoes_it(client):
    fan, fan_handle, _ = _person(client)
    _star, star_handle, _ = _person(client)
    first = client.post(f"/api/v1/profiles/{star_handle}/follow", headers=bearer(fan))
    again = client.post(f"/api/v1/profiles/{star_handle}/follow", headers=bearer(fan))
    assert first.json() == {"following": True, "follower_count": 1}
    assert again.json() == {"following": True, "follower_count": 1}
    star = client.get(f"/api/v1/profiles/{star_handle}", headers=bearer(fan)).json()
    me = client.get(f"/api/v1/profiles/{fan_handle}").json()
    assert (star["follower_count"], star["following"]) == (1, True)
    assert me["following_count"] == 1
    gone = client.delete(f"/api/v1/profiles/{star_handle}/follow", headers=bearer(fan))
    twice = client.delete(f"/api/v1/profiles/{star_handle}/follow", headers=bearer(fan))
    assert gone.json() == twice.json() == {"following": False, "follower_count": 0}
    assert client.get(f"/api/v1/profiles/{fan_handle}").json()["following_count"] == 0


def test_nobody_follows_themselves(client):
    me, handle, _ = _person(client)
    answer = client.post(f"/api/v1/profiles/{handle}/follow", headers=bearer(me))
    assert answer.status_code == 400 and answer.json()["code"] == "CANNOT_FOLLOW_SELF"


def test_a_double_like_is_idempotent_and_views_and_shares_count(client):
    owner, _, _ = _person(client)
    fan, _, _ = _person(client)
    vid = upload(client, owner).json()["id"]
    assert client.post(f"/api/v1/videos/{vid}/like", headers=bearer(fan)).json() == \
        {"liked": True, "like_count": 1}
    assert client.post(f"/api/v1/videos/{vid}/like", headers=bearer(fan)).json() == \
        {"liked": True, "like_count": 1}
    assert client.get(f"/api/v1/videos/{vid}", headers=bearer(fan)).json()["liked"] is True
    assert client.delete(f"/api/v1/videos/{vid}/like", headers=bearer(fan)).json() == \
        {"liked": False, "like_count": 0}
    assert client.delete(f"/api/v1/videos/{vid}/like", headers=bearer(fan)).json() == \
        {"liked": False, "like_count": 0}
    client.post(f"/api/v1/videos/{vid}/views")
    assert client.post(f"/api/v1/videos/{vid}/views").json() == {"view_count": 2}
    shared = client.post(f"/api/v1/videos/{vid}/shares", json={"channel": "message"})
    assert shared.json()["share_count"] == 1
    assert shared.json()["url"].endswith(f"/videos/{vid}")
    bad = client.post(f"/api/v1/videos/{vid}/shares", json={"channel": "fax"})
    assert bad.status_code == 400


def test_comments_are_threaded_and_replies_to_replies_join_the_thread(client):
    owner, _, _ = _person(client)
    a, _, _ = _person(client)
    b, b_handle, _ = _person(client)
    vid = upload(client, owner).json()["id"]
    top = client.post(f"/api/v1/videos/{vid}/comments", json={"body": "Love it"},
                      headers=bearer(a)).json()
    reply = client.post(f"/api/v1/videos/{vid}/comments",
                        json={"body": "Same", "parent_id": top["id"]}, headers=bearer(b)).json()
    deeper = client.post(f"/api/v1/videos/{vid}/comments",
                         json={"body": "Me too", "parent_id": reply["id"]},
                         headers=bearer(a)).json()
    assert deeper["parent_id"] == top["id"]
    listed = client.get(f"/api/v1/videos/{vid}/comments").json()["comments"]
    assert [c["body"] for c in listed] == ["Love it"]
    assert [r["body"] for r in listed[0]["replies"]] == ["Same", "Me too"]
    assert listed[0]["replies"][0]["author"]["handle"] == b_handle
    assert listed[0]["reply_count"] == 2
    assert client.get(f"/api/v1/videos/{vid}").json()["comment_count"] == 3


def test_the_video_owner_hides_comments_and_others_cannot(client):
    owner, _, _ = _person(client)
    writer, _, _ = _person(client)
    stranger, _, _ = _person(client)
    vid = upload(client, owner).json()["id"]
    cid = client.post(f"/api/v1/videos/{vid}/comments", json={"body": "spam spam"},
                      headers=bearer(writer)).json()["id"]
    refused = client.patch(f"/api/v1/comments/{cid}", json={"status": "HIDDEN"},
                           headers=bearer(stranger))
    assert refused.status_code == 403
    hidden = client.patch(f"/api/v1/comments/{cid}", json={"status": "HIDDEN",
                                                         "reason": "spam"},
                          headers=bearer(owner))
    assert hidden.json() == {"id": cid, "status": "HIDDEN"}
    assert client.get(f"/api/v1/videos/{vid}/comments").json()["comments"] == []
    assert client.get(f"/api/v1/videos/{vid}").json()["comment_count"] == 0
    # the author may still delete their own hidden comment; deleted is final
    assert client.patch(f"/api/v1/comments/{cid}", json={"status": "DELETED"},
                        headers=bearer(writer)).json()["status"] == "DELETED"
    final = client.patch(f"/api/v1/comments/{cid}", json={"status": "VISIBLE"},
                         headers=bearer(owner))
    assert final.status_code == 409 and final.json()["code"] == "INVALID_TRANSITION"
    with transaction() as session:
        moves = [(h.from_value, h.to_value, h.reason)
                 for h in service.history(session, "comment", int(cid))]
    assert moves == [("VISIBLE", "HIDDEN", "spam"), ("HIDDEN", "DELETED", "")]


def test_a_blocked_user_cannot_follow_or_comment(client):
    owner, owner_handle, _ = _person(client)
    pest, pest_handle, _ = _person(client)
    vid = upload(client, owner).json()["id"]
    client.post(f"/api/v1/profiles/{owner_handle}/follow", headers=bearer(pest))
    assert client.post(f"/api/v1/profiles/{pest_handle}/block",
                       headers=bearer(owner)).json() == {"blocked": True}
    assert client.get(f"/api/v1/profiles/{owner_handle}").json()["follower_count"] == 0
    follow = client.post(f"/api/v1/profiles/{owner_handle}/follow", headers=bearer(pest))
    comment = client.post(f"/api/v1/videos/{vid}/comments", json={"body": "hi"},
                          headers=bearer(pest))
    assert follow.status_code == comment.status_code == 403


def test_owners_hide_their_videos_and_only_moderators_remove(client):
    owner, handle, _ = _person(client)
    viewer, _, _ = _person(client)
    vid = upload(client, owner).json()["id"]
    hidden = client.post(f"/api/v1/videos/{vid}/status", json={"status": "HIDDEN"},
                         headers=bearer(owner))
    assert hidden.json()["status"] == "HIDDEN"
    assert client.get(f"/api/v1/videos/{vid}", headers=bearer(viewer)).status_code == 404
    assert client.get(f"/api/v1/profiles/{handle}/videos").json()["videos"] == []
    removal = client.post(f"/api/v1/videos/{vid}/status", json={"status": "REMOVED"},
                          headers=bearer(owner))
    assert removal.status_code == 403 and removal.json()["code"] == "MODERATOR_ONLY"
    back = client.post(f"/api/v1/videos/{vid}/status", json={"status": "PUBLISHED"},
                       headers=bearer(owner))
    assert back.json()["status"] == "PUBLISHED"
    with transaction() as session:
        moves = [(h.from_value, h.to_value) for h in service.history(session, "video",
                                                                      int(vid))]
    assert moves == [(None, "PUBLISHED"), ("PUBLISHED", "HIDDEN"), ("HIDDEN", "PUBLISHED")]


def test_followers_only_videos_are_shown_to_followers(client):
    owner, handle, _ = _person(client)
    fan, _, _ = _person(client)
    other, _, _ = _person(client)
    vid = upload(client, owner, extra={"visibility": "FOLLOWERS"}).json()["id"]
    client.post(f"/api/v1/profiles/{handle}/follow", headers=bearer(fan))
    assert client.get(f"/api/v1/videos/{vid}", headers=bearer(fan)).status_code == 200
    assert client.get(f"/api/v1/videos/{vid}", headers=bearer(other)).status_code == 404
    with transaction() as session:
        assert service.video_cards(session, [int(vid)]) == []


def test_a_report_is_filed_once(client):
    owner, _, _ = _person(client)
    reporter, _, _ = _person(client)
    vid = upload(client, owner).json()["id"]
    body = {"target_type": "video", "target_id": vid, "reason": "misleading"}
    first = client.post("/api/v1/reports", json=body, headers=bearer(reporter))
    again = client.post("/api/v1/reports", json=body, headers=bearer(reporter))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    with transaction() as session:
        assert [r.target_id for r in service.open_reports(session)] == [int(vid)]


def test_feed_cards_come_in_the_given_order_in_one_query(client, db):
    from sqlalchemy import event

    shop = listing(client, price="9.99")
    ids = [int(upload(client, shop.seller.token, caption=f"clip {n}",
                      product_ids=[shop.product_id]).json()["id"]) for n in range(3)]
    bare = int(upload(client, shop.seller.token, caption="no anchor").json()["id"])
    statements: list[str] = []

    def count(*args):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.sessions() as session:
            cards = service.video_cards(session, [bare, *reversed(ids)])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert cards[0]["caption"] == "no anchor" and cards[0]["products"] == []
    cards = cards[1:]
    assert [c["id"] for c in cards] == [str(i) for i in reversed(ids)]
    assert [c["caption"] for c in cards] == ["clip 2", "clip 1", "clip 0"]
    assert cards[0]["type"] == "video" and cards[0]["creator"]["handle"] == \
        client.get("/api/v1/me", headers=bearer(shop.seller.token)).json()["handle"]
    assert [(p["id"], p["price"]) for p in cards[0]["products"]] == \
        [(str(shop.product_id), {"amount": "9.99", "currency": "GBP"})]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
