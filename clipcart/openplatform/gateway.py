"""Every Partner API call passes here: version, app, timestamp, signature, rate limit, token,
scope and shop checks in that order, then the resource function in one transaction.

Whatever happens, the answer is HTTP 200 ``{code, message, data, request_id}``; a failed
check or a failed resource function changes nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
from litestar import Request, Response, route
from litestar.datastructures import UploadFile
from litestar.handlers import HTTPRouteHandler
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import get_database
from clipcart.errors import DomainError
from clipcart.openplatform import apps, grants, signing
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.models import OpenApp, OpenGrant
from clipcart.ratelimit import get_limiter
from clipcart.shops.models import Shop

log = logging.getLogger(__name__)
FIRST_VERSION = 202309
TIMESTAMP_PAST, TIMESTAMP_FUTURE = 300, 30
_VERSION = re.compile(r"^(20\d\d)(0[1-9]|1[0-2])$")


def envelope(code: int, message: str, data: Any, request_id: str) -> Response[Any]:
    return Response(content={"code": code, "message": message, "data": data,
                             "request_id": request_id}, status_code=200,
                    media_type="application/json")


def new_request_id() -> str:
    return clock.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def version_ok(raw: str) -> bool:
    match = _VERSION.match(raw)
    if match is None:
        return False
    return FIRST_VERSION <= int(raw) <= (clock.now().year + 1) * 100 + 12


@dataclass
class Call:
    """What a resource function sees of a verified request."""

    app: OpenApp
    grant: OpenGrant | None
    shop: Shop | None
    query: list[tuple[str, str]]
    path_params: dict[str, Any]
    body: bytes
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # multipart parts

    def form_value(self, name: str) -> str | None:
        part = self.files.get(name)
        return part[1].decode("utf-8", "replace") if part is not None and not part[0] else None

    def param(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.query if k == name), default)

    def param_list(self, name: str) -> list[str]:
        """Repeated keys and comma-separated values alike (``ids=a&ids=b``, ``ids=a,b``)."""
        out: list[str] = []
        for key, value in self.query:
            if key == name:
                out.extend(v.strip() for v in value.split(",") if v.strip())
        return out

    def int_param(self, name: str, default: int) -> int:
        raw = self.param(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise OpenError(E.INVALID_PARAMETER, f"{name} must be a whole number.") from None

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            parsed = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise OpenError(E.INVALID_PARAMETER, "The request body is not valid JSON.") from None
        if not isinstance(parsed, dict):
            raise OpenError(E.INVALID_PARAMETER, "The request body must be a JSON object.")
        return parsed

    @property
    def shop_row(self) -> Shop:
        if self.shop is None:
            raise OpenError(E.SHOP_CIPHER_INVALID, "This call needs a shop_cipher.")
        return self.shop


Resource = Callable[[Session, Call], Any]
Method = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class Rule:
    scope: str | None
    needs_shop: bool
    needs_token: bool = True


def _check_app(session: Session, query: list[tuple[str, str]]) -> tuple[OpenApp, str]:
    app_key = next((v for k, v in query if k == "app_key"), "")
    if not app_key:
        raise OpenError(E.MISSING_APP_KEY, "The app_key query parameter is required.")
    app = apps.by_key(session, app_key)
    if app is None:
        raise OpenError(E.UNKNOWN_APP, "The app_key is not a known app.")
    return app, apps.secret_of(app)


def _check_timestamp(query: list[tuple[str, str]]) -> None:
    raw = next((v for k, v in query if k == "timestamp"), "")
    try:
        stamp = int(raw)
    except ValueError:
        raise OpenError(E.BAD_TIMESTAMP, "The timestamp query parameter is required "
                                         "(Unix seconds).") from None
    now = int(clock.now().timestamp())
    if not now - TIMESTAMP_PAST <= stamp <= now + TIMESTAMP_FUTURE:
        raise OpenError(E.BAD_TIMESTAMP, "The timestamp is outside the accepted window "
                                         "(5 minutes before to 30 seconds after now).")


def _check_token(session: Session, app: OpenApp, token: str, rule: Rule) -> OpenGrant:
    if not token:
        raise OpenError(E.TOKEN_MISSING, "The access token is missing "
                                         "(header x-tts-access-token).")
    grant, problem = grants.grant_of_access_token(session, token)
    if grant is None or problem == "invalid" or grant.app_id != app.id:
        raise OpenError(E.TOKEN_INVALID, "The access token is invalid.")
    if problem == "revoked":
        raise OpenError(E.TOKEN_REVOKED, "The access token was revoked by the seller.")
    if problem == "expired":
        raise OpenError(E.TOKEN_EXPIRED, "The access token has expired.")
    if rule.scope is not None and rule.scope not in grant.scopes:
        raise OpenError(E.SCOPE_MISSING, f"The app is not granted the scope {rule.scope}.")
    return grant


def _check_shop(session: Session, grant: OpenGrant, query: list[tuple[str, str]],
                required: bool) -> Shop | None:
    cipher = next((v for k, v in query if k == "shop_cipher"), "")
    if not cipher and not required:
        return None
    if not cipher:
        raise OpenError(E.SHOP_CIPHER_INVALID, "The shop_cipher query parameter is required.")
    if cipher != grants.shop_cipher(grant.shop_id):
        raise OpenError(E.SHOP_CIPHER_INVALID, "The shop_cipher does not name a shop this "
                                               "token is authorized for.")
    shop = session.get(Shop, grant.shop_id)
    if shop is None:
        raise OpenError(E.SHOP_CIPHER_INVALID, "The shop no longer exists.")
    return shop


def _process(path: str, raw_query: bytes, headers: dict[str, str], body: bytes,
             files: dict[str, tuple[str, bytes]], path_params: dict[str, Any], rule: Rule,
             fn: Resource) -> Any:
    try:
        query = signing.query_pairs(raw_query)
    except UnicodeDecodeError:
        raise OpenError(E.INVALID_PARAMETER, "The query string is not UTF-8.") from None
    db = get_database()
    with db.sessions() as session:
        app, secret = _check_app(session, query)
        _check_timestamp(query)
        expected = signing.sign(secret, path, query, body, headers.get("content-type"))
        given = next((v for k, v in query if k == "sign"), "")
        if not given or not signing.signature_matches(expected, given):
            raise OpenError(E.INVALID_SIGN, "The sign query parameter is invalid.")
        allowed, _ = get_limiter().hit(f"open:{app.app_key}", app.rate_limit_per_minute, 60)
        if not allowed:
            raise OpenError(E.RATE_LIMITED, "Too many requests from this app; slow down.")
        grant, shop = None, None
        if rule.needs_token:
            token = headers.get("x-tts-access-token") or next(
                (v for k, v in query if k == "access_token"), "")
            grant = _check_token(session, app, token, rule)
            shop = _check_shop(session, grant, query, rule.needs_shop)
        app_id, grant_id, shop_id = app.id, grant.id if grant else None, shop.id if shop else None
    with db.transaction() as session:
        call = Call(app=session.get(OpenApp, app_id),  # type: ignore[arg-type]
                    grant=session.get(OpenGrant, grant_id) if grant_id else None,
                    shop=session.get(Shop, shop_id) if shop_id else None, query=query,
                    path_params=path_params, body=body, files=files)
        return fn(session, call)


async def dispatch(request: Request[Any, Any, Any], rule: Rule, fn: Resource) -> Response[Any]:
    request_id = new_request_id()
    try:
        version = str(request.path_params.get("version", ""))
        if "version" in request.path_params and not version_ok(version):
            raise OpenError(E.UNKNOWN_PATH, f"Unsupported API version {version!r}.")
        body = await request.body()
        files: dict[str, tuple[str, bytes]] = {}
        headers = {k.lower(): v for k, v in request.headers.items()}
        if headers.get("content-type", "").lower().startswith("multipart/form-data"):
            form = await request.form()
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[name] = (value.filename or name, await value.read())
                else:
                    files[name] = ("", str(value).encode())
        params = {k: v for k, v in request.path_params.items() if k != "version"}
        data = await anyio.to_thread.run_sync(functools.partial(
            _process, request.url.path, request.scope.get("query_string", b""), headers, body,
            files, params, rule, fn))
    except OpenError as exc:
        return envelope(exc.code, exc.message, None, request_id)
    except DomainError as exc:
        error = E.from_domain(exc)
        return envelope(error.code, error.message, None, request_id)
    except Exception:
        log.exception("Seller API call %s failed", request.url.path)
        return envelope(E.INTERNAL, "Internal error; the request changed nothing.", None,
                        request_id)
    return envelope(0, "Success", data if data is not None else {}, request_id)


def partner(method: Method, group: str, rest: str, *, scope: str | None, shop: bool = True,
            summary: str, token: bool = True) -> Callable[[Resource], HTTPRouteHandler]:
    """One handler for every version of ``/{group}/{version}/{rest}``."""
    rule = Rule(scope, shop, token)

    def register(fn: Resource) -> HTTPRouteHandler:
        async def handler(request: Request[Any, Any, Any]) -> Response[Any]:
            return await dispatch(request, rule, fn)

        handler.__name__ = handler.__qualname__ = f"open_{fn.__name__}"
        return route(f"/{group}/{{version:str}}/{rest}" if rest else f"/{group}/{{version:str}}",
                     http_method=[method], name=f"open.{group}.{fn.__name__}", status_code=200,
                     operation_id=f"open_{group}_{fn.__name__}", summary=summary,
                     tags=[f"Seller API: {group}"], opt={"exclude_from_csrf": True},
                     description=f"Partner API `{method} /{group}/{{version}}/{rest}`; every "
                                 f"version from {FIRST_VERSION} on.")(handler)

    return register


def _unknown(request: Request[Any, Any, Any]) -> Response[Any]:
    return envelope(E.UNKNOWN_PATH, f"Unknown API path {request.url.path}.", None,
                    new_request_id())


def other_method_handlers(routes: list[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """A known path called with a method it does not take answers 36009014, not 405."""
    taken: dict[str, set[str]] = {}
    for known in routes:
        for path in known.paths:
            taken.setdefault(path, set()).update(known.http_methods)
    out = []
    for index, (path, methods) in enumerate(sorted(taken.items())):
        free: list[Any] = [m for m in ("GET", "POST", "PUT", "DELETE", "PATCH")
                           if m not in methods]

        async def handler(request: Request[Any, Any, Any]) -> Response[Any]:
            return _unknown(request)

        handler.__name__ = handler.__qualname__ = f"open_other_method_{index}"
        out.append(route(path, http_method=free, name=f"open.other.{index}", status_code=200,
                         include_in_schema=False, opt={"exclude_from_csrf": True})(handler))
    return out


def unknown_path_handlers(groups: list[str]) -> list[HTTPRouteHandler]:
    """Paths of a Partner API group that clipcart does not serve answer 36009014."""
    out = []
    for group in groups:
        async def handler(request: Request[Any, Any, Any]) -> Response[Any]:
            return _unknown(request)

        handler.__name__ = handler.__qualname__ = f"open_unknown_{group}"
        out.append(route(f"/{group}/{{version:str}}/{{rest:path}}",
                         http_method=["GET", "POST", "PUT", "DELETE", "PATCH"],
                         name=f"open.unknown.{group}", include_in_schema=False, status_code=200,
                         opt={"exclude_from_csrf": True})(handler))
    return out
