"""The category tree: loaded from the data file, idempotently, with attributes and fees."""

import json
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import func, select

from clipcart.catalog.categories import (
    attributes_of,
    category_by_path,
    category_tree,
    ensure_categories,
    referral_fee_rate,
    subtree_ids,
)
from clipcart.catalog.models import Category, CategoryAttribute
from clipcart.cli import main
from clipcart.db import transaction

SMALL_TREE = """
[sets.apparel]
attributes = [
  { name = "Colour", sales_option = true, values = ["Red", "Blue"] },
  { name = "Material", required = true, values = ["Cotton", "Linen"] },
]

[[categories]]
path = "Fashion"
referral_fee = "0.07"

[[categories]]
path = "Fashion/Dresses"
sets = ["apparel"]

[[categories]]
path = "Fashion/Shirts"
sets = ["apparel"]
referral_fee = "0.05"
attributes = [{ name = "Material", values = ["Cotton"] }]

[[categories]]
path = "Weapons/Knives"
prohibited = true
"""


def test_the_packaged_tree_has_about_forty_leaves_across_every_department():
    with transaction() as session:
        report = ensure_categories(session)
        tree = category_tree(session)
    leaves = [c for c in tree if c.is_leaf]
    tops = {c.path.split("/")[0] for c in tree}
    assert report.created == len(tree)
    assert 40 <= len(leaves) <= 60
    assert {"Womenswear", "Menswear", "Beauty & Personal Care", "Phones & Electronics",
            "Home & Kitchen", "Food & Beverages", "Toys & Hobbies", "Sports & Outdoor",
            "Weapons", "Tobacco & Vaping"} <= tops
    assert {c.path for c in leaves if c.prohibited} == {
        "Weapons/Firearms & Ammunition", "Weapons/Knives & Bladed Weapons",
        "Tobacco & Vaping/Cigarettes & Cigars", "Tobacco & Vaping/E-cigarettes & Vapes"}


def test_syncing_twice_changes_nothing_the_second_time():
    with transaction() as session:
        ensure_categories(session)
        count = session.execute(select(func.count()).select_from(CategoryAttribute)).scalar_one()
    with transaction() as session:
        again = ensure_categories(session)
        assert session.execute(select(func.count()).select_from(CategoryAttribute)) \
            .scalar_one() == count
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged > 40


def test_attributes_come_from_sets_and_the_category_overrides_them():
    with transaction() as session:
        ensure_categories(session, SMALL_TREE)
        shirts = category_by_path(session, "Fashion/Shirts")
        dresses = category_by_path(session, "Fashion/Dresses")
        shirt_attrs = [(a.name, a.required, a.is_sales_option, a.values)
                       for a in attributes_of(session, shirts.id)]
        dress_attrs = [a.name for a in attributes_of(session, dresses.id)]
        fashion = category_by_path(session, "Fashion")
        knives = category_by_path(session, "Weapons/Knives")
        weapons = category_by_path(session, "Weapons")
    assert shirt_attrs == [("Colour", False, True, ["Red", "Blue"]),
                           ("Material", False, False, ["Cotton"])]
    assert dress_attrs == ["Colour", "Material"]
    assert (fashion.is_leaf, shirts.is_leaf, shirts.parent_id) == (False, True, fashion.id)
    assert (knives.prohibited, weapons.prohibited) == (True, False)


def test_a_changed_file_updates_in_place_and_never_deletes_a_category():
    with transaction() as session:
        ensure_categories(session, SMALL_TREE)
        before = category_by_path(session, "Fashion/Shirts").id
    changed = SMALL_TREE.replace('values = ["Cotton"] }', 'values = ["Cotton", "Silk"] }') \
        .replace('[[categories]]\npath = "Weapons/Knives"\nprohibited = true\n', "")
    with transaction() as session:
        report = ensure_categories(session, changed)
        shirts = category_by_path(session, "Fashion/Shirts")
        material = [a.values for a in attributes_of(session, shirts.id) if a.name == "Material"]
        still_there = category_by_path(session, "Weapons/Knives")
    assert (report.created, report.updated) == (0, 1)
    assert shirts.id == before
    assert material == [["Cotton", "Silk"]]
    assert still_there is not None


def test_the_referral_fee_is_the_nearest_override_or_the_markets_default():
    with transaction() as session:
        ensure_categories(session, SMALL_TREE)
        shirts = category_by_path(session, "Fashion/Shirts").id
        dresses = category_by_path(session, "Fashion/Dresses").id
        knives = category_by_path(session, "Weapons/Knives").id
        assert referral_fee_rate(session, shirts, "GB") == Decimal("0.05")
        assert referral_fee_rate(session, dresses, "GB") == Decimal("0.07")
        assert referral_fee_rate(session, knives, "GB") == Decimal("0.09")
        assert referral_fee_rate(session, None, "US") == Decimal("0.06")


def test_a_parent_category_filter_covers_its_subtree():
    with transaction() as session:
        ensure_categories(session, SMALL_TREE)
        fashion = category_by_path(session, "Fashion")
        ids = set(subtree_ids(session, fashion.id))
        paths = set(session.execute(select(Category.path).where(Category.id.in_(ids))).scalars())
    assert paths == {"Fashion", "Fashion/Dresses", "Fashion/Shirts"}


def test_the_cli_syncs_and_prints_json():
    runner = CliRunner()
    first = runner.invoke(main, ["catalog", "categories", "sync", "--json"])
    second = runner.invoke(main, ["catalog", "categories", "sync", "--json"])
    assert first.exit_code == 0, first.output
    created = json.loads(first.output)["created"]
    assert created > 40
    assert json.loads(second.output) == {"created": 0, "updated": 0, "unchanged": created}
