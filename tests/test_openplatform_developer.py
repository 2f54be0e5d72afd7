"""The app owner's developer pages: their apps and each one's webhook delivery log; owners
are named by the operator (console form or ``clipcart apps create --owner-email``)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from clipcart.cli import main
from clipcart.db import transaction
from clipcart.identity import service as identity
from clipcart.openplatform import apps, webhooks
from clipcart.openplatform.models import OpenApp, WebhookDelivery
from tests.catalog_support import log_in
from tests.checkout_support import buy, buyer, listing
from tests.helpers import csrf_form, signup
from tests.openplatform_support import make_grant, signed_call
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
HOOK = "https://erp.example/orders-hook"


def _failing() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(503, text="busy")))


def _owned_app(owner_email: str) -> tuple[int, tuple[str, str]]:
    with transaction() as session:
        app, secret = apps.create_app(session, "Acme ERP", redirect_url="https://erp.example/cb",
                                      owner_email=owner_email)
        return app.id, (app.app_key, secret)


def _app_with_an_order_webhook(client: Any) -> tuple[int, dict[str, Any], Any]:
    """Given a developer's app granted on a shop, subscribed to order status changes, and a
    paid order whose notifications the endpoint answers with 503."""
    developer = signup(client, country="GB")
    shop = listing(client)
    app_id, key = _owned_app(developer["email"])
    grant = make_grant(shop.seller.shop_id, key)
    answer = signed_call(client, grant, "PUT", "/event/202309/webhooks",
                         body={"address": HOOK, "event_type": "ORDER_STATUS_CHANGE"})
    assert answer["code"] == 0, answer
    with webhooks.use_http_client(_failing()):
        paid = buy(client, buyer(client), shop.sku_ids[0])
    assert paid.status_code == 200, paid.text
    return app_id, developer, shop


def _deliveries(app_id: int) -> list[WebhookDelivery]:
    with transaction() as session:
        return list(session.execute(select(WebhookDelivery).where(
            WebhookDelivery.app_id == app_id).order_by(WebhookDelivery.id.desc())).scalars())


def test_the_owner_sees_their_app_and_its_delivery_log(client: Any) -> None:
    app_id, developer, _shop = _app_with_an_order_webhook(client)
    sent = _deliveries(app_id)
    assert [(d.event_type, d.address, d.status, d.attempts, d.last_status_code, d.last_error)
            for d in sent] == [("ORDER_STATUS_CHANGE", HOOK, "PENDING", 1, 503, "busy")]
    log_in(client, developer["email"])

    overview = client.get("/developer")
    assert overview.status_code == 200
    assert "Acme ERP" in overview.text and f'href="/developer/apps/{app_id}"' in overview.text
    assert 'hx-get="/developer/menu-link"' in overview.text  # the account menu asks for it

    page = client.get(f"/developer/apps/{app_id}")
    assert page.status_code == 200
    text = page.text
    assert HOOK in text and "Linen Studio" in text and "seller.order.info" in text
    assert "Delivered 0 · pending 1 · failed 0" in text
    assert sent[0].notification_id in text and "ORDER_STATUS_CHANGE" in text
    assert '<dd data-testid="authorized-shops">1</dd>' in text
    assert "busy" in text and "next " in text


def test_the_delivery_log_is_newest_first_and_keyset_paginated(client: Any) -> None:
    app_id, developer, shop = _app_with_an_order_webhook(client)
    with webhooks.use_http_client(_failing()):
        assert buy(client, buyer(client), shop.sku_ids[0]).status_code == 200
    newest, oldest = _deliveries(app_id)
    with transaction() as session:
        first = webhooks.deliveries_of_app(session, app_id, None, page_size=1)
        second = webhooks.deliveries_of_app(session, app_id, first.next_page_token, page_size=1)
    assert [d.id for d in first.items + second.items] == [newest.id, oldest.id]
    assert second.next_page_token is None
    log_in(client, developer["email"])
    whole = client.get(f"/developer/apps/{app_id}").text
    assert whole.index(newest.notification_id) < whole.index(oldest.notification_id)
    assert "Delivered 0 · pending 2 · failed 0" in whole
    older = client.get(f"/developer/apps/{app_id}", params={"page_token": first.next_page_token})
    assert older.status_code == 200
    assert oldest.notification_id in older.text and newest.notification_id not in older.text
    bad = client.get(f"/developer/apps/{app_id}", params={"page_token": "junk"})
    assert bad.status_code == 400


def test_someone_who_does_not_own_the_app_gets_404_and_no_menu_link(client: Any) -> None:
    app_id, developer, shop = _app_with_an_order_webhook(client)
    log_in(client, shop.seller.email)
    assert client.get(f"/developer/apps/{app_id}").status_code == 404
    assert client.get("/developer/apps/not-an-id").status_code == 404
    assert "Acme ERP" not in client.get("/developer").text
    assert client.get("/developer/menu-link").text == ""
    log_in(client, developer["email"])
    assert 'href="/developer"' in client.get("/developer/menu-link").text


def test_anonymous_visitors_are_sent_to_log_in(client: Any) -> None:
    app_id, _developer, _shop = _app_with_an_order_webhook(client)
    client.cookies.clear()
    answer = client.get(f"/developer/apps/{app_id}", follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert answer.headers["location"] == f"/login?next=/developer/apps/{app_id}"
    assert client.get("/developer", follow_redirects=False).headers["location"] == \
        "/login?next=/developer"


def _app_count() -> int:
    with transaction() as session:
        return session.execute(select(func.count()).select_from(OpenApp)).scalar_one()


def test_the_cli_names_an_owner_and_refuses_an_unknown_email(client: Any) -> None:
    developer = signup(client, country="GB")
    runner = CliRunner()
    made = runner.invoke(main, ["apps", "create", "--name", "Script", "--owner-email",
                                developer["email"].upper(), "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["owner_user_id"] == developer["user"]["id"]
    refused = runner.invoke(main, ["apps", "create", "--name", "Other", "--owner-email",
                                   "nobody@example.com", "--json"])
    assert refused.exit_code == 1
    assert json.loads(refused.output) == {"error": {
        "code": "UNKNOWN_OWNER", "message": "No user has that e-mail address."}}
    assert _app_count() == 1


def test_the_operator_form_names_an_owner_and_refuses_an_unknown_email(client: Any) -> None:
    developer = signup(client, country="GB")
    with transaction() as session:
        identity.create_operator(session, "ops@example.com", "operator-pass-1")
    client.cookies.clear()
    token = csrf_form(client, "/login")
    client.post("/login", data={"_csrf_token": token, "email": "ops@example.com",
                                "password": "operator-pass-1", "next": "/"})
    token = csrf_form(client, "/operator/apps")
    refused = client.post("/operator/apps", data={"_csrf_token": token, "name": "Acme ERP",
                                                  "owner_email": "nobody@example.com"})
    assert refused.status_code == 400 and "No user has that e-mail address." in refused.text
    assert _app_count() == 0
    made = client.post("/operator/apps", data={"_csrf_token": token, "name": "Acme ERP",
                                               "owner_email": developer["email"]})
    assert made.status_code == 200
    with transaction() as session:
        owned = apps.apps_of_owner(session, int(developer["user"]["id"]))
    assert [a.name for a in owned] == ["Acme ERP"]
