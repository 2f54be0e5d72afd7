"""``clipcart catalog ...``: operator commands of the catalog."""

from __future__ import annotations

import json

import click


@click.group("catalog")
def catalog() -> None:
    """Catalog commands."""


@catalog.group("categories")
def categories() -> None:
    """The category tree."""


@categories.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sync(as_json: bool) -> None:
    """Load data/categories.toml (or CLIPCART_CATEGORIES_FILE) into the database."""
    from clipcart.catalog.categories import ensure_categories
    from clipcart.db import get_database

    with get_database().transaction() as session:
        report = ensure_categories(session)
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo(f"Categories: {report.created} created, {report.updated} updated, "
                   f"{report.unchanged} unchanged.")


def sync_categories_quietly() -> None:
    """``clipcart serve`` keeps the tree in line with the data file, as it does migrations."""
    from clipcart.catalog.categories import ensure_categories
    from clipcart.db import get_database

    with get_database().transaction() as session:
        report = ensure_categories(session)
    if report.created or report.updated:
        click.echo(f"Categories: {report.created} created, {report.updated} updated.")


@catalog.command("import")
@click.option("--shop-id", required=True, help="The shop to list the products in.")
@click.option("--file", "file_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A .json or .csv file (API.md §5), or a .zip holding one with its images.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_products(shop_id: str, file_path: str, as_json: bool) -> None:
    """Create products with variants, prices, stock and images; each passes the audit."""
    import sys
    from pathlib import Path

    from clipcart.catalog.import_formats import FormatError
    from clipcart.catalog.importer import import_file
    from clipcart.db import get_database
    from clipcart.errors import DomainError
    from clipcart.ids import parse_id
    from clipcart.shops.service import get_shop

    def fail(code: str, message: str) -> None:
        click.echo(json.dumps({"error": {"code": code, "message": message}}) if as_json
                   else f"error: {message}", err=not as_json)
        sys.exit(1)

    try:
        with get_database().transaction() as session:
            parsed = parse_id(shop_id)
            shop = get_shop(session, parsed) if parsed is not None else None
            if shop is None:
                fail("NOT_FOUND", f"No shop {shop_id}.")
                return
            report = import_file(session, shop, Path(file_path))
    except FormatError as exc:
        fail("VALIDATION_ERROR", str(exc))
        return
    except DomainError as exc:
        fail(exc.code, exc.detail)
        return
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        for p in report.products:
            click.echo(f"{p.ref}: {p.title} -> {p.id} {p.status} ({len(p.skus)} SKUs)")
        for e in report.errors:
            click.echo(f"{e.ref}: {e.title or '(no title)'} NOT IMPORTED: {e.message}")
        click.echo(f"{len(report.products)} imported, {len(report.errors)} refused.")
    if report.errors:  # some products were refused (the report says which and why)
        sys.exit(2)
