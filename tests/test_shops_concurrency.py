"""Races on shops, with real threads: one decision per application, one use per invitation.

Runs on both databases: PostgreSQL settles them with row locks and conditional UPDATEs;
SQLite queues the writers (BEGIN IMMEDIATE) and must reach the same answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from clipcart.errors import DomainError
from clipcart.shops import service, staff
from clipcart.shops.models import ShopInvitation, ShopMember, ShopStatusChange
from tests.shops_world import World, apply, invite, open_shop


def _race(db, actions: list[Callable[[Any], object]]) -> list[str]:
    """Run each action in its own thread and transaction, released together."""
    start = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(i: int, action: Callable[[Any], object]) -> None:
        start.wait()
        try:
            with db.transaction() as session:
                action(session)
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.code

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_operators_deciding_at_once_make_one_decision(app, db):
    with World(app) as world:
        ops1, ops2 = world.person(operator=True), world.person(operator=True)
        shop_id = apply(world.person("GB"))
    outcomes = _race(db, [
        lambda s: service.approve(s, shop_id, ops1.user_id),
        lambda s: service.reject(s, shop_id, ops2.user_id, "Incomplete application"),
    ])
    assert outcomes == ["ALREADY_DECIDED", "ok"]
    with db.sessions() as session:
        changes = session.execute(select(ShopStatusChange.to_status)
                                  .where(ShopStatusChange.shop_id == shop_id)).scalars().all()
    assert len(changes) == 2 and changes[0] == "PENDING"


def test_one_invitation_clicked_twice_at_once_makes_one_member(app, db):
    with World(app) as world:
        olivia = world.person("GB")
        sam = world.person("GB")
        shop_id = open_shop(olivia)
        _, token = invite(shop_id, olivia, sam.email, "manager")
    outcomes = _race(db, [lambda s: staff.accept_invitation(s, token, sam.user_id)] * 4)
    assert outcomes[-1] == "ok"
    assert outcomes.count("ok") == 1
    assert set(outcomes[:-1]) <= {"INVITATION_USED", "ALREADY_STAFF"}
    with db.sessions() as session:
        members = session.execute(select(ShopMember.user_id, ShopMember.role)
                                  .where(ShopMember.shop_id == shop_id)).all()
    assert sorted(members) == sorted([(olivia.user_id, "owner"), (sam.user_id, "manager")])


def test_withdrawing_while_the_invitee_accepts_ends_one_way_only(app, db):
    with World(app) as world:
        olivia = world.person("GB")
        sam = world.person("GB")
        shop_id = open_shop(olivia)
        invitation_id, token = invite(shop_id, olivia, sam.email)
    outcomes = _race(db, [
        lambda s: staff.accept_invitation(s, token, sam.user_id),
        lambda s: staff.revoke_invitation(s, shop_id, olivia.user_id, invitation_id),
    ])
    assert outcomes.count("ok") == 1
    with db.sessions() as session:
        joined = session.get(ShopMember, (shop_id, sam.user_id)) is not None
        invitation = session.get(ShopInvitation, invitation_id)
    assert joined == (invitation.accepted_at is not None)
    assert (invitation.accepted_at is None) != (invitation.revoked_at is None)
