"""Card tokenization at the sandbox provider: validation, and no card number kept anywhere."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from clipcart.models import metadata
from clipcart.money import Money
from clipcart.payments import service
from clipcart.payments.sandbox.models import PspCardToken
from tests.payments_helpers import (
    CHALLENGE,
    DECLINED,
    NO_FUNDS,
    RETURN_URL,
    SUCCEEDS,
    count,
    pay,
    psp,  # noqa: F401
    tokenize,
)

GOOD = {"number": SUCCEEDS, "exp_month": 12, "exp_year": 2031, "cvc": "737"}


@pytest.mark.parametrize(("change", "status", "code", "field"), [
    ({"number": "4242 4242 4242 4241"}, 400, "INCORRECT_NUMBER", "number"),
    ({"number": "4242"}, 400, "INVALID_NUMBER", "number"),
    ({"number": "4242abcd42424242"}, 400, "INVALID_NUMBER", "number"),
    ({"number": "42424242424242424242"}, 400, "INVALID_NUMBER", "number"),
    ({"exp_month": 13}, 400, "INVALID_EXPIRY_MONTH", "exp_month"),
    ({"exp_month": 0}, 400, "INVALID_EXPIRY_MONTH", "exp_month"),
    ({"exp_year": 2019}, 400, "EXPIRED_CARD", "exp_year"),
    ({"exp_year": 2026, "exp_month": 10}, 400, "EXPIRED_CARD", "exp_year"),
    ({"exp_year": 2099}, 400, "INVALID_EXPIRY_YEAR", "exp_year"),
    ({"cvc": "12"}, 400, "INVALID_CVC", "cvc"),
    ({"cvc": "12a"}, 400, "INVALID_CVC", "cvc"),
    ({"number": "378282246310005", "cvc": "123"}, 400, "INVALID_CVC", "cvc"),
])
def test_a_bad_card_gets_a_clear_4xx_and_no_token(client, db, frozen_clock, change, status,
                                                   code, field):
    frozen_clock.current = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    response = client.post("/psp-sandbox/v1/tokens", json={**GOOD, **change})
    assert response.status_code == status
    problem = response.json()
    assert (problem["code"], problem["field"]) == (code, field)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert count(db, PspCardToken) == 0


@pytest.mark.parametrize("body", [{}, {"number": SUCCEEDS}, {**GOOD, "pin": "1234"},
                                  {**GOOD, "exp_month": "twelve"}])
def test_malformed_token_requests_are_refused(client, db, body):
    response = client.post("/psp-sandbox/v1/tokens", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert count(db, PspCardToken) == 0


def test_a_card_expiring_this_month_is_still_accepted(client, db, frozen_clock):
    frozen_clock.current = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    response = client.post("/psp-sandbox/v1/tokens",
                           json={**GOOD, "exp_month": 11, "exp_year": 26})
    assert response.status_code == 201
    assert response.json()["card"] == {"brand": "visa", "last4": "4242", "exp_month": 11,
                                       "exp_year": 2026}


@pytest.mark.parametrize(("number", "cvc", "brand", "behaviour"), [
    (SUCCEEDS, "737", "visa", "succeed"),
    (DECLINED, "737", "visa", "decline"),
    (NO_FUNDS, "737", "visa", "insufficient_funds"),
    (CHALLENGE, "737", "visa", "challenge"),
    ("5555 5555 5555 4444", "737", "mastercard", "succeed"),
    ("3782-822463-10005", "7373", "amex", "succeed"),
])
def test_a_token_keeps_only_brand_last4_expiry_and_behaviour(client, db, number, cvc, brand,
                                                             behaviour):
    token = tokenize(client, number, cvc=cvc)
    with db.sessions() as session:
        row = session.execute(select(PspCardToken).where(PspCardToken.token == token)
                              ).scalar_one()
    digits = number.replace(" ", "").replace("-", "")
    assert (row.brand, row.last4, row.exp_month, row.exp_year, row.behaviour) == (
        brand, digits[-4:], 12, 2031, behaviour)


def _every_value(db) -> list[str]:
    values: list[str] = []
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):
                values.extend(json.dumps(v) if isinstance(v, dict | list) else str(v)
                              for v in row if v is not None)
    return values


def test_no_table_anywhere_holds_the_card_number_or_cvc(client, db, psp, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    cvc = "9184"
    number = "3714 496353 98431"  # a valid American Express number
    digits = number.replace(" ", "")
    token = tokenize(client, number, cvc=cvc)
    client.post("/psp-sandbox/v1/tokens", json={**GOOD, "number": "4242424242424241"})
    client.post("/psp-sandbox/v1/tokens", json={**GOOD, "cvc": "98x"})
    paid = service.start_payment(db, reference="checkout:pan-scan", amount=Money(1500, "USD"),
                                 payment_token=token, return_url=RETURN_URL,
                                 idempotency_key="pan-scan")
    assert paid.status == "PAID"
    pay(db, client, CHALLENGE)
    values = _every_value(db)
    assert len(values) > 50  # the scan saw the tokens, payments, events and webhooks
    for value in values:
        assert digits not in value
        assert digits[:12] not in value and digits[-12:] not in value
        assert "4242424242424241" not in value
        assert value != cvc and f'"{cvc}"' not in value and '"cvc"' not in value
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert digits not in logged and "4242424242424241" not in logged
    assert re.search(rf"\b{cvc}\b", logged) is None
