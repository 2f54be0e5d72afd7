"""Fee rules: category overrides loaded from a data file, refund shares that add up, the US
refund administration fee and its cap."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipcart.finance import fees
from tests.checkout_support import buyer, listing
from tests.finance_support import deliver, paid_order, settlement_row
from tests.payments_helpers import psp  # noqa: F401


@pytest.fixture
def rules_file(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "referral_fees.toml"
    monkeypatch.setenv("CLIPCART_REFERRAL_FEES_FILE", str(path))
    yield path
    fees.reset_rules()


def test_the_us_refund_administration_fee_is_a_share_of_the_fee_returned_up_to_a_cap():
    assert fees.admin_fee("US", 240) == 48  # 20% of 2.40
    assert fees.admin_fee("US", 3000) == 500  # 20% of 30.00 capped at 5.00
    assert fees.admin_fee("GB", 3000) == 0  # no such fee in GB
    split = fees.split_clawback("US", 4000, 240, 300)
    assert (split.seller, split.fee, split.tax, split.admin_fee) == (3508, 192, 300, 48)
    assert split.seller + split.fee + split.tax == 4000


@given(fee=st.integers(0, 10_000), tax=st.integers(0, 5_000), extra=st.integers(1, 50_000),
       cuts=st.lists(st.integers(1, 20_000), min_size=1, max_size=6))
def test_refund_shares_never_lose_a_minor_unit(fee, tax, extra, cuts):
    total = fee + tax + extra
    refunded, fee_back, tax_back = 0, 0, 0
    for cut in [*cuts, total]:  # the last refund takes whatever is left
        amount = min(cut, total - refunded)
        if amount <= 0:
            break
        f, t = fees.refund_shares(fee_total=fee, tax_total=tax, order_total=total,
                                  refunded_before=refunded, amount=amount)
        assert f >= 0 and t >= 0 and f + t <= amount + 1
        refunded, fee_back, tax_back = refunded + amount, fee_back + f, tax_back + t
    assert (refunded, fee_back, tax_back) == (total, fee, tax)


@pytest.mark.usefixtures("psp")
def test_a_category_override_for_the_market_sets_the_referral_fee(
        client, db, frozen_clock, rules_file):
    rules_file.write_text('[GB]\n"Womenswear" = "0.05"\n[US]\n"Womenswear/Dresses" = "0.1"\n')
    fees.reset_rules()
    assert fees.fee_overrides()["GB"] == {"Womenswear": Decimal("0.05")}
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    row = settlement_row(db, bought.order_id)
    assert (row.fee_base_minor, row.referral_fee_minor) == (833, 42)  # 5% of 8.33 = 0.4165


def test_a_rate_outside_zero_to_one_is_refused(rules_file):
    rules_file.write_text('[GB]\n"Womenswear" = "1.5"\n')
    fees.reset_rules()
    with pytest.raises(ValueError, match="not a share"):
        fees.fee_overrides()
