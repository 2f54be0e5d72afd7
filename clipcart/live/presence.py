"""Which viewer a request is, for the one viewer count (``clipcart.realtime.viewers``).

A page and its event stream must count as one viewer: both use the same key, the viewer
cookie the room page sets in every browser (for the whole site, so the stream under
``/api``, which knows no session, sends it too), else the signed-in user (an app's
bearer token). A stream with neither counts per connection; a poll per client address.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from litestar import Request

VIEWER_COOKIE = "cc_viewer"


def _anonymous(token: str) -> str:
    return "anon:" + hashlib.sha256(token.encode()).hexdigest()[:40]


def viewer_key(request: Request[Any, Any, Any]) -> str | None:
    """The browser's viewer cookie or the signed-in user; None when there is neither."""
    token = request.cookies.get(VIEWER_COOKIE)
    if token:
        return _anonymous(token)
    user = request.scope.get("user")
    return f"user:{user.id}" if user is not None else None


def poll_key(request: Request[Any, Any, Any]) -> str:
    """A viewer key for a page request, falling back to the client's address."""
    return viewer_key(request) or _anonymous("addr:" + (request.client.host
                                                        if request.client else ""))


def mint_cookie() -> tuple[str, str]:
    """A new browser's viewer cookie value and the key it stands for."""
    token = secrets.token_urlsafe(16)
    return token, _anonymous(token)
