"""Settlement: delivered orders become the seller's money, refunds come from escrow before
and are clawed back after, and every order's books close to the minor unit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clipcart.finance import service as finance
from tests.checkout_support import balance, buyer, invariants, listing
from tests.finance_support import aftersales, books, deliver, paid_order, refund, settlement_row
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_a_delivered_order_settles_to_the_seller_after_the_settlement_days(
        client, db, frozen_clock):
    # given a GB order of one 10.00 dress (VAT included) delivered today
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    row = settlement_row(db, bought.order_id)
    assert bought.total == 1000 + 299  # 2.99 shipping under 20.00
    # fee base = 10.00 less its VAT (1.67); 9% of 8.33 = 0.7497 -> 0.75
    assert (row.fee_base_minor, row.referral_fee_minor, row.tax_minor) == (833, 75, 0)
    assert row.due_at == row.delivered_at + timedelta(days=7)
    # when the job runs a minute before it is due, nothing moves
    frozen_clock.advance(days=7)
    frozen_clock.advance(seconds=-60)
    assert finance.settle_due(db) == 0
    # then at the due time the seller gets the total less the fee
    frozen_clock.advance(seconds=60)
    assert finance.settle_due(db) == 1
    assert finance.settle_due(db) == 0
    assert balance(db, f"seller:{bought.shop_id}:available") == 1299 - 75
    assert balance(db, "platform:fees") == 75
    assert balance(db, "escrow") == 0
    assert settlement_row(db, bought.order_id).status == "SETTLED"
    assert books(db, bought) == books(db, bought).__class__(1299, 1224, 75, 0, 0)
    assert invariants(db) == []


def test_us_sales_tax_goes_to_the_platform_and_the_fee_ignores_it(client, db, frozen_clock):
    item = listing(client, market="US", price="40.00", list_price=None)
    bought = paid_order(client, buyer(client, "US"), item, country="US")
    deliver(db, frozen_clock, bought.order_id)
    row = settlement_row(db, bought.order_id)
    assert row.tax_minor > 0 and row.fee_base_minor == 4000
    assert row.referral_fee_minor == 240  # 6% of 40.00
    frozen_clock.advance(days=7)
    assert finance.settle_due(db) == 1
    assert balance(db, "platform:tax", "USD") == row.tax_minor
    assert balance(db, f"seller:{bought.shop_id}:available", "USD") == (
        bought.total - 240 - row.tax_minor)
    result = books(db, bought)
    assert result.paid == result.seller + result.fees + result.tax + result.refunds


def test_a_refund_before_settlement_comes_from_escrow_and_shrinks_the_fee(
        client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    # when 5.00 of 12.99 is refunded before settlement
    refund(db, bought, 500)
    assert balance(db, "escrow") == 799
    row = settlement_row(db, bought.order_id)
    # fee share: 75 x 500 / 1299 = 28.87 -> 29
    assert (row.refunded_minor, row.fee_refunded_minor) == (500, 29)
    frozen_clock.advance(days=7)
    assert finance.settle_due(db) == 1
    # then the seller gets what escrow holds less the fee left (75 - 29)
    assert balance(db, f"seller:{bought.shop_id}:available") == 799 - 46
    assert balance(db, "platform:fees") == 46
    assert books(db, bought) == books(db, bought).__class__(1299, 753, 46, 0, 500)
    assert invariants(db) == []


def test_a_full_refund_before_settlement_leaves_nothing_to_settle(client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    refund(db, bought, bought.total)
    frozen_clock.advance(days=7)
    assert finance.settle_due(db) == 1
    assert balance(db, "escrow") == 0
    assert balance(db, f"seller:{bought.shop_id}:available") == 0
    assert books(db, bought) == books(db, bought).__class__(1299, 0, 0, 0, 1299)


def test_a_refund_after_settlement_is_clawed_back_and_may_overdraw_the_seller(
        client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    assert finance.settle_due(db) == 1
    # when the whole order is refunded after settlement
    refund(db, bought, 1299)
    # then the fee comes back from the platform and the rest from the seller (GB: no
    # refund administration fee)
    assert balance(db, "platform:fees") == 0
    assert balance(db, f"seller:{bought.shop_id}:available") == 0
    assert books(db, bought) == books(db, bought).__class__(1299, 0, 0, 0, 1299)
    assert invariants(db) == []


def test_a_us_refund_after_settlement_keeps_the_refund_administration_fee(
        client, db, frozen_clock):
    item = listing(client, market="US", price="40.00", list_price=None)
    bought = paid_order(client, buyer(client, "US"), item, country="US")
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    assert finance.settle_due(db) == 1
    row = settlement_row(db, bought.order_id)
    seller = f"seller:{bought.shop_id}:available"
    before = balance(db, seller, "USD")
    refund(db, bought, bought.total)
    # 20% of the 2.40 fee returned = 0.48 (under the 5.00 cap) stays with the platform,
    # paid by the seller
    assert balance(db, "platform:fees", "USD") == 48
    assert balance(db, "platform:tax", "USD") == 0
    assert balance(db, seller, "USD") == before - (bought.total - 240 - row.tax_minor) - 48
    assert balance(db, seller, "USD") == -48
    result = books(db, bought)
    assert (result.paid, result.seller, result.fees, result.tax, result.refunds) == (
        bought.total, -48, 48, 0, bought.total)


def test_an_open_return_blocks_settlement_until_it_closes(client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    aftersales(db, "opened", bought, "R1", type="REFUND_ONLY")
    aftersales(db, "opened", bought, "R1", type="REFUND_ONLY")  # a repeat counts once
    frozen_clock.advance(days=8)
    assert finance.settle_due(db) == 0
    aftersales(db, "closed", bought, "R1", outcome="REJECTED")
    aftersales(db, "closed", bought, "R1", outcome="REJECTED")
    assert settlement_row(db, bought.order_id).open_requests == 0
    assert finance.settle_due(db) == 1
    assert balance(db, f"seller:{bought.shop_id}:available") == 1224


def test_a_cancelled_paid_order_is_refunded_from_escrow_and_never_settles(
        client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    who = buyer(client)
    bought = paid_order(client, who, item)
    answer = client.post(f"/api/v1/orders/{bought.order_id}/cancel",
                         json={"reason": "changed my mind"},
                         headers={**who.headers, "Idempotency-Key": "c1"})
    assert answer.status_code == 200, answer.text
    assert balance(db, "escrow") == 0
    frozen_clock.advance(days=30)
    assert finance.settle_due(db) == 0
    assert books(db, bought) == books(db, bought).__class__(1299, 0, 0, 0, 1299)


def test_the_periodic_jobs_settle_and_close_days_with_the_clock(client, db, frozen_clock):
    from clipcart.finance import jobs
    from clipcart.jobs import huey

    registered = set(huey._registry._registry)
    assert {f"clipcart.finance.jobs.finance.{name}" for name in (
        "settle_due", "run_payouts", "check_returns", "scheduled_payouts",
        "close_statements")} <= registered
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    assert jobs.settle_due_orders.call_local() == 0
    frozen_clock.advance(days=7)
    assert jobs.settle_due_orders.call_local() == 1
    frozen_clock.advance(days=1)
    assert jobs.close_statements.call_local() == 1
    assert balance(db, f"seller:{bought.shop_id}:available") == 1224
