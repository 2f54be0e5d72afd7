"""Errors as problem+json on ``/api`` and as friendly pages everywhere else.

Every error answer carries a stable upper-case ``code``. Anything unexpected is logged and
answered as a 500 problem; a test walks bad input to make sure none reaches here.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from clipcart.errors import DomainError, RateLimited, Unauthorized

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED", "Authentication required"),
    403: ("FORBIDDEN", "Not allowed"),
    404: ("NOT_FOUND", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    409: ("CONFLICT", "Conflict"),
    413: ("PAYLOAD_TOO_LARGE", "Request body too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
    422: ("UNPROCESSABLE", "Unprocessable request"),
    429: ("RATE_LIMITED", "Too many requests"),
    500: ("INTERNAL_ERROR", "Something went wrong"),
    503: ("UNAVAILABLE", "Service unavailable"),
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/psp-sandbox/", "/schema")) or path in {
        "/healthz", "/readyz"}


def problem(status: int, code: str, title: str, detail: str, request: Request[Any, Any, Any],
            extra: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://clipcart.dev/problems/{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type="application/problem+json",
                    headers=headers)


def error_page(request: Request[Any, Any, Any], status: int, title: str,
               detail: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Template("errors/error.html", context={"status": status, "title": title,
                                                  "detail": detail},
                    status_code=status, media_type=MediaType.HTML, headers=headers)


def _validation_detail(exc: ValidationException) -> tuple[str, list[dict[str, Any]]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for err in errors:
        if isinstance(err, dict):
            where = err.get("key") or err.get("source") or ""
            parts.append(f"{where}: {err.get('message', '')}".strip(": "))
    detail = "; ".join(parts) or str(exc.detail)
    return detail, [e for e in errors if isinstance(e, dict)]


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if wants_json(request):
        return problem(exc.status, exc.code, exc.title, exc.detail, request, exc.extra, headers)
    if isinstance(exc, Unauthorized) and request.method == "GET":
        return Redirect(f"/login?next={request.url.path}")
    return error_page(request, exc.status, exc.title, exc.detail, headers)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code, title = HTTP_CODES.get(status, ("HTTP_ERROR", "Error"))
    extra: dict[str, Any] | None = None
    detail = str(exc.detail)
    if isinstance(exc, ValidationException):
        code, title = "VALIDATION_ERROR", "Invalid input"
        detail, errors = _validation_detail(exc)
        extra = {"errors": errors}
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, detail)
    if wants_json(request):
        return problem(status, code, title, detail, request, extra, exc.headers)
    return error_page(request, status, title, detail, exc.headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    detail = "An unexpected error occurred. It has been logged."
    if wants_json(request):
        return problem(500, "INTERNAL_ERROR", "Something went wrong", detail, request)
    return error_page(request, 500, "Something went wrong", detail)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
