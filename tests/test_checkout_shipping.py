from clipcart.checkout.shipping import ShippingRule, default_rule
from clipcart.markets import get_markets
from clipcart.money import Money


def test_every_market_has_a_default_rate_in_its_currency():
    for m in get_markets():
        rule = default_rule(m.code)
        assert rule.flat_fee.currency == m.currency
        assert rule.free_above is not None and rule.free_above.currency == m.currency


def test_flat_fee_until_the_free_threshold():
    rule = ShippingRule(Money(299, "GBP"), Money(2000, "GBP"))
    assert rule.fee_for(Money(1999, "GBP")) == Money(299, "GBP")
    assert rule.fee_for(Money(2000, "GBP")) == Money(0, "GBP")
    assert default_rule("GB").describe("GB") == "Standard shipping £2.99, free from £20.00"
    assert default_rule("ID").fee_for(Money(100_000_00, "IDR")) == Money(15000_00, "IDR")
