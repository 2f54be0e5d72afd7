"""Token calls (/api/v2/token/get, /refresh) and the authorized shops of a token."""

from __future__ import annotations

import functools
import hmac
import logging
from typing import Any

import anyio
from litestar import Request, Response, get
from sqlalchemy.orm import Session

from clipcart.db import get_database
from clipcart.identity.models import User
from clipcart.openplatform import apps, grants
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, envelope, new_request_id, partner
from clipcart.openplatform.models import OpenApp
from clipcart.ratelimit import get_limiter
from clipcart.shops.models import Shop

log = logging.getLogger(__name__)


def shop_json(shop: Shop) -> dict[str, Any]:
    return {"id": str(shop.id), "name": shop.name, "region": shop.market,
            "seller_type": "LOCAL", "cipher": grants.shop_cipher(shop.id),
            "code": f"CC{shop.id % 10**8:08d}"}


@partner("GET", "authorization", "shops", scope=None, shop=False,
         summary="Get authorized shops")
def authorized_shops(session: Session, call: Call) -> dict[str, Any]:
    assert call.grant is not None
    shop = session.get(Shop, call.grant.shop_id)
    return {"shops": [shop_json(shop)] if shop is not None else []}


@partner("GET", "seller", "shops", scope="seller.shop.info", shop=False,
         summary="Get active shops")
def active_shops(session: Session, call: Call) -> dict[str, Any]:
    assert call.grant is not None
    shop = session.get(Shop, call.grant.shop_id)
    return {"shops": [{"id": str(shop.id), "region": shop.market,
                       "status": "ACTIVE" if shop.status == "APPROVED" else "INACTIVE"}]
            if shop is not None else []}


def _token_data(session: Session, pair: grants.TokenPair, app: OpenApp) -> dict[str, Any]:
    shop = session.get(Shop, pair.grant.shop_id)
    owner = session.get(User, shop.owner_user_id) if shop is not None else None
    return {"access_token": pair.access_token, "access_token_expire_in": pair.access_expires,
            "refresh_token": pair.refresh_token, "refresh_token_expire_in": pair.refresh_expires,
            "open_id": f"cc-{pair.grant.shop_id}-{app.id}",
            "seller_name": shop.name if shop is not None else "",
            "seller_base_region": shop.market if shop is not None else "",
            "user_type": 0, "granted_scopes": list(pair.grant.scopes),
            "seller_handle": owner.handle if owner is not None else ""}


TOKEN_CALLS_PER_MINUTE = 60


def _token_call(query: dict[str, str], grant_type: str, kind: str) -> dict[str, Any]:
    allowed, _ = get_limiter().hit(f"open-token:{query.get('app_key', '')}",
                                   TOKEN_CALLS_PER_MINUTE, 60)
    if not allowed:
        raise OpenError(E.RATE_LIMITED, "Too many token calls for this app; slow down.")
    with get_database().transaction() as session:
        app = apps.by_key(session, query.get("app_key", ""))
        if app is None or not hmac.compare_digest(
                apps.secret_of(app).encode(), query.get("app_secret", "").encode()):
            raise OpenError(E.UNKNOWN_APP, "The app_key or app_secret is wrong.")
        if query.get("grant_type") != grant_type:
            raise OpenError(E.INVALID_PARAMETER, f"grant_type must be {grant_type}.")
        try:
            if kind == "get":
                pair = grants.exchange_code(session, app, query.get("auth_code", ""))
            else:
                pair = grants.refresh(session, app, query.get("refresh_token", ""))
        except grants.GrantError as exc:
            raise OpenError(exc.code, exc.message) from None
        return _token_data(session, pair, app)


async def _token(request: Request[Any, Any, Any], grant_type: str, kind: str) -> Response[Any]:
    request_id = new_request_id()
    query = {k: v for k, v in request.query_params.items()}
    try:
        data = await anyio.to_thread.run_sync(functools.partial(_token_call, query, grant_type,
                                                                kind))
    except OpenError as exc:
        return envelope(exc.code, exc.message, None, request_id)
    except Exception:
        log.exception("token call failed")
        return envelope(E.INTERNAL, "Internal error; the request changed nothing.", None,
                        request_id)
    return envelope(0, "success", data, request_id)


@get("/api/v2/token/get", tags=["Seller API: authorization"], opt={"exclude_from_csrf": True},
     summary="Exchange an auth code for tokens", operation_id="open_token_get")
async def token_get(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _token(request, "authorized_code", "get")


@get("/api/v2/token/refresh", tags=["Seller API: authorization"],
     opt={"exclude_from_csrf": True}, summary="Refresh an access token",
     operation_id="open_token_refresh")
async def token_refresh(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _token(request, "refresh_token", "refresh")


ROUTES = [authorized_shops, active_shops, token_get, token_refresh]
