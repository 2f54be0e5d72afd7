"""The ``clipcart`` command: serve, worker, migrate, demo and operator commands."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from clipcart.catalog import cli as catalog_cli
from clipcart.config import get_settings
from clipcart.discovery import cli as discovery_cli
from clipcart.ledger import cli as ledger_cli
from clipcart.openplatform import cli as openplatform_cli


def _emit(payload: dict[str, Any], as_json: bool, human: str) -> None:
    click.echo(json.dumps(payload) if as_json else human)


def _fail(message: str, as_json: bool, code: str = "ERROR") -> None:
    if as_json:
        click.echo(json.dumps({"error": {"code": code, "message": message}}))
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clipcart")
def main() -> None:
    """clipcart: self-hostable social commerce.

    Configuration comes from CLIPCART_* environment variables (see the README).
    """
    import clipcart.handlers
    import clipcart.jobs  # noqa: F401  (commits that emit events kick the outbox)


@main.command()
def migrate() -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    from clipcart.migrate import upgrade

    settings = get_settings()
    click.echo(f"Migrating {_redact(settings.database_url)} ...")
    upgrade(settings.database_url)
    click.echo("Database is up to date.")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _serve(host: str | None, port: int | None, workers: int, auto_migrate: bool) -> None:
    import uvicorn

    settings = get_settings()
    if auto_migrate:
        from clipcart.migrate import upgrade

        upgrade(settings.database_url)
        catalog_cli.sync_categories_quietly()
    host = host or settings.host
    port = port or settings.port
    click.echo(f"clipcart serving on http://{host}:{port}  (database: "
               f"{_redact(settings.database_url)}; jobs in-process: "
               f"{'yes' if settings.run_jobs_in_process else 'no'})")
    if workers > 1 and not settings.redis_url:  # channels are per process without Redis
        click.echo("warning: with several server processes LIVE rooms need "
                   "CLIPCART_REDIS_URL for their realtime events and chat", err=True)
    uvicorn.run("clipcart.app:app_factory", factory=True, host=host, port=port,
                workers=workers, log_level=settings.log_level, proxy_headers=True)


@main.command()
@click.option("--host", default=None, help="Interface to bind (default CLIPCART_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default CLIPCART_PORT, 8000).")
@click.option("--workers", default=1, show_default=True, help="Server processes.")
@click.option("--migrate/--no-migrate", "auto_migrate", default=True, show_default=True,
              help="Apply pending migrations before serving.")
def serve(host: str | None, port: int | None, workers: int, auto_migrate: bool) -> None:
    """Serve the web app and the APIs."""
    _serve(host, port, workers, auto_migrate)


@main.command()
@click.option("--workers", default=4, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run background and periodic jobs (the outbox, expiries) as a separate process."""
    import logging

    from clipcart.jobs import make_consumer

    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(message)s")
    click.echo(f"clipcart worker: {workers} threads on {get_settings().jobs_url}")
    make_consumer(workers=workers).run()


@main.command()
@click.option("--host", default=None, help="Interface to bind.")
@click.option("--port", default=None, type=int, help="Port.")
@click.option("--no-serve", is_flag=True, help="Seed only; do not start the server.")
def demo(host: str | None, port: int | None, no_serve: bool) -> None:
    """Migrate, seed a realistic demo (idempotent) and serve it."""
    from clipcart.demo import DEMO_PASSWORD, seed
    from clipcart.demo_orders import seed_orders
    from clipcart.migrate import upgrade

    settings = get_settings()
    click.echo("Migrating ...")
    upgrade(settings.database_url)
    for line in seed():
        click.echo(f"  {line}")
    click.echo("Placing the demo buyers' orders ...")
    for line in seed_orders(DEMO_PASSWORD):
        click.echo(f"  {line}")
    if not no_serve:
        _serve(host, port, 1, auto_migrate=False)


@main.group()
def admin() -> None:
    """Operator commands."""


@admin.command("create-operator")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def create_operator(email: str, password: str, as_json: bool) -> None:
    """Create an operator account (or give an existing user the operator role)."""
    from clipcart.db import get_database
    from clipcart.errors import DomainError
    from clipcart.identity import service

    try:
        with get_database().transaction() as session:
            user = service.create_operator(session, email, password)
            roles = service.roles_of(session, user.id)
    except DomainError as exc:
        _fail(exc.detail, as_json, exc.code)
        return
    _emit({"id": str(user.id), "email": user.email, "handle": user.handle, "roles": roles},
          as_json, f"Operator {user.email} (id {user.id}) is ready.")


@main.group()
def shops() -> None:
    """Shop commands for operators."""


@shops.command("create")
@click.option("--owner-email", required=True, help="E-mail of an existing account.")
@click.option("--name", required=True, help="Shop name.")
@click.option("--market", required=True, help="One of the eight markets, e.g. GB.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def create_shop(owner_email: str, name: str, market: str, as_json: bool) -> None:
    """Create an approved shop for an existing account (no operator review)."""
    from clipcart.db import get_database
    from clipcart.errors import DomainError
    from clipcart.inventory.service import ensure_default_warehouse
    from clipcart.shops import service

    try:
        with get_database().transaction() as session:
            shop = service.create_approved_shop(session, owner_email, name, market)
            warehouse = ensure_default_warehouse(session, shop.id)
    except DomainError as exc:
        _fail(exc.detail, as_json, exc.code)
        return
    _emit({"id": str(shop.id), "name": shop.name, "market": shop.market,
           "currency": shop.currency, "status": shop.status,
           "owner_user_id": str(shop.owner_user_id), "default_warehouse_id": str(warehouse.id)},
          as_json, f"Shop {shop.name} (id {shop.id}) is open in {shop.market}.")


main.add_command(ledger_cli.group)
main.add_command(catalog_cli.catalog)
main.add_command(discovery_cli.search)
main.add_command(openplatform_cli.apps_group)

if __name__ == "__main__":
    main()
