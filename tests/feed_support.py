"""Builders for feed tests: creators posting videos through the API, feed pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.checkout_support import buyer
from tests.helpers import bearer
from tests.social_support import upload


@dataclass(frozen=True)
class Creator:
    user_id: int
    token: str
    profile_id: str
    handle: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def creator(client: Any, country: str = "GB") -> Creator:
    who = buyer(client, country=country)
    handle = client.get("/api/v1/me", headers=who.headers).json()["handle"]
    profile = client.get(f"/api/v1/profiles/{handle}").json()
    return Creator(who.user_id, who.token, profile["id"], handle)


def post(client: Any, token: str, caption: str = "My clip",
         product_ids: list[int] | None = None) -> str:
    answer = upload(client, token, caption=caption, product_ids=product_ids)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def follow(client: Any, headers: dict[str, str], handle: str) -> None:
    answer = client.post(f"/api/v1/profiles/{handle}/follow", headers=headers)
    assert answer.status_code == 200, answer.text


def like(client: Any, headers: dict[str, str], video_id: str) -> None:
    answer = client.post(f"/api/v1/videos/{video_id}/like", headers=headers)
    assert answer.status_code == 200, answer.text


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def feed_page(client: Any, headers: dict[str, str] | None = None, **params: Any) -> Any:
    answer = client.get("/api/v1/feed", params=params, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def all_pages(client: Any, headers: dict[str, str] | None = None, size: int = 3,
              between: Any = None, **params: Any) -> list[dict[str, Any]]:
    """Every item of a feed, page by page (``between(n)`` runs after page n)."""
    items: list[dict[str, Any]] = []
    token = None
    for n in range(100):
        page = feed_page(client, headers, page_size=size,
                         **({"page_token": token} if token else {}), **params)
        items += page["items"]
        token = page["next_page_token"]
        if token is None:
            return items
        if between is not None:
            between(n)
    raise AssertionError("the feed never ended")
