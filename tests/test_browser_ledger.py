"""An operator walks the books in a real chromium: accounts, a statement, a reference."""

import pytest

from clipcart.identity import service as identity
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.money import Money
from tests.browser import artifacts_dir, browser_page, live_server
from tests.helpers import PASSWORD
from tests.ledger_helpers import fund, move, usd

pytestmark = pytest.mark.browser


def _books(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        identity.create_operator(session, "ops@example.com", PASSWORD)
        ledger.post(session, key="cap:1", kind="payment.captured", reference="order:1001",
                    transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(4_980))])
        ledger.post(session, key="settle:1", kind="settlement", reference="order:1001",
                    transfers=[move(codes.ESCROW, codes.seller_available(3), usd(4_233), "sale"),
                               move(codes.ESCROW, codes.PLATFORM_FEES, usd(249), "referral fee"),
                               move(codes.ESCROW, codes.creator_available(9), usd(498),
                                    "commission")])
        ledger.hold(session, key="payout:1", kind="payout", reference="payout:1",
                    transfers=[move(codes.seller_available(3), codes.EXTERNAL_BANK, usd(4_000),
                                    require_funds=True)])
        fund(session, codes.coins(8), Money(150_000, "VND"), reference="recharge:1")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844},
                                      {"width": 1280, "height": 900}])
def test_an_operator_reads_the_books_in_a_browser(app, db, viewport):
    _books(db)
    shots = artifacts_dir()
    size = "mobile" if viewport["width"] < 800 else "desktop"
    with live_server(app) as base, browser_page(viewport) as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill("ops@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        page.get_by_role("link", name="Ledger").first.click()
        page.wait_for_url(f"{base}/operator/ledger")
        assert page.get_by_role("heading", name="Ledger").is_visible()
        assert page.get_by_test_id("books").inner_text().count("Balanced") == 2
        page.screenshot(path=str(shots / f"ledger-accounts-{size}.png"), full_page=True)

        page.get_by_label("Account code starts with").fill("seller:")
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("link", name="seller:3:available").click()
        assert page.get_by_role("heading", name="seller:3:available USD").is_visible()
        page.screenshot(path=str(shots / f"ledger-statement-{size}.png"), full_page=True)

        page.get_by_role("link", name="order:1001").click()
        assert page.get_by_role("heading", name="order:1001").is_visible()
        assert page.get_by_text("referral fee").is_visible()
        page.screenshot(path=str(shots / f"ledger-reference-{size}.png"), full_page=True)
