from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipcart.checkout.tax import InclusiveTax, StateSalesTax, strategy_for, us_state_rates
from clipcart.errors import ValidationFailed
from clipcart.markets import market
from clipcart.money import Money


def test_inclusive_vat_is_the_share_inside_the_price():
    gb = strategy_for(market("GB"))
    line = gb.line_tax(Money(1200, "GBP"), "")
    assert line.tax == Money(200, "GBP")  # 12.00 incl. 20% VAT holds 2.00
    assert line.adds_to_total is False
    sg = strategy_for(market("SG")).line_tax(Money(10900, "SGD"), "")
    assert sg.tax == Money(900, "SGD")


def test_us_sales_tax_is_added_by_ship_to_state():
    us = strategy_for(market("US"))
    assert us.mode == "exclusive"
    ca = us.line_tax(Money(10000, "USD"), "ca")
    assert ca.tax == Money(725, "USD") and ca.adds_to_total is True
    assert us.line_tax(Money(10000, "USD"), "OR").tax == Money(0, "USD")
    with pytest.raises(ValidationFailed):
        us.line_tax(Money(10000, "USD"), "ZZ")
    assert len(us_state_rates()) == 51


@given(st.integers(min_value=0, max_value=10**12),
       st.sampled_from(["0.07", "0.09", "0.10", "0.11", "0.12", "0.20"]))
def test_inclusive_tax_rounds_once_within_half_a_unit(minor, rate):
    tax = InclusiveTax(Decimal(rate)).line_tax(Money(minor, "THB"), "").tax
    exact = Fraction(minor) * Fraction(rate) / (1 + Fraction(rate))
    assert abs(tax.minor - exact) <= Fraction(1, 2)
    assert 0 <= tax.minor <= minor


@given(st.integers(min_value=0, max_value=10**12))
def test_state_tax_never_goes_negative(minor):
    tax = StateSalesTax({"TX": Decimal("0.0625")}).line_tax(Money(minor, "USD"), "TX").tax
    assert 0 <= tax.minor <= minor
