"""Builders for shops tests: people signed in on their own web client, shops and staff.

Everything is set up through the web forms and the services, never by writing tables.
"""

from __future__ import annotations

import io
import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from PIL import Image
from sqlalchemy import select

from clipcart.config import get_settings
from clipcart.db import get_database
from clipcart.identity import service as identity
from clipcart.identity.models import Notification
from clipcart.shops import service, staff
from tests.helpers import PASSWORD, csrf_form


@dataclass
class Person:
    client: TestClient[Any]
    user_id: int
    email: str
    handle: str
    csrf: str

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"_csrf_token": self.csrf, **(data or {})},
                                **kwargs)


class World:
    """Owns the web clients of a test; use as a context manager."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._stack = ExitStack()

    def __enter__(self) -> World:
        clear_mail()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def anonymous(self) -> TestClient[Any]:
        return self._stack.enter_context(TestClient(app=self.app))

    def person(self, country: str = "GB", email: str | None = None,
               operator: bool = False) -> Person:
        """Someone who signed up on the web form (so the client holds their session)."""
        client = self.anonymous()
        tag = secrets.token_hex(4)
        email = email or f"person{tag}@example.com"
        token = csrf_form(client, "/signup")
        response = client.post("/signup", data={
            "_csrf_token": token, "email": email, "handle": f"p_{tag}", "password": PASSWORD,
            "country": country, "birth_date": "1990-04-01", "next": "/"},
            follow_redirects=False)
        assert response.status_code in (302, 303), response.text
        with get_database().transaction() as session:
            user = identity.user_by_email(session, email)
            assert user is not None
            if operator:
                identity.create_operator(session, email, PASSWORD)
            return Person(client, user.id, email, user.handle, token)


def open_shop(owner: Person, name: str = "Linen Studio", market: str = "GB") -> int:
    """An approved shop owned by ``owner`` (through the operator's script path)."""
    with get_database().transaction() as session:
        return service.create_approved_shop(session, owner.email, name, market).id


def apply(owner: Person, name: str = "Linen Studio", market: str = "GB") -> int:
    with get_database().transaction() as session:
        return service.apply_for_shop(session, owner.user_id, name, market).id


def hire(shop_id: int, by: Person, person: Person, role: str) -> None:
    """``by`` invites ``person`` and ``person`` accepts, through the services."""
    with get_database().transaction() as session:
        _, token = staff.invite(session, shop_id, by.user_id, person.email, role)
    with get_database().transaction() as session:
        staff.accept_invitation(session, token, person.user_id)


def invite(shop_id: int, by: Person, email: str, role: str = "fulfillment") -> tuple[int, str]:
    with get_database().transaction() as session:
        invitation, token = staff.invite(session, shop_id, by.user_id, email, role)
        return invitation.id, token


def mail_folder() -> Path:
    return get_settings().data_dir / "mail"


def sent_mail() -> list[str]:
    folder = mail_folder()
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def clear_mail() -> None:
    for path in mail_folder().glob("*.eml"):
        path.unlink()


def notifications_of(person: Person) -> list[tuple[str, str, str]]:
    with get_database().sessions() as session:
        rows = session.execute(select(Notification.kind, Notification.title, Notification.body)
                               .where(Notification.user_id == person.user_id)
                               .order_by(Notification.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def png(size: tuple[int, int] = (256, 256), colour: tuple[int, int, int] = (230, 60, 90)
        ) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()
