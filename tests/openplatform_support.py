"""Builders for Seller API tests: apps, grants and signed requests through the TestClient."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from clipcart import clock
from clipcart.db import transaction
from clipcart.openplatform import apps, grants
from clipcart.openplatform.signing import sign
from clipcart.shops.models import Shop


@dataclass(frozen=True)
class Grant:
    app_key: str
    secret: str
    access_token: str
    refresh_token: str
    cipher: str
    shop_id: int


def make_app(name: str = "Acme ERP") -> tuple[str, str]:
    with transaction() as session:
        app, secret = apps.create_app(session, name, redirect_url="https://erp.example/cb")
        return app.app_key, secret


def make_grant(shop_id: int, app: tuple[str, str] | None = None) -> Grant:
    app_key, secret = app or make_app()
    with transaction() as session:
        found = apps.by_key(session, app_key)
        shop = session.get(Shop, shop_id)
        assert found is not None and shop is not None
        pair = grants.grant_for_script(session, found, shop)
        return Grant(app_key, secret, pair.access_token, pair.refresh_token,
                     grants.shop_cipher(shop_id), shop_id)


def signed_call(client: Any, grant: Grant, method: str, path: str, *,
                params: list[tuple[str, str]] | None = None, body: Any = None,
                shop: bool = True, timestamp: int | None = None, secret: str | None = None,
                token: str | None = None) -> dict[str, Any]:
    """A request signed as API.md §3 says; returns the envelope (asserting HTTP 200)."""
    query = list(params or [])
    if shop:
        query.append(("shop_cipher", grant.cipher))
    query += [("app_key", grant.app_key),
              ("timestamp", str(timestamp if timestamp is not None
                                else int(clock.now().timestamp())))]
    raw = b"" if body is None else json.dumps(body).encode()
    query.append(("sign", sign(secret or grant.secret, path, query, raw,
                               "application/json" if body is not None else None)))
    url = path + "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    headers = {"x-tts-access-token": token if token is not None else grant.access_token}
    if body is not None:
        headers["content-type"] = "application/json"
    answer = client.request(method, url, content=raw or None, headers=headers)
    assert answer.status_code == 200, answer.text
    envelope: dict[str, Any] = answer.json()
    assert set(envelope) == {"code", "message", "data", "request_id"}, envelope
    return envelope


def now_seconds() -> int:
    return int(time.time())
