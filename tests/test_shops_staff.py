"""Staff: invitations by e-mail, accepting them, roles and removal."""

from __future__ import annotations

import hashlib
import re
from email import message_from_string
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from clipcart.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clipcart.identity import service as identity
from clipcart.shops import staff
from clipcart.shops.models import ShopInvitation, ShopMember
from clipcart.shops.staff import InvitationGone
from tests.helpers import PASSWORD, csrf_form
from tests.shops_world import (
    World,
    clear_mail,
    hire,
    invite,
    notifications_of,
    open_shop,
    sent_mail,
)


@pytest.fixture
def world(app):
    with World(app) as w:
        yield w


def _link(mail_text: str) -> str:
    found = re.search(r"http://[^/\s]+(/invitations/[A-Za-z0-9_-]+)", mail_text)
    assert found is not None, mail_text
    return found.group(1)


def _roles(db, shop_id: int) -> dict[int, str]:
    with db.sessions() as session:
        rows = session.execute(select(ShopMember.user_id, ShopMember.role)
                               .where(ShopMember.shop_id == shop_id))
        return {user_id: role for user_id, role in rows}


def test_inviting_on_the_staff_page_e_mails_a_one_time_link_stored_hashed(world, db):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    response = olivia.post(f"/seller/{shop_id}/staff/invite",
                           {"email": " Sam@Example.com ", "role": "manager"})
    assert response.status_code == 200
    assert "Invitation sent. The link in the e-mail works for 7 days." in response.text
    assert "sam@example.com" in response.text  # under pending invitations
    [raw] = sent_mail()
    mail = message_from_string(raw, policy=default_policy)
    assert mail["To"] == "sam@example.com"
    assert mail["Subject"] == "Join Olivia Finds on clipcart"
    body = mail.get_content()  # type: ignore[attr-defined]
    assert "invited you to work for the shop Olivia Finds on clipcart, as manager staff" in body
    token = _link(raw).rsplit("/", 1)[1]
    with db.sessions() as session:
        stored = session.execute(select(ShopInvitation)).scalar_one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert (stored.expires_at - stored.created_at).days == 7


def test_an_invited_visitor_signs_up_with_that_e_mail_and_comes_back_to_accept(world, db):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    olivia.post(f"/seller/{shop_id}/staff/invite", {"email": "sam@example.com",
                                                    "role": "fulfillment"})
    link = _link(sent_mail()[0])
    visitor = world.anonymous()
    landing = visitor.get(link)
    assert landing.status_code == 200
    assert "Join Olivia Finds" in landing.text
    assert f'href="/signup?next={link}"' in landing.text
    token = csrf_form(visitor, f"/signup?next={link}")
    signed_up = visitor.post("/signup", data={
        "_csrf_token": token, "email": "sam@example.com", "handle": "sam_packs",
        "password": PASSWORD, "country": "GB", "birth_date": "1992-03-04", "next": link})
    assert signed_up.status_code == 200
    assert "Accept and open Seller Center" in signed_up.text
    accepted = visitor.post(link, data={"_csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/seller/{shop_id}"
    with db.sessions() as session:
        sam = identity.user_by_email(session, "sam@example.com")
        assert identity.roles_of(session, sam.id) == ["buyer", "seller"]
    assert _roles(db, shop_id)[sam.id] == "fulfillment"
    assert visitor.get(f"/seller/{shop_id}").status_code == 200
    used = visitor.get(link)
    assert used.status_code == 410
    assert "This invitation was already used." in used.text


def test_an_existing_account_is_told_in_app_and_accepts_from_its_invitations(world, db):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    invite(shop_id, olivia, sam.email, "manager")
    assert ("shop_invitation", "Olivia Finds invited you",
            "Join Olivia Finds as manager staff: accept under Invitations (/invitations) or "
            "with the link in your e-mail.") in notifications_of(sam)
    listing = sam.get("/invitations")
    assert "Olivia Finds" in listing.text
    invitation_id = re.search(r'name="invitation_id" value="(\d+)"', listing.text).group(1)
    accepted = sam.post("/invitations", {"invitation_id": invitation_id},
                        follow_redirects=False)
    assert accepted.headers["location"] == f"/seller/{shop_id}"
    assert _roles(db, shop_id)[sam.user_id] == "manager"
    assert any(kind == "shop_staff_joined" and title == f"@{sam.handle} joined Olivia Finds"
               for kind, title, _ in notifications_of(olivia))
    assert "No invitations for your e-mail address." in sam.get("/invitations").text


def test_someone_else_cannot_accept_an_invitation_meant_for_another_address(world, db):
    olivia = world.person("GB")
    mallory = world.person("GB")
    shop_id = open_shop(olivia)
    invitation_id, token = invite(shop_id, olivia, "sam@example.com")
    page = mallory.get(f"/invitations/{token}")
    assert page.status_code == 403
    assert "but this invitation is for sam@example.com" in page.text
    refused = mallory.post(f"/invitations/{token}")
    assert refused.status_code == 403
    assert "log in with that e-mail address to accept it" in refused.text
    by_id = mallory.post("/invitations", {"invitation_id": str(invitation_id)})
    assert by_id.status_code == 404
    assert mallory.user_id not in _roles(db, shop_id)
    with db.sessions() as session:
        assert session.get(ShopInvitation, invitation_id).accepted_at is None


def test_invitations_expire_after_seven_days(world, db, frozen_clock):
    olivia = world.person("GB")
    sam = world.person("GB", email="sam@example.com")
    shop_id = open_shop(olivia)
    _, token = invite(shop_id, olivia, sam.email)
    frozen_clock.advance(days=7, seconds=1)
    page = sam.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert "This invitation has expired. Ask the shop for a new one." in page.text
    with pytest.raises(InvitationGone) as info, db.transaction() as session:
        staff.accept_invitation(session, token, sam.user_id)
    assert info.value.code == "INVITATION_EXPIRED"
    assert sam.user_id not in _roles(db, shop_id)


def test_an_invitation_works_once(world, db):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia)
    _, token = invite(shop_id, olivia, sam.email)
    with db.transaction() as session:
        staff.accept_invitation(session, token, sam.user_id)
    with pytest.raises(InvitationGone) as info, db.transaction() as session:
        staff.accept_invitation(session, token, sam.user_id)
    assert info.value.code == "INVITATION_USED"


@pytest.mark.parametrize("token", ["nope", "x" * 300, "a" * 43])
def test_unknown_invitation_links_are_404(world, token):
    visitor = world.anonymous()
    page = visitor.get(f"/invitations/{token}")
    assert page.status_code == 404
    assert "This invitation link is not valid." in page.text


def test_inviting_again_replaces_the_pending_link(world, db):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia)
    _, first = invite(shop_id, olivia, sam.email)
    _, second = invite(shop_id, olivia, sam.email, "manager")
    with pytest.raises(InvitationGone) as info, db.transaction() as session:
        staff.accept_invitation(session, first, sam.user_id)
    assert info.value.code == "INVITATION_REVOKED"
    with db.transaction() as session:
        staff.accept_invitation(session, second, sam.user_id)
    assert _roles(db, shop_id)[sam.user_id] == "manager"


def test_withdrawing_an_invitation_kills_its_link(world, db):
    olivia = world.person("GB")
    shop_id = open_shop(olivia)
    invitation_id, token = invite(shop_id, olivia, "sam@example.com")
    response = olivia.post(f"/seller/{shop_id}/invitations/{invitation_id}/revoke")
    assert response.status_code == 200
    assert "Invitation withdrawn; its link no longer works." in response.text
    assert "No pending invitations." in response.text
    assert world.anonymous().get(f"/invitations/{token}").status_code == 410
    again = olivia.post(f"/seller/{shop_id}/invitations/{invitation_id}/revoke")
    assert again.status_code == 410


@pytest.mark.parametrize(("email", "role", "message", "status"), [
    ("not-an-email", "manager", "Enter a valid e-mail address.", 400),
    ("sam@example.com", "owner", "Choose manager or fulfillment.", 400),
    ("sam@example.com", "", "Choose manager or fulfillment.", 400),
])
def test_bad_invitations_re_render_the_page_and_send_nothing(world, db, email, role, message,
                                                            status):
    olivia = world.person("GB")
    shop_id = open_shop(olivia)
    response = olivia.post(f"/seller/{shop_id}/staff/invite", {"email": email, "role": role})
    assert response.status_code == status
    assert message in response.text
    assert sent_mail() == []
    with db.sessions() as session:
        assert session.execute(select(ShopInvitation)).first() is None


def test_inviting_someone_already_on_the_staff_is_refused(world, db):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia)
    hire(shop_id, olivia, sam, "fulfillment")
    clear_mail()
    for email in (sam.email, olivia.email):
        with pytest.raises(Conflict) as info, db.transaction() as session:
            staff.invite(session, shop_id, olivia.user_id, email, "manager")
        assert info.value.code == "ALREADY_STAFF"
    assert sent_mail() == []


def test_a_shop_has_at_most_50_staff_and_pending_invitations(world, db, monkeypatch):
    monkeypatch.setattr(staff, "MAX_STAFF", 3)
    olivia = world.person("GB")
    shop_id = open_shop(olivia)
    invite(shop_id, olivia, "a@example.com")
    invite(shop_id, olivia, "b@example.com")
    with pytest.raises(Conflict) as info, db.transaction() as session:
        staff.invite(session, shop_id, olivia.user_id, "c@example.com", "fulfillment")
    assert info.value.code == "STAFF_LIMIT"
    invite(shop_id, olivia, "b@example.com")  # re-sending an existing one stays within it


def test_managers_invite_and_remove_fulfillment_staff_only(world, db):
    olivia = world.person("GB")
    manager = world.person("GB")
    other_manager = world.person("GB")
    packer = world.person("GB")
    shop_id = open_shop(olivia)
    hire(shop_id, olivia, manager, "manager")
    hire(shop_id, olivia, other_manager, "manager")
    hire(shop_id, manager, packer, "fulfillment")
    page = manager.get(f"/seller/{shop_id}/staff")
    assert '<option value="manager"' not in page.text.split('id="invite-title"')[1].split(
        "</form>")[0]
    refused = manager.post(f"/seller/{shop_id}/staff/invite", {"email": "boss@example.com",
                                                               "role": "manager"})
    assert refused.status_code == 403
    assert "Managers can invite fulfillment staff only." in refused.text
    for target, message in ((olivia, "The shop owner cannot be removed."),
                            (other_manager, "Managers can remove fulfillment staff only.")):
        response = manager.post(f"/seller/{shop_id}/staff/{target.user_id}/remove")
        assert response.status_code == 403
        assert message in response.text
    changed = manager.post(f"/seller/{shop_id}/staff/{packer.user_id}/role", {"role": "manager"})
    assert changed.status_code == 403
    assert "Only the shop owner changes staff roles." in changed.text
    assert manager.post(f"/seller/{shop_id}/staff/{packer.user_id}/remove").status_code == 200
    assert _roles(db, shop_id) == {olivia.user_id: "owner", manager.user_id: "manager",
                                   other_manager.user_id: "manager"}
    assert ("shop_staff_removed", "You no longer work for Linen Studio",
            "The shop removed you from its staff; Linen Studio is no longer in your Seller "
            "Center.") in notifications_of(packer)
    assert packer.get(f"/seller/{shop_id}").status_code == 404


def test_the_owner_changes_roles_and_removes_anyone_but_themself(world, db):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia)
    hire(shop_id, olivia, sam, "fulfillment")
    promoted = olivia.post(f"/seller/{shop_id}/staff/{sam.user_id}/role", {"role": "manager"})
    assert promoted.status_code == 200 and "Role changed." in promoted.text
    assert _roles(db, shop_id)[sam.user_id] == "manager"
    assert sam.get(f"/seller/{shop_id}/settings").status_code == 200
    for bad in ("owner", "admin", ""):
        with pytest.raises(ValidationFailed), db.transaction() as session:
            staff.change_role(session, shop_id, olivia.user_id, sam.user_id, bad)
    myself = olivia.post(f"/seller/{shop_id}/staff/{olivia.user_id}/remove")
    assert myself.status_code == 403
    assert "The shop owner cannot be removed." in myself.text
    with pytest.raises(Forbidden) as info, db.transaction() as session:
        staff.change_role(session, shop_id, olivia.user_id, olivia.user_id, "manager")
    assert info.value.code == "OWNER_IS_PERMANENT"
    assert olivia.post(f"/seller/{shop_id}/staff/{sam.user_id}/remove").status_code == 200
    assert _roles(db, shop_id) == {olivia.user_id: "owner"}
    with pytest.raises(NotFound), db.transaction() as session:
        staff.remove_member(session, shop_id, olivia.user_id, sam.user_id)


def test_the_staff_page_lists_the_team_owner_first_and_pending_invitations(world):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia)
    hire(shop_id, olivia, sam, "fulfillment")
    invite(shop_id, olivia, "kim@example.com", "manager")
    page = olivia.get(f"/seller/{shop_id}/staff")
    assert page.status_code == 200
    members = re.findall(r'data-testid="member-(\d+)"', page.text)
    assert members == [str(olivia.user_id), str(sam.user_id)]
    assert "kim@example.com" in page.text
    assert "2 people · 1 pending" in page.text
