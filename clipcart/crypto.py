"""AES-GCM for personal data at rest (addresses, phone numbers, bank accounts).

``CLIPCART_PII_KEYS`` holds one or more base64 keys; the first encrypts, every one decrypts,
so a key is rotated by putting a new one first and re-encrypting (``reencrypt``) at leisure.
A ciphertext names its key by a short fingerprint, never by position.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clipcart.config import get_settings

VERSION = "v1"


class DecryptionFailed(ValueError):
    """The ciphertext is malformed, altered, or under a key no longer configured."""


def _decode_key(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(raw) not in (16, 24, 32):
        raise SystemExit("CLIPCART_PII_KEYS: each key must be 16, 24 or 32 bytes, base64-encoded")
    return raw


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"clipcart-pii:" + key).hexdigest()[:8]


@lru_cache(maxsize=1)
def _keys() -> tuple[tuple[str, AESGCM], ...]:
    keys = [_decode_key(k) for k in get_settings().pii_keys]
    if not keys:
        raise SystemExit("no PII key configured")
    return tuple((fingerprint(k), AESGCM(k)) for k in keys)


def encrypt(plaintext: str, context: str = "") -> str:
    """Encrypt text; ``context`` (e.g. "address") is bound as associated data."""
    key_id, aead = _keys()[0]
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), f"{VERSION}:{context}".encode())
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{VERSION}:{key_id}:{body}"


def decrypt(token: str, context: str = "") -> str:
    try:
        version, key_id, body = token.split(":", 2)
    except ValueError:
        raise DecryptionFailed("not a clipcart ciphertext") from None
    if version != VERSION:
        raise DecryptionFailed(f"unknown ciphertext version {version!r}")
    aead = dict(_keys()).get(key_id)
    if aead is None:
        raise DecryptionFailed(f"no configured key {key_id!r} (was it removed too early?)")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return aead.decrypt(raw[:12], raw[12:], f"{VERSION}:{context}".encode()).decode()
    except InvalidTag:
        raise DecryptionFailed("ciphertext was altered or the context differs") from None


def needs_rotation(token: str) -> bool:
    return token.split(":", 2)[1] != _keys()[0][0]


def reencrypt(token: str, context: str = "") -> str:
    """The same plaintext under the current key (a no-op when it already uses it)."""
    return encrypt(decrypt(token, context), context) if needs_rotation(token) else token


def reset_keys() -> None:
    _keys.cache_clear()
