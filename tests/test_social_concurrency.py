"""Counters under concurrency: simultaneous likes, follows and collection adds (each
twice per person) leave exact counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from clipcart.db import transaction
from clipcart.social import service, showcase
from clipcart.social.models import Profile, ShowcaseCollection, Video
from tests.checkout_support import listing
from tests.helpers import signup
from tests.social_support import upload

PEOPLE = 6


def _together(jobs: list) -> None:  # type: ignore[type-arg]
    go = threading.Barrier(len(jobs))

    def run(job):  # type: ignore[no-untyped-def]
        go.wait()
        with transaction() as session:
            job(session)

    with ThreadPoolExecutor(len(jobs)) as pool:
        for future in [pool.submit(run, job) for job in jobs]:
            future.result()


def test_simultaneous_double_likes_and_follows_count_each_person_once(client):
    owner = signup(client)
    vid = int(upload(client, owner["access_token"]).json()["id"])
    fans = [int(signup(client)["user"]["id"]) for _ in range(PEOPLE)]
    with transaction() as session:
        star = service.user_profile(session, int(owner["user"]["id"])).id
    jobs = []
    for fan in fans:
        jobs += [lambda s, f=fan: service.like(s, f, vid)] * 2
        jobs += [lambda s, f=fan: service.follow(s, f, star)] * 2
    _together(jobs)
    with transaction() as session:
        assert session.get(Video, vid).like_count == PEOPLE
        assert session.get(Profile, star).follower_count == PEOPLE
        assert service.liked(session, fans[0], [vid]) == {vid}
    _together([lambda s, f=fan: service.unlike(s, f, vid) for fan in fans] * 2)
    with transaction() as session:
        assert session.get(Video, vid).like_count == 0


def test_a_full_collection_refuses_more_even_when_adds_race(client, monkeypatch):
    monkeypatch.setattr(showcase, "collection_max", lambda: 2)
    products = [listing(client, price="9.99").product_id for _ in range(4)]
    creator = int(signup(client, country="GB")["user"]["id"])
    with transaction() as session:
        cid = service.create_collection(session, creator, "Faves").id
    outcomes: list[str] = []

    def add(session, pid):  # type: ignore[no-untyped-def]
        try:
            with session.begin_nested():
                service.add_product(session, creator, cid, pid)
            outcomes.append("added")
        except Exception as exc:
            outcomes.append(getattr(exc, "code", repr(exc)))

    _together([lambda s, p=p: add(s, p) for p in products])
    assert sorted(outcomes) == ["COLLECTION_FULL", "COLLECTION_FULL", "added", "added"]
    with transaction() as session:
        assert session.get(ShowcaseCollection, cid).item_count == 2
        [view] = service.collections(session, service.user_profile(session, creator).id)
        assert len(view.products) == 2


def test_adding_the_same_product_twice_keeps_one(client):
    shop = listing(client, price="9.99")
    creator = int(signup(client, country="GB")["user"]["id"])
    with transaction() as session:
        cid = service.create_collection(session, creator, "Faves").id
    _together([lambda s: service.add_product(s, creator, cid, shop.product_id)] * 3)
    with transaction() as session:
        assert session.get(ShowcaseCollection, cid).item_count == 1


@pytest.mark.parametrize("name", ["", "x" * 61])
def test_collection_names_are_checked(client, name):
    creator = int(signup(client)["user"]["id"])
    with transaction() as session, pytest.raises(Exception, match="1 to 60"):
        service.create_collection(session, creator, name)
