"""Home page and health probes."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import text

from clipcart.db import get_database
from clipcart.migrate import migration_status
from clipcart.web.operator import operator_home


@get("/", sync_to_thread=True, include_in_schema=False)
def home(request: Request[Any, Any, Any], m: FromQuery[str] = "") -> Template:
    """The demo opens on a living feed: the For You feed of the visitor's market."""
    from clipcart.discovery.feed_pages import feed_template

    return feed_template(request, "for_you", m[:2])


@get("/healthz", sync_to_thread=False, tags=["operations"], summary="Liveness")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", sync_to_thread=True, tags=["operations"],
     summary="Readiness: database reachable and migrations current")
def readyz() -> Response[dict[str, Any]]:
    checks: dict[str, Any] = {}
    db = get_database()
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = migration_status(db.engine)
        checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
    except Exception as exc:  # readiness reports, it never raises
        checks.setdefault("database", f"unreachable: {type(exc).__name__}")
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 2
    return Response({"status": "ready" if ready else "not ready", "checks": checks},
                    status_code=200 if ready else 503)


router = Router(path="/", route_handlers=[home, healthz, readyz, operator_home])
