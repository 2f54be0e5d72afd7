"""The automatic audit rules, read from configuration."""

from dataclasses import replace

import pytest

from clipcart.catalog.rules import Listing, SkuPrice, check, get_rules, parse_rules

CLEAN = Listing(market="GB", currency="GBP", title="Linen summer dress",
                description="Breathable linen.", brand="Acme",
                attributes={"Material": "Linen"},
                options=[{"name": "Colour", "values": ["Red", "Gun-metal grey"]}],
                image_count=1, skus=[SkuPrice("DRESS-RED", 2490, 2990)],
                category_path="Womenswear/Dresses", category_prohibited=False,
                required_attributes=["Material"])


def _codes(listing, rules=None):
    return [(f.code, f.action) for f in check(listing, rules)]


def test_a_clean_listing_has_no_findings():
    assert check(CLEAN) == []


def test_prohibited_words_are_found_as_whole_words_in_any_text_and_sent_to_review():
    listing = replace(CLEAN, title="Designer bag REPLICA", description="Ships with a vape.",
                      attributes={"Material": "Linen", "Note": "cigarettes not included"})
    findings = check(listing)
    assert [(f.code, f.action) for f in findings] == [("prohibited_word", "review"),
                                                      ("prohibited_word", "review")]
    assert findings[0].message == "“replica” is on the prohibited words list (in the title)."
    assert findings[1].message == "“vape” is on the prohibited words list (in the description)."


def test_prohibited_categories_are_rejected_from_the_tree_flag_and_the_configuration():
    flagged = replace(CLEAN, category_path="Weapons/Knives & Bladed Weapons",
                      category_prohibited=True)
    configured = replace(CLEAN, category_path="Tobacco & Vaping/Cigarettes & Cigars")
    assert _codes(flagged) == [("prohibited_category", "reject")]
    assert _codes(configured) == [("prohibited_category", "reject")]
    assert check(flagged)[0].message == \
        "Products in “Weapons/Knives & Bladed Weapons” cannot be sold on clipcart."


def test_a_category_can_be_prohibited_in_one_market_only():
    alcohol = replace(CLEAN, category_path="Food & Beverages/Alcoholic Drinks",
                      required_attributes=[])
    assert check(alcohol) == []
    malaysia = replace(alcohol, market="MY", currency="MYR")
    findings = check(malaysia)
    assert [f.code for f in findings] == ["prohibited_category"]
    assert findings[0].message == \
        "Products in “Food & Beverages/Alcoholic Drinks” cannot be sold on clipcart in Malaysia."


def test_missing_images_and_required_attributes_are_rejected():
    listing = replace(CLEAN, image_count=0, attributes={"Material": "  "})
    findings = check(listing)
    assert [(f.code, f.action) for f in findings] == [("missing_images", "reject"),
                                                      ("missing_required_attribute", "reject")]
    assert findings[1].message == \
        "Fill in the required attributes of “Womenswear/Dresses”: Material."


def test_a_list_price_more_than_ten_times_the_price_is_sent_to_review():
    exactly_ten = replace(CLEAN, skus=[SkuPrice("A", 1000, 10000)])
    over = replace(CLEAN, skus=[SkuPrice("A", 1000, 10001)])
    assert check(exactly_ten) == []
    findings = check(over)
    assert _codes(over) == [("list_price_ratio", "review")]
    assert findings[0].message == \
        "A: the list price £100.01 is more than 10 times the price £10.00."


@pytest.mark.parametrize(("market", "currency", "price", "message"), [
    ("GB", "GBP", 49, "A: the price £0.49 is below the lowest sensible price in United "
                      "Kingdom (£0.50)."),
    ("ID", "IDR", 99_900, "A: the price Rp999 is below the lowest sensible price in "
                          "Indonesia (Rp1.000)."),
])
def test_a_price_below_the_markets_minimum_is_sent_to_review(market, currency, price, message):
    listing = replace(CLEAN, market=market, currency=currency, skus=[SkuPrice("A", price, None)])
    findings = check(listing)
    assert [(f.code, f.message) for f in findings] == [("price_below_minimum", message)]


def test_actions_come_from_the_configuration():
    text = """
[rules]
prohibited_category = "review"
missing_images = "review"
missing_required_attribute = "review"
prohibited_word = "reject"
list_price_ratio = "reject"
price_below_minimum = "reject"
[prohibited_words]
words = ["linen"]
[price]
max_list_price_ratio = 1
[price.minimum]
GB = "30.00"
"""
    rules = parse_rules(text)
    assert _codes(CLEAN, rules) == [("prohibited_word", "reject"),
                                    ("price_below_minimum", "reject"),
                                    ("list_price_ratio", "reject")]


def test_a_configuration_with_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="prohibited_word must be one of"):
        parse_rules('[rules]\nprohibited_category = "reject"\nmissing_images = "reject"\n'
                    'missing_required_attribute = "reject"\nprohibited_word = "ban"\n'
                    'list_price_ratio = "review"\nprice_below_minimum = "review"\n')


def test_the_packaged_configuration_has_a_minimum_price_for_every_market():
    from clipcart.markets import get_markets

    assert set(get_rules().minimum_price) == {m.code for m in get_markets()}
