"""A buyer's card asks for authentication: the challenge page in a real chromium."""

from __future__ import annotations

import pytest

from clipcart.money import Money
from clipcart.payments import service
from tests.browser import artifacts_dir, browser_page
from tests.payments_helpers import CHALLENGE, live_psp  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_challenge_page_completes_the_payment_in_a_browser(db, live_psp):  # noqa: F811
    base, provider = live_psp
    token = provider.client.post(f"{base}/psp-sandbox/v1/tokens", json={
        "number": CHALLENGE, "exp_month": 4, "exp_year": 2032, "cvc": "321"}).json()["token"]
    result = service.start_payment(db, reference="checkout:browser",
                                   amount=Money(4990, "GBP"), payment_token=token,
                                   return_url=f"{base}/", idempotency_key="browser-1")
    assert result.status == "REQUIRES_ACTION" and result.next_action is not None
    shots = artifacts_dir()
    with browser_page() as page:
        page.goto(result.next_action["redirect_url"])
        assert page.get_by_role("heading", name="Confirm it's you").is_visible()
        assert page.get_by_test_id("amount").inner_text() == "£49.90"
        page.screenshot(path=str(shots / "payments-challenge.png"), full_page=True)
        page.get_by_role("button", name="Complete authentication").click()
        page.wait_for_url(f"{base}/?payment_id={result.intent.provider_payment_id}"
                          f"&status=succeeded")
        page.screenshot(path=str(shots / "payments-challenge-returned.png"), full_page=True)
        page.goto(result.next_action["redirect_url"])
        assert page.get_by_role("heading", name="Already authenticated").is_visible()
        page.screenshot(path=str(shots / "payments-challenge-done.png"), full_page=True)
    with db.sessions() as session:
        intent = service.get_intent(session, result.intent_id)
    assert intent is not None
    assert (intent.status, intent.captured) == ("CAPTURED", Money(4990, "GBP"))
