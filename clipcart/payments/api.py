"""The platform's payment routes: providers' webhooks."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, post
from litestar.params import RawBody

from clipcart.db import get_database
from clipcart.payments import service


@post("/payments/webhooks/sandbox", status_code=200, sync_to_thread=True,
      summary="Webhooks of the sandbox payment provider",
      description="Signed with the Sandbox-Signature header; each event is applied once.")
def sandbox_webhook(body: RawBody, request: Request[Any, Any, Any]) -> dict[str, Any]:
    outcome = service.handle_webhook(get_database(), body, dict(request.headers),
                                     provider_name="sandbox")
    return {"received": True, "event_id": outcome.event_id, "outcome": outcome.outcome}


router = Router(path="/", route_handlers=[sandbox_webhook], tags=["payments"], security=[])
