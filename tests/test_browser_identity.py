"""A new user signs up, logs out and logs in again, in a real chromium."""

import pytest

from tests.browser import artifacts_dir, browser_page, live_server

pytestmark = pytest.mark.browser


def test_sign_up_log_out_and_log_in_in_a_browser(app):
    shots = artifacts_dir()
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.get_by_role("link", name="Create your account").click()
        page.get_by_label("E-mail").fill("browser@example.com")
        page.get_by_label("Handle").fill("browser_buyer")
        page.get_by_label("Password").fill("a long password")
        page.get_by_label("Country").select_option("SG")
        page.get_by_label("Birth date").fill("1995-07-14")
        page.screenshot(path=str(shots / "identity-signup-form.png"), full_page=True)
        page.get_by_role("button", name="Sign up").click()
        page.wait_for_url(f"{base}/")
        assert "You're shopping in" in page.content()
        assert page.get_by_test_id("unread").inner_text() == "1"  # the welcome notification
        page.screenshot(path=str(shots / "identity-signed-up-home.png"), full_page=True)

        page.get_by_label("Account menu").click()
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/")
        assert page.get_by_role("link", name="Log in").first.is_visible()

        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill("browser@example.com")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Log in").click()
        assert page.get_by_role("alert").inner_text() == "Wrong e-mail or password."
        page.get_by_label("Password").fill("a long password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/notifications")
        assert "Welcome to clipcart" in page.content()
        page.screenshot(path=str(shots / "identity-logged-in-inbox.png"), full_page=True)
