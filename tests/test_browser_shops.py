"""A new seller's first day, in a real chromium: sign up, apply, get approved, invite."""

import pytest

from clipcart.db import get_database
from clipcart.identity import service as identity
from tests.browser import artifacts_dir, browser_page, live_server
from tests.shops_world import clear_mail, sent_mail

pytestmark = pytest.mark.browser
PASSWORD = "a long password"


def _log_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def _log_out(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/")
    page.get_by_label("Account menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/")


def test_sign_up_apply_get_approved_and_invite_a_colleague(app):
    shots = artifacts_dir()
    clear_mail()
    with get_database().transaction() as session:
        identity.create_operator(session, "ops@example.com", "operator-pass-1")
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/signup")
        page.get_by_label("E-mail").fill("maker@example.com")
        page.get_by_label("Handle").fill("linen_maker")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Country").select_option("GB")
        page.get_by_label("Birth date").fill("1991-06-30")
        page.get_by_role("button", name="Sign up").click()
        page.wait_for_url(f"{base}/")

        page.locator(".tabbar").get_by_role("link", name="Seller Center").click()
        page.wait_for_url(f"{base}/seller")
        assert "Sell on clipcart." in page.content()
        page.get_by_role("link", name="Open a shop").first.click()
        page.get_by_label("Shop name").fill("Linen Studio")
        assert page.get_by_label("Market").input_value() == "GB"  # the user's own market
        page.get_by_label("What do you sell?").fill("Linen dresses and shirts, made in Leeds.")
        page.screenshot(path=str(shots / "shops-apply.png"), full_page=True)
        page.get_by_role("button", name="Send application").click()
        assert page.get_by_role("status").inner_text().startswith(
            "Application for Linen Studio sent.")
        assert page.locator(".status.warn").inner_text() == "Pending"
        page.screenshot(path=str(shots / "shops-pending.png"), full_page=True)
        _log_out(page, base)

        _log_in(page, base, "ops@example.com", "operator-pass-1")
        page.goto(f"{base}/operator")
        applications = page.get_by_role("link", name="Shop applications")
        assert applications.get_by_test_id("waiting").inner_text() == "1 waiting for review"
        page.get_by_role("link", name="Shop applications").click()
        page.wait_for_url(f"{base}/operator/shops")
        assert "Linen dresses and shirts, made in Leeds." in page.content()
        page.screenshot(path=str(shots / "shops-operator-queue.png"), full_page=True)
        page.get_by_role("button", name="Approve Linen Studio").click()
        assert page.get_by_role("status").inner_text().startswith("Approved.")
        assert "No applications are waiting." in page.content()
        _log_out(page, base)

        _log_in(page, base, "maker@example.com", PASSWORD)
        assert page.get_by_test_id("unread").inner_text() == "2"  # welcome + approved
        page.goto(f"{base}/seller")
        page.wait_for_url(f"{base}/seller/*")  # the only approved shop opens directly
        assert page.get_by_role("heading", name="Linen Studio", level=1).is_visible()
        assert "1 of 3 done" in page.content()  # the description came with the application
        page.screenshot(path=str(shots / "shops-dashboard.png"), full_page=True)

        page.locator(".seller-nav").get_by_role("link", name="Staff").click()
        page.get_by_label("E-mail").fill("packer@example.com")
        page.locator(".invite-form").get_by_label("Role").select_option("fulfillment")
        page.get_by_role("button", name="Send invitation").click()
        assert page.get_by_role("status").inner_text().startswith("Invitation sent.")
        assert page.get_by_test_id("invitations-table").inner_text().count(
            "packer@example.com") == 1
        page.screenshot(path=str(shots / "shops-staff-invited.png"), full_page=True)
    [mail] = sent_mail()
    assert "To: packer@example.com" in mail
    assert "/invitations/" in mail
