"""Builders that set up a test's world through the public API, never by writing tables."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient

PASSWORD = "correct horse battery"


def signup(client: TestClient[Any], country: str = "US", **overrides: Any) -> dict[str, Any]:
    tag = secrets.token_hex(4)
    body = {"email": f"user{tag}@example.com", "password": PASSWORD, "handle": f"user_{tag}",
            "country": country, "birth_date": "1990-05-17"}
    body.update(overrides)
    response = client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    answer["email"] = body["email"]
    return answer


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def csrf_form(client: TestClient[Any], page: str) -> str:
    """Open a page with a form and return its CSRF token (the cookie is set on the client)."""
    response = client.get(page)
    assert response.status_code == 200, response.text
    marker = 'name="_csrf_token" value="'
    start = response.text.index(marker) + len(marker)
    return response.text[start:response.text.index('"', start)]


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL statements the database runs inside the block, BEGIN included."""
    from sqlalchemy import event

    from clipcart.db import get_database

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = get_database().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
