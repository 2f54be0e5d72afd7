"""Keyset pagination: an opaque ``page_token`` carries the last ID of the previous page."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from clipcart.errors import ValidationFailed
from clipcart.ids import parse_id

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str | None


def encode_token(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"k1:{last_id}".encode()).decode().rstrip("=")


def decode_token(token: str | None) -> int | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    prefix, _, value = raw.partition(":")
    last = parse_id(value) if prefix == "k1" else None
    if last is None:
        raise ValidationFailed("That page_token is not one this list gave out.",
                               field="page_token")
    return last


def page_size_of(size: int | None) -> int:
    if size is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size is 1 to {MAX_PAGE_SIZE}.", field="page_size")
    return size
