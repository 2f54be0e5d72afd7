"""Partner API error codes: every failure answers HTTP 200 with its own code and message."""

from __future__ import annotations

from clipcart.errors import Conflict, DomainError, Forbidden, NotFound, RateLimited

UNKNOWN_PATH = 36009014  # unknown group or path, or a malformed/unsupported version
INVALID_PARAMETER = 36009004
NOT_FOUND = 36009008
CONFLICT = 36009009
INTERNAL = 36009003
RATE_LIMITED = 36009007
INVALID_SIGN = 106001
MISSING_APP_KEY = 106002
UNKNOWN_APP = 106003
BAD_TIMESTAMP = 106004
TOKEN_MISSING = 105000
TOKEN_INVALID = 105001
TOKEN_EXPIRED = 105002
TOKEN_REVOKED = 105005
SCOPE_MISSING = 106005
SHOP_CIPHER_INVALID = 106006


class OpenError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def from_domain(exc: DomainError) -> OpenError:
    """A domain error of a service, as the Partner API reports it."""
    field = exc.extra.get("field")
    message = f"{exc.detail} ({field})" if field else exc.detail
    if isinstance(exc, NotFound):
        return OpenError(NOT_FOUND, message)
    if isinstance(exc, RateLimited):
        return OpenError(RATE_LIMITED, message)
    if isinstance(exc, Forbidden):
        return OpenError(SCOPE_MISSING, message)
    if isinstance(exc, Conflict):
        return OpenError(CONFLICT, f"{exc.code}: {message}")
    return OpenError(INVALID_PARAMETER, message)
