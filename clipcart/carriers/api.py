"""Carrier routes: the platform's webhook endpoint for each carrier, and the simulator's own
HTTP face (``/carrier-sim``): its parcels, their scans, and printable labels."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath, JSONBody, RawBody
from litestar.response import Template

from clipcart.carriers import service, simulator
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.interface import get_carrier
from clipcart.db import get_database, transaction
from clipcart.errors import NotFound, Unauthorized


@post("/carriers/webhooks/{carrier_code:str}", status_code=200, sync_to_thread=True,
      summary="Tracking webhooks of a carrier",
      description="Signed with the Carrier-Signature header; each scan is applied once.")
def carrier_webhook(carrier_code: FromPath[str], body: RawBody,
                    request: Request[Any, Any, Any]) -> dict[str, Any]:
    outcome = service.receive_webhook(get_database(), carrier_code, body, dict(request.headers))
    return {"received": True, "event_id": outcome.event_id, "outcome": outcome.outcome}


router = Router(path="/", route_handlers=[carrier_webhook], tags=["carriers"], security=[])


def _parcel_json(code: str, number: str) -> dict[str, Any]:
    with get_database().sessions() as session:
        found = simulator.parcel(session, code, number)
        script = simulator.scans_of(found)
        answer = {"carrier": code, "tracking_number": number, "reference": found.reference,
                  "scenario": found.scenario, "scans_done": found.step,
                  "next_scan_at": found.next_scan_at.isoformat() if found.next_scan_at
                  else None}
    scans = [{"status": e.status, "at": e.created_at.isoformat(),
              "delivered_to_platform": e.delivered_at is not None}
             for e in simulator.events_of(get_database(), code, number)]
    answer["scans"] = scans
    answer["remaining"] = list(script[len(scans):])
    return answer


@get("/v1/parcels/{carrier_code:str}/{tracking_number:str}", sync_to_thread=True,
     summary="A parcel at the simulated carrier, with its scans")
def sim_parcel(carrier_code: FromPath[str], tracking_number: FromPath[str]) -> dict[str, Any]:
    get_carrier(carrier_code)
    return _parcel_json(carrier_code, tracking_number)


@get("/labels/{carrier_code:str}/{tracking_number:str}", sync_to_thread=True,
     include_in_schema=False)
def sim_label(carrier_code: FromPath[str], tracking_number: FromPath[str]) -> Template:
    try:
        carrier = get_carrier(carrier_code)
    except Exception:
        raise NotFound("No such carrier.") from None
    with get_database().sessions() as session:
        found = simulator.parcel(session, carrier_code, tracking_number)
        return Template("carriers/sim_label.html", context={
            "carrier": carrier.info, "parcel": found})


class ParcelBody(msgspec.Struct, forbid_unknown_fields=True):
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    market: Annotated[str, msgspec.Meta(min_length=2, max_length=2)]
    tracking_number: Annotated[str, msgspec.Meta(pattern="^[A-Z0-9-]{6,40}$")] | None = None


class ScenarioBody(msgspec.Struct, forbid_unknown_fields=True):
    scenario: Annotated[str, msgspec.Meta(max_length=20)]


def _authenticate(request: Request[Any, Any, Any]) -> None:
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given, get_carrier_settings().api_key):
        raise Unauthorized("A valid carrier API key is needed.")


@post("/v1/parcels/{carrier_code:str}", status_code=201, sync_to_thread=True,
      summary="Hand a parcel to the simulated carrier",
      description="Without tracking_number the carrier issues one (a label). Bearer: the "
                  "carrier API key (CLIPCART_CARRIER_API_KEY).")
def sim_accept(carrier_code: FromPath[str], data: JSONBody[ParcelBody],
               request: Request[Any, Any, Any]) -> dict[str, Any]:
    _authenticate(request)
    carrier = get_carrier(carrier_code)
    with transaction() as session:
        number = simulator.accept(session, carrier_code=carrier.info.code,
                                  reference=data.reference, market=data.market.upper(),
                                  tracking_number=data.tracking_number)
    return {"carrier": carrier.info.code, "tracking_number": number,
            "label_url": carrier.label_url(number)}


@post("/v1/parcels/{carrier_code:str}/{tracking_number:str}/scenario", status_code=200,
      sync_to_thread=True, summary="Choose what happens to a parcel (normal, "
      "failed_first_attempt)")
def sim_scenario(carrier_code: FromPath[str], tracking_number: FromPath[str],
                 data: JSONBody[ScenarioBody], request: Request[Any, Any, Any]) -> dict[str, Any]:
    _authenticate(request)
    get_carrier(carrier_code)
    with transaction() as session:
        simulator.set_scenario(session, carrier_code, tracking_number, data.scenario)
    return _parcel_json(carrier_code, tracking_number)


sim_router = Router(path="/carrier-sim", route_handlers=[sim_parcel, sim_label, sim_accept,
                                                         sim_scenario],
                    opt={"exclude_from_csrf": True}, tags=["carrier simulator"], security=[])
