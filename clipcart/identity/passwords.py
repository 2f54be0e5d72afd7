"""Argon2id password hashing. ``CLIPCART_PASSWORD_PROFILE=fast`` is for test suites only."""

from __future__ import annotations

import os
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    if os.environ.get("CLIPCART_PASSWORD_PROFILE") == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the e-mail is unknown, so both paths cost the same time.
@lru_cache(maxsize=1)
def decoy_hash() -> str:
    return hash_password("clipcart-decoy-password")
