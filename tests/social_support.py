"""Builders for social tests: clips, uploads through the API."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from clipcart.social.clips import generate_clip
from tests.helpers import bearer


@lru_cache(maxsize=8)
def clip(seconds: float = 1.5, container: str = "mp4", text: str = "clip") -> bytes:
    return generate_clip(seconds, (160, 284), (40, 120, 200), text, fps=10,
                         container=container)


def upload(client: Any, token: str, *, data: bytes | None = None, name: str = "clip.mp4",
           content_type: str = "video/mp4", caption: str = "My clip",
           product_ids: list[int] | None = None, extra: dict[str, Any] | None = None) -> Any:
    form: dict[str, Any] = {"caption": caption}
    if product_ids:
        form["product_ids"] = [str(p) for p in product_ids]
    form.update(extra or {})
    return client.post("/api/v1/videos", headers=bearer(token), data=form,
                       files={"file": (name, clip() if data is None else data, content_type)})
