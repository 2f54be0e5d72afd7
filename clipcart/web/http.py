"""Small helpers shared by JSON routes and pages."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from clipcart.db import Database, get_database


def client_address(request: Request[Any, Any, Any]) -> str:
    client = request.client
    return client.host if client else "unknown"


def provide_db() -> Database:
    return get_database()


DB = {"db": Provide(provide_db, sync_to_thread=False)}
