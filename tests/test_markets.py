from decimal import Decimal

import pytest

from clipcart.markets import UnknownMarket, get_markets, market, parse_markets
from clipcart.money import Money


def test_exactly_the_eight_markets_load_with_their_currencies():
    markets = get_markets()
    assert [m.code for m in markets] == ["ID", "MY", "PH", "SG", "TH", "GB", "US", "VN"]
    assert {m.code: m.currency for m in markets} == {
        "ID": "IDR", "MY": "MYR", "PH": "PHP", "SG": "SGD", "TH": "THB", "GB": "GBP",
        "US": "USD", "VN": "VND"}
    assert "DE" not in markets
    with pytest.raises(UnknownMarket):
        market("DE")


def test_numbers_are_decimals_never_floats():
    gb = market("GB")
    assert gb.tax.rate == Decimal("0.20")
    assert gb.tax.mode == "inclusive"
    assert market("US").tax.by_state is True
    assert gb.referral_fee == Decimal("0.09")
    assert isinstance(get_markets().rule("affiliate_commission_rate")[0], Decimal)
    assert market("US").extra["refund_admin_fee"]["cap_minor"] == 500


def test_prices_display_in_the_market_locale():
    assert market("ID").format(market("ID").parse_price("15000")) == "Rp15.000"
    assert market("VN").format(Money(15000, "VND")) == "15.000\xa0₫"
    assert market("GB").format(Money(2490, "GBP")) == "£24.90"
    assert market("TH").as_json(Money(2490, "THB")) == {"amount": "24.90", "currency": "THB"}


def test_a_market_file_with_other_numbers_is_read_not_assumed():
    text = """
[platform]
markets = ["SG"]
unpaid_order_ttl_minutes = 5
[markets.SG]
name = "Singapore"
currency = "SGD"
minor_unit = 2
price_digits = 2
locale = "en_SG"
timezone = "Asia/Singapore"
tax = { mode = "inclusive", rate = 0.08, name = "GST" }
referral_fee = 0.04
settlement_days = 3
return_days = 10
"""
    markets = parse_markets(text)
    assert [m.code for m in markets] == ["SG"]
    assert markets.get("sg").tax.rate == Decimal("0.08")  # type: ignore[union-attr]
    assert markets.rule("unpaid_order_ttl_minutes") == 5
