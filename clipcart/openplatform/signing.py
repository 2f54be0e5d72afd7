"""The Partner API request signature and the webhook signature (API.md §3).

``sign`` = lowercase hex HMAC-SHA256 keyed with the app secret, of: secret + path + every
query parameter except ``sign`` and ``access_token``, sorted by key (stable, so repeated
keys keep their order), as key + decoded value + the raw body (not for multipart) + secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import parse_qsl

EXCLUDED = frozenset({"sign", "access_token"})


def query_pairs(raw_query: bytes | str) -> list[tuple[str, str]]:
    """The decoded (key, value) pairs of a query string, repeated keys included, in order."""
    text = raw_query.decode("latin-1") if isinstance(raw_query, bytes) else raw_query
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")


def string_to_sign(secret: str, path: str, query: Sequence[tuple[str, str]], body: bytes,
                   content_type: str | None) -> bytes:
    pairs = sorted((p for p in query if p[0] not in EXCLUDED), key=lambda p: p[0])
    head = secret + path + "".join(k + v for k, v in pairs)
    multipart = (content_type or "").lower().startswith("multipart/form-data")
    return head.encode("utf-8") + (b"" if multipart else body) + secret.encode("utf-8")


def sign(secret: str, path: str, query: Sequence[tuple[str, str]], body: bytes = b"",
         content_type: str | None = None) -> str:
    message = string_to_sign(secret, path, query, body, content_type)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("utf-8",
                                                                               "replace"))


def webhook_signature(app_key: str, secret: str, body: bytes) -> str:
    """The ``Authorization`` header of a webhook: HMAC-SHA256(secret, app_key + raw body)."""
    return hmac.new(secret.encode("utf-8"), app_key.encode("utf-8") + body,
                    hashlib.sha256).hexdigest()
