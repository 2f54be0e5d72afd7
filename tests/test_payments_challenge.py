"""The challenge page of cards that need authentication, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from clipcart.payments import service
from clipcart.payments.sandbox import service as sandbox
from tests.payments_helpers import (
    CHALLENGE,
    RETURN_URL,
    TESTSERVER,
    outbox,
    pay,
    provider_payment,
    psp,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("psp")


def _open(client: Any, url: str) -> tuple[Any, dict[str, str]]:
    page = client.get(url.removeprefix(TESTSERVER))
    fields = dict(re.findall(r'name="(session|nonce)" value="([^"]+)"', page.text))
    return page, fields


def _answer(client: Any, url: str, fields: dict[str, str], action: str) -> Any:
    path = url.removeprefix(TESTSERVER).split("?")[0]
    return client.post(path, data={**fields, "action": action}, follow_redirects=False)


def test_completing_the_challenge_pays_and_returns_to_the_merchant(client, db):
    result = pay(db, client, CHALLENGE)
    assert result.next_action is not None
    url = result.next_action["redirect_url"]
    page, fields = _open(client, url)
    assert page.status_code == 200
    assert "Kestrel Pay" in page.text and "$25.99" in page.text
    assert "Visa •••• 3220" in page.text and "Complete authentication" in page.text
    answer = _answer(client, url, fields, "complete")
    payment_id = result.intent.provider_payment_id
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{RETURN_URL}?payment_id={payment_id}&status=succeeded"
    with db.sessions() as session:
        intent = service.get_intent(session, result.intent_id)
    assert intent is not None and intent.status == "CAPTURED"  # told by the webhook
    assert [e["captured_minor"] for e in outbox(db, "payments.captured")] == [2599]
    reopened, _ = _open(client, url)
    assert "Already authenticated" in reopened.text
    assert _answer(client, url, fields, "fail").status_code == 403  # the nonce was spent
    assert provider_payment(client, str(payment_id))["status"] == "succeeded"


def test_failing_the_challenge_fails_the_payment(client, db):
    result = pay(db, client, CHALLENGE, capture="manual")
    assert result.next_action is not None
    url = result.next_action["redirect_url"]
    _, fields = _open(client, url)
    answer = _answer(client, url, fields, "fail")
    assert answer.headers["location"].endswith("status=failed")
    with db.sessions() as session:
        intent = service.get_intent(session, result.intent_id)
    assert intent is not None
    assert (intent.status, intent.decline_code) == ("FAILED", "authentication_failed")
    assert [e["decline_code"] for e in outbox(db, "payments.failed")] == [
        "authentication_failed"]


def test_a_manual_capture_challenge_ends_authorized(client, db):
    result = pay(db, client, CHALLENGE, capture="manual")
    assert result.next_action is not None
    url = result.next_action["redirect_url"]
    _, fields = _open(client, url)
    assert _answer(client, url, fields, "complete").headers["location"].endswith(
        "status=authorized")
    assert service.capture(db, result.intent_id).status == "CAPTURED"


def test_a_forged_or_foreign_answer_is_refused_and_changes_nothing(client, db):
    result = pay(db, client, CHALLENGE)
    assert result.next_action is not None
    url = result.next_action["redirect_url"]
    _, fields = _open(client, url)
    forged = _answer(client, url, {**fields, "nonce": "0" * 64}, "complete")
    assert forged.status_code == 403
    assert "This authentication form has expired" in forged.text
    client.cookies.clear()  # another browser: it has no nonce cookie
    assert _answer(client, url, fields, "complete").status_code == 403
    wrong_link = client.get(url.removeprefix(TESTSERVER).split("?")[0] + "?session=nope")
    assert wrong_link.status_code == 404
    assert "This authentication link is not valid." in wrong_link.text
    payment = provider_payment(client, str(result.intent.provider_payment_id))
    assert payment["status"] == "requires_action"


def test_an_abandoned_challenge_expires_and_frees_the_reference(client, db, frozen_clock):
    result = pay(db, client, CHALLENGE, reference="checkout:11")
    frozen_clock.advance(minutes=29)
    with db.transaction() as session:
        assert sandbox.expire_challenges(session) == 0
    frozen_clock.advance(minutes=2)
    with db.transaction() as session:
        assert sandbox.expire_challenges(session) == 1
    frozen_clock.advance(seconds=1)
    with db.sessions() as session:
        intent = service.get_intent(session, result.intent_id)
    assert intent is not None
    assert (intent.status, intent.decline_code) == ("FAILED", "authentication_expired")
    assert service.reconcile(db, older_than=timedelta(minutes=2)) == 0
    assert pay(db, client, reference="checkout:11").status == "PAID"
