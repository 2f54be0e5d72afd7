"""Domain errors with stable codes. The web layer turns them into problem+json or pages."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 400
    code = "VALIDATION_ERROR"
    title = "Invalid input"

    def __init__(self, detail: str, *, field: str | None = None, **kwargs: Any) -> None:
        extra = kwargs.pop("extra", None) or {}
        if field:
            extra["field"] = field
        super().__init__(detail, extra=extra, **kwargs)
        self.field = field


class Unauthorized(DomainError):
    status = 401
    code = "UNAUTHORIZED"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "FORBIDDEN"
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    title = "Conflict"


class RateLimited(DomainError):
    status = 429
    code = "RATE_LIMITED"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after
