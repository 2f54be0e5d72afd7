"""A seller authorizes an app on clipcart's authorization page and revokes it, in chromium."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tiktok_shop_api import TikTokShop, TikTokShopAuth, TikTokShopError

from clipcart.db import transaction
from clipcart.openplatform import apps
from tests.browser import artifacts_dir, browser_page, live_server
from tests.catalog_support import make_seller
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_a_seller_authorizes_an_app_and_revokes_it(app: Any, client: Any) -> None:
    shots = artifacts_dir()
    seller = make_seller(client, market="GB", name="Linen Studio")
    with live_server(app) as base, browser_page() as page:
        with transaction() as session:
            made, secret = apps.create_app(session, "Acme ERP", redirect_url=f"{base}/healthz")
            app_key, service_id = made.app_key, str(made.id)
        page.goto(f"{base}/open/authorize?service_id={service_id}&state=s-42")
        page.get_by_label("E-mail").fill(seller.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/open/authorize?**")
        assert page.get_by_test_id("app-name").inner_text() == "Acme ERP"
        page.screenshot(path=str(shots / "openplatform-authorize.png"), full_page=True)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{base}/healthz?**")
        query = parse_qs(urlsplit(page.url).query)
        assert query["state"] == ["s-42"]

        auth = TikTokShopAuth(app_key, secret, base_url=base)
        tokens = auth.exchange_code(query["code"][0])
        api = TikTokShop(app_key, secret, access_token=tokens.access_token, base_url=base)
        shops = api.authorization.get_authorized_shops().data.shops
        assert [s.name for s in shops] == ["Linen Studio"]

        page.goto(f"{base}/seller/{seller.shop_id}/apps")
        row = page.get_by_test_id("apps-table").locator("tbody tr")
        assert "Acme ERP" in row.inner_text() and "Authorized" in row.inner_text()
        page.screenshot(path=str(shots / "openplatform-seller-apps.png"), full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Revoke Acme ERP").click()
        page.wait_for_url(f"{base}/seller/{seller.shop_id}/apps?done=revoked")
        assert page.get_by_role("status").inner_text().startswith("Access revoked")
        assert "Revoked" in row.inner_text()

        with pytest.raises(TikTokShopError) as refused:
            api.authorization.get_authorized_shops()
        assert refused.value.code == 105005
        with pytest.raises(TikTokShopError) as no_refresh:
            auth.refresh(tokens.refresh_token)
        assert no_refresh.value.code == 36004008
