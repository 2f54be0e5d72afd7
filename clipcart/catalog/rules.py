"""The automatic listing audit: rules from ``data/audit_rules.toml``, checked on submission.

``check`` is pure: it gets what the listing says and returns findings, each with the action
the configuration gives its rule ("review": an operator decides; "reject": it fails now).
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from clipcart.markets import market
from clipcart.money import Money

RULES = ("prohibited_category", "missing_images", "missing_required_attribute",
         "prohibited_word", "list_price_ratio", "price_below_minimum")
ACTIONS = ("review", "reject")


@dataclass(frozen=True)
class AuditRules:
    actions: Mapping[str, str]
    prohibited_categories: Mapping[str, tuple[str, ...]]  # "all" or a market code -> paths
    words: tuple[str, ...]
    max_list_price_ratio: Decimal
    minimum_price: Mapping[str, str]  # market code -> major units

    def prohibited_paths(self, market_code: str) -> tuple[str, ...]:
        return (*self.prohibited_categories.get("all", ()),
                *self.prohibited_categories.get(market_code, ()))


def parse_rules(text: str) -> AuditRules:
    raw = tomllib.loads(text, parse_float=Decimal)
    actions = {str(k): str(v) for k, v in raw.get("rules", {}).items()}
    for rule in RULES:
        if actions.get(rule) not in ACTIONS:
            raise ValueError(f"audit rules: [rules] {rule} must be one of {ACTIONS}")
    price = raw.get("price", {})
    return AuditRules(
        actions=actions,
        prohibited_categories={str(k): tuple(str(p) for p in v)
                               for k, v in raw.get("prohibited_categories", {}).items()},
        words=tuple(str(w).casefold() for w in raw.get("prohibited_words", {}).get("words", [])),
        max_list_price_ratio=Decimal(str(price.get("max_list_price_ratio", 10))),
        minimum_price={str(k): str(v) for k, v in price.get("minimum", {}).items()},
    )


def _rules_text() -> str:
    configured = os.environ.get("CLIPCART_AUDIT_RULES_FILE", "")
    if configured:
        return Path(configured).read_text(encoding="utf-8")
    return resources.files("clipcart").joinpath("data/audit_rules.toml").read_text("utf-8")


@lru_cache(maxsize=1)
def get_rules() -> AuditRules:
    return parse_rules(_rules_text())


@dataclass(frozen=True)
class Finding:
    code: str  # the rule
    message: str  # for the seller and the operator
    action: str  # "review" or "reject"

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "action": self.action}


@dataclass(frozen=True)
class SkuPrice:
    seller_sku: str
    price_minor: int
    list_price_minor: int | None


@dataclass(frozen=True)
class Listing:
    """What the audit reads: the submitted snapshot, its category and the shop's market."""

    market: str
    currency: str
    title: str
    description: str
    brand: str
    attributes: Mapping[str, Any]
    options: Sequence[Mapping[str, Any]]
    image_count: int
    skus: Sequence[SkuPrice]
    category_path: str
    category_prohibited: bool
    required_attributes: Sequence[str]


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=8)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _texts(listing: Listing) -> list[tuple[str, str]]:
    texts = [("title", listing.title), ("description", listing.description),
             ("brand", listing.brand)]
    texts += [(f"attribute {k}", str(v)) for k, v in listing.attributes.items()]
    for option in listing.options:
        texts.append((f"option {option.get('name', '')}",
                      " / ".join([str(option.get("name", "")),
                                  *map(str, option.get("values", []))])))
    return texts


def _word_findings(listing: Listing, rules: AuditRules) -> list[Finding]:
    pattern = _word_pattern(rules.words)
    if pattern is None:
        return []
    found: dict[str, list[str]] = {}
    for where, text in _texts(listing):
        for match in pattern.finditer(_normal(text)):
            found.setdefault(match.group(0), [])
            if where not in found[match.group(0)]:
                found[match.group(0)].append(where)
    return [Finding("prohibited_word", f"“{word}” is on the prohibited words list "
                    f"(in the {', '.join(places)}).", rules.actions["prohibited_word"])
            for word, places in found.items()]


def _price_findings(listing: Listing, rules: AuditRules) -> list[Finding]:
    where = market(listing.market)
    findings = []
    minimum_text = rules.minimum_price.get(listing.market)
    minimum = where.parse_price(minimum_text) if minimum_text else None
    for sku in listing.skus:
        price = Money(sku.price_minor, listing.currency)
        if minimum is not None and price < minimum:
            findings.append(Finding(
                "price_below_minimum",
                f"{sku.seller_sku}: the price {where.format(price)} is below the lowest sensible "
                f"price in {where.name} ({where.format(minimum)}).",
                rules.actions["price_below_minimum"]))
        if sku.list_price_minor is not None and \
                Decimal(sku.list_price_minor) > rules.max_list_price_ratio * sku.price_minor:
            findings.append(Finding(
                "list_price_ratio",
                f"{sku.seller_sku}: the list price "
                f"{where.format(Money(sku.list_price_minor, listing.currency))} is more than "
                f"{rules.max_list_price_ratio} times the price {where.format(price)}.",
                rules.actions["list_price_ratio"]))
    return findings


def check(listing: Listing, rules: AuditRules | None = None) -> list[Finding]:
    """Every rule the listing breaks; an empty list means it may go live."""
    rules = rules or get_rules()
    findings: list[Finding] = []
    path = listing.category_path
    banned = [p for p in rules.prohibited_paths(listing.market)
              if path == p or path.startswith(p + "/")]
    if listing.category_prohibited or banned:
        everywhere = listing.category_prohibited or any(
            p in rules.prohibited_categories.get("all", ()) for p in banned)
        suffix = "" if everywhere else f" in {market(listing.market).name}"
        findings.append(Finding("prohibited_category",
                                f"Products in “{path}” cannot be sold on clipcart{suffix}.",
                                rules.actions["prohibited_category"]))
    if listing.image_count == 0:
        findings.append(Finding("missing_images", "Add at least one image of the product.",
                                rules.actions["missing_images"]))
    missing = [name for name in listing.required_attributes
               if not str(listing.attributes.get(name, "")).strip()]
    if missing:
        findings.append(Finding("missing_required_attribute",
                                f"Fill in the required attributes of “{path}”: "
                                f"{', '.join(missing)}.",
                                rules.actions["missing_required_attribute"]))
    findings += _word_findings(listing, rules)
    findings += _price_findings(listing, rules)
    return findings
