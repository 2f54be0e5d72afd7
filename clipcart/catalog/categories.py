"""The category tree: loaded from ``data/categories.toml`` and read by editors and the audit.

``ensure_categories`` is idempotent: it creates what is missing, updates what changed and
never deletes a category (products may be listed in it). It runs outside the migrations,
from ``clipcart catalog categories sync``, the demo and ``clipcart serve``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Category, CategoryAttribute
from clipcart.errors import NotFound
from clipcart.ids import new_id
from clipcart.markets import market


@dataclass(frozen=True)
class AttributeSpec:
    name: str
    required: bool = False
    sales_option: bool = False
    values: tuple[str, ...] = ()


@dataclass
class CategorySpec:
    path: str
    position: int
    prohibited: bool = False
    referral_fee_bps: int | None = None
    attributes: list[AttributeSpec] = field(default_factory=list)


@dataclass(frozen=True)
class SyncReport:
    created: int
    updated: int
    unchanged: int

    def as_json(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _fee_bps(raw: Any, path: str) -> int | None:
    if raw is None:
        return None
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{path}: referral_fee {raw!r} is not a number") from None
    bps = rate * 10_000
    if not 0 <= rate <= 1 or bps != bps.to_integral_value():
        raise ValueError(f"{path}: referral_fee must be a share in [0, 1] in whole basis points")
    return int(bps)


def _attribute(raw: dict[str, Any], where: str) -> AttributeSpec:
    name = str(raw.get("name", "")).strip()
    if not name:
        raise ValueError(f"{where}: an attribute without a name")
    return AttributeSpec(name, bool(raw.get("required", False)),
                         bool(raw.get("sales_option", False)),
                         tuple(str(v) for v in raw.get("values", [])))


def parse_categories(text: str) -> list[CategorySpec]:
    """Every category of the file, parents first, with attribute sets expanded."""
    raw = tomllib.loads(text)
    sets = {name: [_attribute(a, f"sets.{name}") for a in body.get("attributes", [])]
            for name, body in raw.get("sets", {}).items()}
    specs: dict[str, CategorySpec] = {}
    for entry in raw.get("categories", []):
        path = "/".join(part.strip() for part in str(entry["path"]).split("/"))
        if not path or any(not part for part in path.split("/")):
            raise ValueError(f"bad category path {entry['path']!r}")
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            specs.setdefault(prefix, CategorySpec(prefix, len(specs)))
        spec = specs[path]
        spec.prohibited = bool(entry.get("prohibited", False))
        spec.referral_fee_bps = _fee_bps(entry.get("referral_fee"), path)
        merged: dict[str, AttributeSpec] = {}
        for set_name in entry.get("sets", []):
            if set_name not in sets:
                raise ValueError(f"{path}: unknown attribute set {set_name!r}")
            for attr in sets[set_name]:
                merged.setdefault(attr.name, attr)  # the first set to name it wins
        for attr_raw in entry.get("attributes", []):
            attr = _attribute(attr_raw, path)
            merged[attr.name] = attr  # the category's own definition wins over a set's
        spec.attributes = list(merged.values())
    return list(specs.values())


def categories_file() -> Path | None:
    configured = os.environ.get("CLIPCART_CATEGORIES_FILE", "")
    return Path(configured) if configured else None


def _categories_text() -> str:
    configured = categories_file()
    if configured is not None:
        return configured.read_text(encoding="utf-8")
    return resources.files("clipcart").joinpath("data/categories.toml").read_text("utf-8")


def _sync_attributes(session: Session, category: Category, specs: list[AttributeSpec]) -> bool:
    existing = {a.name: a for a in session.execute(
        select(CategoryAttribute).where(CategoryAttribute.category_id == category.id)).scalars()}
    changed = False
    for position, spec in enumerate(specs):
        row = existing.pop(spec.name, None)
        wanted = (position, spec.required, spec.sales_option, list(spec.values))
        if row is None:
            session.add(CategoryAttribute(id=new_id(), category_id=category.id, name=spec.name,
                                          position=position, required=spec.required,
                                          is_sales_option=spec.sales_option,
                                          values=list(spec.values)))
            changed = True
        elif (row.position, row.required, row.is_sales_option, list(row.values)) != wanted:
            row.position, row.required, row.is_sales_option = position, spec.required, \
                spec.sales_option
            row.values = list(spec.values)
            changed = True
    for stale in existing.values():  # products keep their values by name; nothing breaks
        session.delete(stale)
        changed = True
    return changed


def ensure_categories(session: Session, text: str | None = None) -> SyncReport:
    """Bring the categories tables in line with the data file (idempotent)."""
    specs = parse_categories(text if text is not None else _categories_text())
    by_path = {c.path: c for c in session.execute(select(Category)).scalars()}
    children = {s.path.rsplit("/", 1)[0] for s in specs if "/" in s.path}
    prohibited_paths = {s.path for s in specs if s.prohibited}
    created = updated = unchanged = 0
    for spec in specs:  # parents come before their children
        parent_path, _, name = spec.path.rpartition("/")
        parent = by_path.get(parent_path) if parent_path else None
        prohibited = any(spec.path == p or spec.path.startswith(p + "/")
                         for p in prohibited_paths)
        fields = {"parent_id": parent.id if parent else None, "name": name,
                  "position": spec.position, "is_leaf": spec.path not in children,
                  "prohibited": prohibited, "referral_fee_bps": spec.referral_fee_bps}
        row = by_path.get(spec.path)
        if row is None:
            row = Category(id=new_id(), path=spec.path, **fields)
            session.add(row)
            session.flush()
            by_path[spec.path] = row
            _sync_attributes(session, row, spec.attributes)
            created += 1
            continue
        dirty = any(getattr(row, key) != value for key, value in fields.items())
        for key, value in fields.items():
            setattr(row, key, value)
        if _sync_attributes(session, row, spec.attributes) or dirty:
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return SyncReport(created, updated, unchanged)


@dataclass(frozen=True)
class CategoryNode:
    id: int
    path: str
    name: str
    depth: int
    is_leaf: bool
    prohibited: bool


def category_tree(session: Session) -> list[CategoryNode]:
    """Every category in file order (parents before children), for select boxes."""
    rows = session.execute(select(Category).order_by(Category.position, Category.path)).scalars()
    return [CategoryNode(c.id, c.path, c.name, c.path.count("/"), c.is_leaf, c.prohibited)
            for c in rows]


def get_category(session: Session, category_id: int) -> Category:
    found = session.get(Category, category_id)
    if found is None:
        raise NotFound("No such category.")
    return found


def category_by_path(session: Session, path: str) -> Category | None:
    """A category from its path, e.g. ``Womenswear/Dresses`` (what the importer reads)."""
    clean = "/".join(part.strip() for part in path.split("/"))
    return session.execute(select(Category).where(Category.path == clean)).scalar_one_or_none()


def attributes_of(session: Session, category_id: int) -> list[CategoryAttribute]:
    return list(session.execute(
        select(CategoryAttribute).where(CategoryAttribute.category_id == category_id)
        .order_by(CategoryAttribute.position)).scalars())


def subtree_ids(session: Session, category_id: int) -> list[int]:
    """The category and every category under it (filters by a parent category)."""
    root = get_category(session, category_id)
    return list(session.execute(
        select(Category.id).where((Category.id == root.id)
                                  | Category.path.startswith(root.path + "/", autoescape=True))
    ).scalars())


def referral_fee_rate(session: Session, category_id: int | None, market_code: str) -> Decimal:
    """The referral fee share for a product: the nearest category override, else the market's."""
    if category_id is not None:
        category = session.get(Category, category_id)
        if category is not None:
            parts = category.path.split("/")
            paths = ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
            rows: dict[str, int | None] = dict(session.execute(
                select(Category.path, Category.referral_fee_bps)
                .where(Category.path.in_(paths), Category.referral_fee_bps.is_not(None))).all())
            for path in paths:
                bps = rows.get(path)
                if bps is not None:
                    return Decimal(bps) / 10_000
    return market(market_code).referral_fee
