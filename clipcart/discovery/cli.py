"""``clipcart search ...``: operator commands of search."""

from __future__ import annotations

import json

import click


@click.group("search")
def search() -> None:
    """Product search."""


@search.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def reindex(as_json: bool) -> None:
    """Rebuild the search index from the catalog (what buyers see now)."""
    from clipcart.db import get_database
    from clipcart.discovery.indexer import reindex_all

    with get_database().transaction() as session:
        count = reindex_all(session)
    click.echo(json.dumps({"indexed": count}) if as_json
               else f"Search index rebuilt: {count} live products.")
