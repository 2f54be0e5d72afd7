"""Bulk import (``clipcart catalog import`` and the Seller Center upload).

Each product is created and submitted in its own savepoint through the same services as
the editor, so listings pass the same audit and a bad row never half-imports a product:
it is rolled back whole and reported with the reason, and the others go ahead.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from clipcart.catalog.categories import category_by_path
from clipcart.catalog.import_formats import FormatError, ProductDraft, SkuDraft, read_any
from clipcart.catalog.inputs import ProductInput, SkuInput
from clipcart.catalog.service import require_selling_shop, skus_of
from clipcart.catalog.submission import create_and_submit
from clipcart.errors import DomainError, ValidationFailed
from clipcart.ids import parse_id
from clipcart.media import MAX_IMAGE_BYTES
from clipcart.shops.models import Shop

ImageLoader = Callable[[str], bytes]  # an image path as the file names it -> its bytes
MAX_ZIP_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportedSku:
    id: int
    seller_sku: str


@dataclass(frozen=True)
class ImportedProduct:
    ref: str
    id: int
    title: str
    status: str  # ACTIVATE, PENDING or FAILED: what the audit made of it
    skus: list[ImportedSku]


@dataclass(frozen=True)
class ImportFailure:
    ref: str  # "product 2", "rows 3, 4"
    title: str
    message: str
    field: str | None = None


@dataclass
class ImportReport:
    products: list[ImportedProduct] = field(default_factory=list)
    errors: list[ImportFailure] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "products": [{"id": str(p.id), "status": p.status, "title": p.title, "ref": p.ref,
                          "skus": [{"id": str(s.id), "seller_sku": s.seller_sku}
                                   for s in p.skus]} for p in self.products],
            "errors": [{"ref": e.ref, "title": e.title, "message": e.message,
                        "field": e.field} for e in self.errors]}


def _stock(raw: Any, code: str) -> int | dict[int, int] | None:
    def units(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(f"{code}: stock is a whole number, 0 or more.", field="stock")
        return value

    if raw is None or raw == "":
        return None
    if isinstance(raw, dict):
        by_warehouse: dict[int, int] = {}
        for key, value in raw.items():
            warehouse = parse_id(str(key))
            if warehouse is None:
                raise ValidationFailed(f"{code}: {key!r} is not a warehouse ID.", field="stock")
            by_warehouse[warehouse] = units(value)
        return by_warehouse
    return units(raw)


def _sku_input(sku: SkuDraft) -> SkuInput:
    dims: dict[str, int | None] = {}
    for name, value in sku.dimensions.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(f"{sku.seller_sku}: {name} is a whole number.", field=name)
        dims[name] = value
    return SkuInput(seller_sku=sku.seller_sku, price=sku.price, list_price=sku.list_price,
                    attributes=sku.attributes, stock=_stock(sku.stock, sku.seller_sku),
                    **dims)


def product_input(session: Session, draft: ProductDraft) -> ProductInput:
    """A draft as the catalog services take it (category path -> ID, stock checked)."""
    if draft.problem:
        raise ValidationFailed(draft.problem)
    if not draft.category:
        raise ValidationFailed("Give the product a category path, e.g. Womenswear/Dresses.",
                               field="category")
    category = category_by_path(session, draft.category)
    if category is None:
        raise ValidationFailed(f"There is no category {draft.category!r}.", field="category")
    return ProductInput(title=draft.title, description=draft.description, brand=draft.brand,
                        category_id=category.id, attributes=draft.attributes,
                        skus=[_sku_input(s) for s in draft.skus])


def _images(draft: ProductDraft, load: ImageLoader | None) -> list[bytes]:
    found = []
    for name in draft.images:
        if load is None:
            raise ValidationFailed(f"Image {name!r}: upload a ZIP holding the file and its "
                                   "images.", field="images")
        try:
            found.append(load(name))
        except (KeyError, OSError, ValueError):
            raise ValidationFailed(f"Image {name!r} is not next to the import file.",
                                   field="images") from None
    return found


def import_drafts(session: Session, shop: Shop, drafts: Sequence[ProductDraft], *,
                  load_image: ImageLoader | None = None,
                  actor_user_id: int | None = None) -> ImportReport:
    """Create and submit each draft in its own savepoint; report what happened to each."""
    require_selling_shop(shop)
    report = ImportReport()
    for draft in drafts:
        try:
            with session.begin_nested():
                data = product_input(session, draft)
                product = create_and_submit(session, shop, data,
                                            images=_images(draft, load_image),
                                            actor_user_id=actor_user_id)
                skus = [ImportedSku(s.id, s.seller_sku) for s in skus_of(session, product.id)]
                report.products.append(ImportedProduct(draft.ref, product.id, product.title,
                                                       product.status, skus))
        except DomainError as exc:
            report.errors.append(ImportFailure(draft.ref, draft.title, exc.detail,
                                               exc.extra.get("field")))
    return report


def directory_loader(folder: Path) -> ImageLoader:
    """Images named relative to the import file's folder (the CLI)."""
    root = folder.resolve()

    def load(name: str) -> bytes:
        path = (root / name).resolve()
        if root not in path.parents or path.stat().st_size > MAX_IMAGE_BYTES:
            raise ValueError(name)
        return path.read_bytes()

    return load


def read_upload(filename: str, data: bytes) -> tuple[list[ProductDraft], ImageLoader | None]:
    """A CSV or JSON file, or a ZIP holding one of them with its images beside it."""
    if not filename.lower().endswith(".zip"):
        return read_any(filename, data), None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormatError("That ZIP file cannot be opened.") from None
    infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
    if sum(i.file_size for i in infos.values()) > MAX_ZIP_BYTES:
        raise FormatError("The ZIP unpacks to more than 200 MB.")
    sheets = sorted(n for n in infos if n.lower().endswith((".csv", ".json"))
                    and not posixpath.basename(n).startswith(("._", ".")))
    if len(sheets) != 1:
        raise FormatError("The ZIP must hold exactly one .csv or .json file (with its images).")
    folder = posixpath.dirname(sheets[0])

    def load(name: str) -> bytes:
        info = infos[posixpath.normpath(posixpath.join(folder, name))]
        if info.file_size > MAX_IMAGE_BYTES:
            raise ValueError(name)
        return archive.read(info)

    return read_any(sheets[0], archive.read(infos[sheets[0]])), load


def import_file(session: Session, shop: Shop, path: Path, *,
                actor_user_id: int | None = None) -> ImportReport:
    """Import a file from disk; images are relative to its folder."""
    drafts, load = read_upload(path.name, path.read_bytes())
    return import_drafts(session, shop, drafts, load_image=load or directory_loader(path.parent),
                         actor_user_id=actor_user_id)
