"""Bulk stock updates: CSV uploads from the Seller Center and batches from the seller API.

Each row is applied in its own savepoint: a valid row commits with the batch, an invalid
one changes nothing and is reported with the reason. Quantities are counted on-hand units
(absolute), like a stock take; the difference is recorded as a movement.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from clipcart.errors import DomainError, ValidationFailed
from clipcart.ids import parse_id
from clipcart.inventory import catalog_view, service
from clipcart.inventory.warehouses import default_warehouse, warehouses_of

MAX_ROWS = 10_000
CSV_COLUMNS = ("seller_sku", "warehouse_id", "quantity", "low_stock_threshold")
REQUIRED_COLUMNS = ("seller_sku", "quantity")


@dataclass(frozen=True)
class StockUpdate:
    """One requested change: which SKU (by id or seller SKU), where, how many."""

    row: int  # the CSV line number or the API list index
    quantity: int | None
    sku_id: int | None = None
    seller_sku: str = ""
    warehouse_id: int | None = None
    low_stock_threshold: int | None = None
    error: str = ""  # a parse error found before the database was asked


@dataclass(frozen=True)
class UpdateResult:
    row: int
    ok: bool
    seller_sku: str
    sku_id: int | None = None
    warehouse_id: int | None = None
    on_hand: int | None = None
    reserved: int | None = None
    low_stock_threshold: int | None = None
    code: str = ""
    message: str = ""

    @property
    def available(self) -> int | None:
        return None if self.on_hand is None or self.reserved is None else (
            self.on_hand - self.reserved)


@dataclass(frozen=True)
class BulkReport:
    results: list[UpdateResult] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


def _failed(update: StockUpdate, code: str, message: str) -> UpdateResult:
    return UpdateResult(update.row, False, update.seller_sku, update.sku_id, update.warehouse_id,
                        code=code, message=message)


def apply_updates(session: Session, shop_id: int, updates: Sequence[StockUpdate], *,
                  actor_user_id: int | None, reason: str) -> BulkReport:
    """Apply each update on its own; the report says, row by row, what happened and why."""
    codes = catalog_view.skus_by_code(session, shop_id,
                                      (u.seller_sku for u in updates if u.sku_id is None))
    owners = catalog_view.sku_owners(session, (u.sku_id for u in updates if u.sku_id))
    active = {w.id for w in warehouses_of(session, shop_id)}
    default = default_warehouse(session, shop_id)
    seen: dict[tuple[int, int], int] = {}
    results: list[UpdateResult] = []
    for update in updates:
        if update.error:
            results.append(_failed(update, "VALIDATION_ERROR", update.error))
            continue
        sku_id = update.sku_id if update.sku_id is not None else codes.get(update.seller_sku)
        if sku_id is None or (update.sku_id is not None and owners.get(sku_id) != shop_id):
            what = f"seller SKU {update.seller_sku!r}" if update.sku_id is None else "SKU id"
            results.append(_failed(update, "NOT_FOUND", f"No {what} in this shop."))
            continue
        warehouse_id = update.warehouse_id or (default.id if default else None)
        if warehouse_id is None or warehouse_id not in active:
            results.append(_failed(update, "NOT_FOUND", "No such warehouse in this shop."))
            continue
        key = (sku_id, warehouse_id)
        if key in seen:
            results.append(_failed(update, "DUPLICATE_ROW", f"Row {seen[key]} already sets this "
                                   "SKU in this warehouse; one row per SKU and warehouse."))
            continue
        seen[key] = update.row
        try:
            with session.begin_nested():
                level = None
                if update.quantity is not None:
                    level = service.set_on_hand(
                        session, shop_id=shop_id, sku_id=sku_id, warehouse_id=warehouse_id,
                        quantity=update.quantity, actor_user_id=actor_user_id, reason=reason)
                if update.low_stock_threshold is not None:
                    level = service.set_low_stock_threshold(
                        session, shop_id=shop_id, sku_id=sku_id, warehouse_id=warehouse_id,
                        threshold=update.low_stock_threshold)
                if level is None:
                    raise ValidationFailed("Give a quantity or a low-stock threshold.",
                                           field="quantity")
        except DomainError as exc:
            results.append(UpdateResult(update.row, False, update.seller_sku, sku_id,
                                        warehouse_id, code=exc.code, message=exc.detail))
            continue
        results.append(UpdateResult(update.row, True, update.seller_sku, sku_id, warehouse_id,
                                    level.on_hand, level.reserved, level.low_stock_threshold))
    return BulkReport(results)


def _whole(raw: str, name: str, *, required: bool) -> tuple[int | None, str]:
    text = raw.strip()
    if not text:
        return None, (f"{name} is missing." if required else "")
    if not text.isdigit() or len(text) > 10:
        return None, f"{name} must be a whole number of 0 or more (got {text[:20]!r})."
    return int(text), ""


def parse_stock_csv(data: bytes) -> list[StockUpdate]:
    """The updates of a CSV file (header row first). Bad rows carry their error; a file
    that is not a CSV with the needed columns is refused as a whole."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file must be a UTF-8 encoded CSV file.", field="file") \
            from None
    if not text.strip():
        raise ValidationFailed("The file is empty.", field="file")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValidationFailed(
            f"The header row needs the columns {', '.join(REQUIRED_COLUMNS)} (optional: "
            f"warehouse_id, low_stock_threshold); missing: {', '.join(missing)}.", field="file")
    reader.fieldnames = columns
    updates: list[StockUpdate] = []
    try:
        for record in reader:
            if len(updates) >= MAX_ROWS:
                raise ValidationFailed(f"At most {MAX_ROWS:,} rows per file.", field="file")
            values = {k: (v or "") for k, v in record.items() if isinstance(k, str)}
            if not any(v.strip() for v in values.values()):
                continue
            updates.append(_csv_update(reader.line_num, values))
    except csv.Error as exc:
        raise ValidationFailed(f"The file is not valid CSV: {exc}.", field="file") from None
    if not updates:
        raise ValidationFailed("The file has a header but no rows.", field="file")
    return updates


def _csv_update(line: int, values: dict[str, str]) -> StockUpdate:
    code = values.get("seller_sku", "").strip()
    if code[:1] == "'" and code[1:2] in ("=", "+", "-", "@"):
        code = code[1:]  # the export's guard against spreadsheet formulas
    quantity, q_error = _whole(values.get("quantity", ""), "quantity", required=True)
    threshold, t_error = _whole(values.get("low_stock_threshold", ""), "low_stock_threshold",
                                required=False)
    raw_warehouse = values.get("warehouse_id", "").strip()
    warehouse_id = parse_id(raw_warehouse) if raw_warehouse else None
    errors = [e for e in (q_error, t_error) if e]
    if not code:
        errors.insert(0, "seller_sku is missing.")
    if raw_warehouse and warehouse_id is None:
        errors.append(f"warehouse_id {raw_warehouse[:24]!r} is not a warehouse id.")
    return StockUpdate(row=line, quantity=quantity, seller_sku=code, warehouse_id=warehouse_id,
                       low_stock_threshold=threshold, error=" ".join(errors))


EXPORT_COLUMNS = (*CSV_COLUMNS, "product", "warehouse", "reserved", "available")


def export_rows(session: Session, shop_id: int, *, before: int | None,
                limit: int) -> tuple[list[list[str]], int | None]:
    """One batch of the stock export (a row per SKU and active warehouse, in the upload
    format plus columns the upload ignores), and the key of the next batch."""
    from clipcart.inventory.queries import inventory_page

    page = inventory_page(session, shop_id, page_token=str(before) if before else None,
                          page_size=limit)
    rows = [[row.sku.seller_sku, str(cell.warehouse.id), str(cell.on_hand),
             str(cell.threshold), row.sku.product_title, cell.warehouse.name,
             str(cell.reserved), str(cell.available)]
            for row in page.rows for cell in row.cells]
    return rows, int(page.next_page_token) if page.next_page_token else None


def upload_csv(session: Session, shop_id: int, data: bytes, *,
               actor_user_id: int | None) -> BulkReport:
    return apply_updates(session, shop_id, parse_stock_csv(data), actor_user_id=actor_user_id,
                         reason="csv_upload")
