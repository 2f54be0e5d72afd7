from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipcart.money import Money, MoneyError

currencies = st.sampled_from(["USD", "IDR", "VND", "GBP", "THB"])
amounts = st.integers(min_value=-(10**15), max_value=10**15)


@given(amounts, currencies, st.lists(st.integers(min_value=0, max_value=1000), min_size=1,
                                     max_size=12).filter(lambda r: sum(r) > 0))
def test_allocation_never_loses_a_minor_unit(minor, currency, ratios):
    parts = Money(minor, currency).allocate(ratios)
    assert sum(p.minor for p in parts) == minor
    assert all(p.currency == currency for p in parts)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Fraction(minor * ratio, sum(ratios))
        assert abs(part.minor - exact) < 1


@given(amounts, currencies, st.integers(min_value=1, max_value=50))
def test_split_parts_differ_by_at_most_one_unit(minor, currency, n):
    parts = Money(minor, currency).split(n)
    assert sum(p.minor for p in parts) == minor
    assert max(p.minor for p in parts) - min(p.minor for p in parts) <= 1


@given(amounts, amounts, currencies)
def test_addition_and_subtraction_are_exact_inverses(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) - y == x
    negated = -x
    assert -negated == x


@given(amounts, st.decimals(min_value=0, max_value=1, places=4, allow_nan=False))
def test_multiply_rounds_once_within_half_a_unit(minor, rate):
    result = Money(minor, "USD").multiply(rate, ROUND_HALF_EVEN)
    assert abs(Fraction(result.minor) - Fraction(minor) * Fraction(rate)) <= Fraction(1, 2)


def test_rounding_modes_at_exactly_half():
    assert Money(5, "USD").multiply("0.5", ROUND_HALF_EVEN).minor == 2
    assert Money(7, "USD").multiply("0.5", ROUND_HALF_EVEN).minor == 4
    assert Money(5, "USD").multiply("0.5", ROUND_HALF_UP).minor == 3
    assert Money(-5, "USD").multiply("0.5", ROUND_HALF_UP).minor == -3
    assert Money(5, "USD").multiply("0.5", "ROUND_FLOOR").minor == 2
    assert Money(1999, "USD").multiply("0.06", ROUND_HALF_UP).minor == 120


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError):
        Money.parse(12.34, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100, "USD").multiply(0.1, ROUND_HALF_UP)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]


def test_parse_respects_digits_and_currency():
    assert Money.parse("12.34", "USD") == Money(1234, "USD")
    assert Money.parse("15000", "IDR", digits=0) == Money(1500000, "IDR")
    assert Money.parse("15000", "VND") == Money(15000, "VND")
    with pytest.raises(MoneyError):
        Money.parse("15000.50", "IDR", digits=0)
    with pytest.raises(MoneyError):
        Money.parse("1.234", "USD")
    with pytest.raises(MoneyError):
        Money.parse("abc", "USD")
    with pytest.raises(MoneyError):
        Money.parse("NaN", "USD")
    with pytest.raises(MoneyError):
        Money(1, "EUR")


def test_mixing_currencies_is_an_error():
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") + Money(1, "GBP")
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") < Money(1, "GBP")


def test_json_and_display():
    assert Money(1234, "USD").as_json() == {"amount": "12.34", "currency": "USD"}
    assert Money(1500000, "IDR").as_json(0) == {"amount": "15000", "currency": "IDR"}
    assert Money(1234, "USD").to_decimal() == Decimal("12.34")
    assert Money(123450, "USD").format("en_US") == "$1,234.50"
    assert Money(1500000, "IDR").format("id_ID", digits=0) == "Rp15.000"
