import base64
import os

import pytest

from clipcart import crypto
from clipcart.config import get_settings, reset_settings


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def keys(monkeypatch):
    def use(*values: str) -> None:
        monkeypatch.setenv("CLIPCART_PII_KEYS", ",".join(values))
        reset_settings()
        crypto.reset_keys()

    yield use
    monkeypatch.delenv("CLIPCART_PII_KEYS")
    reset_settings()
    crypto.reset_keys()
    get_settings()


def test_round_trip_hides_the_plaintext_and_binds_the_context(keys):
    keys(_key())
    token = crypto.encrypt("12 Orchard Rd, 238826 Singapore", "address")
    assert "Orchard" not in token
    assert crypto.decrypt(token, "address") == "12 Orchard Rd, 238826 Singapore"
    assert crypto.encrypt("same", "address") != crypto.encrypt("same", "address")  # fresh nonce
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, "phone")


def test_tampering_is_detected(keys):
    keys(_key())
    token = crypto.encrypt("+65 9123 4567", "phone")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(flipped, "phone")


def test_rotation_keeps_old_data_readable_and_reencrypts_it(keys):
    old, new = _key(), _key()
    keys(old)
    token = crypto.encrypt("Jl. Sudirman 1, Jakarta", "address")
    keys(new, old)
    assert crypto.decrypt(token, "address") == "Jl. Sudirman 1, Jakarta"
    assert crypto.needs_rotation(token)
    rotated = crypto.reencrypt(token, "address")
    assert not crypto.needs_rotation(rotated)
    keys(new)
    assert crypto.decrypt(rotated, "address") == "Jl. Sudirman 1, Jakarta"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, "address")
