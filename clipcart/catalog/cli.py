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
