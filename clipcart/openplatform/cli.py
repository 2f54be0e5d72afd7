"""``clipcart apps create`` and ``clipcart apps grant``: apps and tokens for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

import click


def _out(payload: Mapping[str, object], as_json: bool, human: str) -> None:
    click.echo(json.dumps(payload) if as_json else human)


def _fail(message: str, code: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"error": {"code": code, "message": message}}))
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group("apps")
def apps_group() -> None:
    """Seller API apps (TikTok Shop Partner API compatible)."""


@apps_group.command("create")
@click.option("--name", required=True, help="The app's name, shown to sellers.")
@click.option("--redirect-url", default="", help="Where sellers return after authorizing.")
@click.option("--owner-email", default="",
              help="The user (by e-mail) who owns the app and sees its developer page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def create(name: str, redirect_url: str, owner_email: str, as_json: bool) -> None:
    """Register an app; prints its app_key and app_secret (the secret is shown once)."""
    from clipcart.db import get_database
    from clipcart.errors import DomainError
    from clipcart.openplatform import apps

    try:
        with get_database().transaction() as session:
            app, secret = apps.create_app(session, name, redirect_url=redirect_url,
                                          owner_email=owner_email)
            payload = {"app_key": app.app_key, "app_secret": secret, "service_id": str(app.id),
                       "name": app.name, "owner_user_id":
                       str(app.owner_user_id) if app.owner_user_id is not None else None}
    except DomainError as exc:
        _fail(exc.detail, exc.code, as_json)
        return
    _out(payload, as_json, f"App {payload['name']}: app_key {payload['app_key']}, "
                           f"app_secret {secret} (keep it; it is not shown again).")


@apps_group.command("grant")
@click.option("--app-key", required=True)
@click.option("--shop-id", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def grant(app_key: str, shop_id: str, as_json: bool) -> None:
    """Authorize an app on a shop without the browser; prints tokens and the shop cipher."""
    from clipcart.db import get_database
    from clipcart.ids import parse_id
    from clipcart.openplatform import apps, grants
    from clipcart.shops.models import Shop

    with get_database().transaction() as session:
        app = apps.by_key(session, app_key)
        parsed = parse_id(shop_id)
        shop = session.get(Shop, parsed) if parsed is not None else None
        if app is None or shop is None:
            _fail("No such app or shop.", "NOT_FOUND", as_json)
            return
        pair = grants.grant_for_script(session, app, shop)
        payload = {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
                   "shop_cipher": grants.shop_cipher(shop.id),
                   "access_token_expire_in": pair.access_expires}
    _out(payload, as_json, f"access_token {payload['access_token']}\n"
                           f"refresh_token {payload['refresh_token']}\n"
                           f"shop_cipher {payload['shop_cipher']}")
