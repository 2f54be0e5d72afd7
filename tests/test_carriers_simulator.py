"""The carrier simulator and the platform's carrier integration: booking, scans on a clock,
signed webhooks applied once, duplicates and out-of-order scans changing nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from clipcart.carriers import service as carriers
from clipcart.carriers import simulator
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.interface import SIGNATURE_HEADER, sign
from clipcart.carriers.models import Shipment, SimEvent, TrackingEvent
from clipcart.db import transaction
from clipcart.errors import Conflict, ValidationFailed
from clipcart.events import OutboxEvent


def _tracking_events(db) -> list[dict]:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        rows = session.execute(select(OutboxEvent).where(OutboxEvent.type == "carriers.tracking")
                               .order_by(OutboxEvent.id)).scalars()
        return [dict(r.payload) for r in rows]


def _step(db, clock) -> int:  # type: ignore[no-untyped-def]
    clock.advance(seconds=get_carrier_settings().scan_interval_seconds)
    return simulator.advance(db, clock.current)


def _book(reference: str = "return:42") -> tuple[int, str, str]:
    with transaction() as session:
        shipment = carriers.book_shipment(session, purpose="return", reference=reference,
                                          market="GB")
        return shipment.id, shipment.tracking_number, shipment.carrier_code


def test_a_booked_parcel_is_scanned_on_the_clock_and_each_scan_announced_once(db, frozen_clock):
    shipment_id, number, code = _book()
    assert number.startswith("CX") and code == "SIMX"
    assert simulator.advance(db, frozen_clock.current) == 0  # nothing is due yet
    statuses = []
    for _ in range(5):
        _step(db, frozen_clock)
        statuses = [e["status"] for e in _tracking_events(db)]
    assert statuses == ["COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    first = _tracking_events(db)[0]
    assert first["shipment_id"] == str(shipment_id) and first["purpose"] == "return"
    assert first["reference"] == "return:42" and first["tracking_number"] == number
    with db.sessions() as session:
        assert session.get(Shipment, shipment_id).status == "DELIVERED"  # type: ignore[union-attr]


def test_a_scan_delivered_twice_or_late_changes_nothing(db, frozen_clock):
    shipment_id, number, code = _book()
    for _ in range(4):
        _step(db, frozen_clock)
    sent = simulator.events_of(db, code, number)
    assert [e.status for e in sent] == ["COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY",
                                        "DELIVERED"]
    assert simulator.resend(db, sent[3].id)  # a duplicate of DELIVERED
    assert simulator.resend(db, sent[1].id)  # IN_TRANSIT again, long after
    assert [e["status"] for e in _tracking_events(db)] == [
        "COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    with db.sessions() as session:
        assert session.get(Shipment, shipment_id).status == "DELIVERED"  # type: ignore[union-attr]


def test_an_out_of_order_scan_is_recorded_but_not_announced(db, frozen_clock):
    shipment_id, number, code = _book()
    conf = get_carrier_settings()

    def post(status: str, event_id: str) -> str:
        body = json.dumps({"id": event_id, "carrier": code, "tracking_number": number,
                           "status": status, "occurred_at": frozen_clock.current.isoformat(),
                           "location": "hub"}).encode()
        headers = {SIGNATURE_HEADER: sign(conf.webhook_secret,
                                          int(frozen_clock.current.timestamp()), body)}
        return carriers.receive_webhook(db, code, body, headers).outcome

    assert post("IN_TRANSIT", "e1") == "applied"
    naive = json.dumps({"id": "e0", "carrier": code, "tracking_number": number,
                        "status": "OUT_FOR_DELIVERY", "occurred_at": "2026-01-01T10:00:00"})
    garbage = [naive.replace("OUT_FOR_DELIVERY", "LOST"), "{", naive.replace('"id"', '"x"')]
    for raw in garbage:
        with pytest.raises(ValidationFailed):
            carriers.receive_webhook(db, code, raw.encode(), {SIGNATURE_HEADER: sign(
                conf.webhook_secret, int(frozen_clock.current.timestamp()), raw.encode())})
    assert post("COLLECTED", "e2") == "stale"
    assert post("COLLECTED", "e3") == "duplicate"
    assert [e["status"] for e in _tracking_events(db)] == ["IN_TRANSIT"]
    with db.sessions() as session:
        stored = session.execute(select(TrackingEvent.status, TrackingEvent.applied).where(
            TrackingEvent.shipment_id == shipment_id).order_by(TrackingEvent.id)).all()
    assert [tuple(r) for r in stored] == [("IN_TRANSIT", True), ("COLLECTED", False)]
    outcome = carriers.receive_webhook(db, code, naive.encode(), {SIGNATURE_HEADER: sign(
        conf.webhook_secret, int(frozen_clock.current.timestamp()), naive.encode())})
    assert outcome.outcome == "applied"  # no offset: read as UTC
    assert _tracking_events(db)[-1]["at"] == "2026-01-01T10:00:00+00:00"


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(client, db,
                                                                       frozen_clock):
    _, number, code = _book()
    body = json.dumps({"id": "evil", "carrier": code, "tracking_number": number,
                       "status": "DELIVERED",
                       "occurred_at": frozen_clock.current.isoformat()}).encode()
    now = int(frozen_clock.current.timestamp())
    forged = client.post(f"/api/v1/carriers/webhooks/{code}", content=body,
                         headers={"carrier-signature": sign("not-the-secret", now, body)})
    assert forged.status_code == 400 and forged.json()["code"] == "INVALID_SIGNATURE"
    unsigned = client.post(f"/api/v1/carriers/webhooks/{code}", content=body)
    assert unsigned.status_code == 400
    old = now - 3600
    stale = client.post(f"/api/v1/carriers/webhooks/{code}", content=body, headers={
        "carrier-signature": sign(get_carrier_settings().webhook_secret, old, body)})
    assert stale.status_code == 400
    good = client.post(f"/api/v1/carriers/webhooks/{code}", content=body, headers={
        "carrier-signature": sign(get_carrier_settings().webhook_secret, now, body)})
    assert good.status_code == 200 and good.json()["outcome"] == "applied"
    assert [e["status"] for e in _tracking_events(db)] == ["DELIVERED"]
    assert client.post("/api/v1/carriers/webhooks/NOPE", content=body).status_code == 400


def test_webhooks_go_over_http_and_are_retried_until_the_platform_answers(client, db,
                                                                        frozen_clock):
    _, _number, _code = _book()
    down = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(503)))
    with simulator.use_http_client(down, "http://testserver.local/api/v1/carriers/webhooks"):
        _step(db, frozen_clock)
    assert _tracking_events(db) == []
    with db.sessions() as session:
        pending = session.execute(select(SimEvent)).scalar_one()
        assert pending.attempts == 1 and pending.delivered_at is None
    frozen_clock.advance(seconds=10)
    with simulator.use_http_client(client, "http://testserver.local/api/v1/carriers/webhooks"):
        assert simulator.send_pending(db, frozen_clock.current) == 1
    assert [e["status"] for e in _tracking_events(db)] == ["COLLECTED"]


def test_a_failed_first_attempt_is_reported_then_delivered(db, frozen_clock):
    _, number, code = _book()
    with transaction() as session:
        simulator.set_scenario(session, code, number, "failed_first_attempt")
    for _ in range(6):
        _step(db, frozen_clock)
    assert [e["status"] for e in _tracking_events(db)] == [
        "COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "FAILED_DELIVERY", "DELIVERED"]


def test_seller_entered_tracking_numbers_are_checked_and_tracked(db, frozen_clock):
    with transaction() as session:
        shipment = carriers.register_tracking(session, purpose="package",
                                              reference="package:7", market="GB",
                                              carrier_code="SIMPOST",
                                              tracking_number="sp-123456")
        assert shipment.tracking_number == "SP-123456" and not shipment.booked_by_platform
    with pytest.raises(Conflict), transaction() as session:
        carriers.register_tracking(session, purpose="package", reference="package:8",
                                   market="GB", carrier_code="SIMPOST",
                                   tracking_number="SP-123456")
    for bad in ({"tracking_number": "x"}, {"carrier_code": "NOPE"}, {"market": "FR"},
                {"reference": "order:1"}):
        args = {"purpose": "package", "reference": "package:9", "market": "GB",
                "carrier_code": "SIMX", "tracking_number": "ABC-12345", **bad}
        with pytest.raises(ValidationFailed), transaction() as session:
            carriers.register_tracking(session, **args)
    _step(db, frozen_clock)
    assert [e["reference"] for e in _tracking_events(db)] == ["package:7"]
    frozen_clock.advance(days=1)
    assert simulator.advance(db, frozen_clock.current + timedelta(seconds=1)) == 1


def test_the_simulator_has_its_own_http_api_for_parcels(client, db, frozen_clock):
    key = {"Authorization": f"Bearer {get_carrier_settings().api_key}"}
    body = {"reference": "erp:991", "market": "GB"}
    assert client.post("/carrier-sim/v1/parcels/SIMPOST", json=body).status_code == 401
    made = client.post("/carrier-sim/v1/parcels/SIMPOST", json=body, headers=key)
    assert made.status_code == 201, made.text
    number = made.json()["tracking_number"]
    assert number.startswith("SP") and made.json()["label_url"].endswith(number)
    assert client.post("/carrier-sim/v1/parcels/SIMPOST", headers=key, json={
        **body, "tracking_number": number}).status_code == 409
    assert client.post("/carrier-sim/v1/parcels/SIMPOST", headers=key, json={
        **body, "extra": 1}).status_code == 400
    assert client.post("/carrier-sim/v1/parcels/NOPE", json=body, headers=key
                       ).status_code == 400
    chosen = client.post(f"/carrier-sim/v1/parcels/SIMPOST/{number}/scenario", headers=key,
                         json={"scenario": "failed_first_attempt"})
    assert chosen.status_code == 200 and chosen.json()["remaining"] == [
        "COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "FAILED_DELIVERY", "DELIVERED"]
    _step(db, frozen_clock)
    seen = client.get(f"/carrier-sim/v1/parcels/SIMPOST/{number}").json()
    assert [s["status"] for s in seen["scans"]] == ["COLLECTED"]
    assert seen["scans"][0]["delivered_to_platform"] is True  # accepted, for no shipment
    assert _tracking_events(db) == []  # the platform does not know this parcel
    label = client.get(f"/carrier-sim/labels/SIMPOST/{number}")
    assert label.status_code == 200 and number in label.text
    assert client.get("/carrier-sim/labels/SIMPOST/NOPE123").status_code == 404
