"""Operators act on reports: removed videos disappear, hidden comments too, and the
reports on that thing close."""

from __future__ import annotations

from clipcart.db import transaction
from clipcart.identity import service as identity
from clipcart.social import service
from tests.catalog_support import log_in
from tests.helpers import PASSWORD, bearer, signup
from tests.social_support import upload


def _operator(client) -> str:
    with transaction() as session:
        identity.create_operator(session, "mod@example.com", PASSWORD)
    return log_in(client, "mod@example.com")


def test_an_operator_removes_a_reported_video_and_its_reports_close(client):
    owner = signup(client)
    vid = upload(client, owner["access_token"], caption="fake giveaway").json()["id"]
    for _ in range(2):
        someone = signup(client)
        client.post("/api/v1/reports", headers=bearer(someone["access_token"]),
                    json={"target_type": "video", "target_id": vid, "reason": "scam"})
    csrf = _operator(client)
    console = client.get("/operator")
    assert "Reports" in console.text
    queue = client.get("/operator/reports")
    assert "fake giveaway" in queue.text and "2 reports" in queue.text
    with transaction() as session:
        [first] = [r.id for r in service.open_reports(session)][:1]
    done = client.post(f"/operator/reports/{first}", data={"_csrf_token": csrf,
                                                          "action": "REMOVED"})
    assert done.status_code == 200 and "No open reports" in done.text
    client.cookies.clear()
    assert client.get(f"/api/v1/videos/{vid}").status_code == 404
    with transaction() as session:
        assert service.open_reports(session) == []
        assert [(h.to_value, h.reason) for h in service.history(session, "video", int(vid))
                ][-1] == ("REMOVED", f"report {first}")


def test_an_operator_hides_a_reported_comment(client):
    owner = signup(client)
    vid = upload(client, owner["access_token"]).json()["id"]
    troll = signup(client)
    cid = client.post(f"/api/v1/videos/{vid}/comments", json={"body": "rude words"},
                      headers=bearer(troll["access_token"])).json()["id"]
    client.post("/api/v1/reports", headers=bearer(owner["access_token"]),
                json={"target_type": "comment", "target_id": cid, "reason": "abuse"})
    csrf = _operator(client)
    with transaction() as session:
        [report] = service.open_reports(session)
    client.post(f"/operator/reports/{report.id}", data={"_csrf_token": csrf,
                                                        "action": "HIDDEN"})
    assert client.get(f"/api/v1/videos/{vid}/comments").json()["comments"] == []


def test_people_who_are_not_operators_cannot_open_the_reports_console(client):
    person = signup(client)
    log_in(client, person["email"])
    assert client.get("/operator/reports").status_code in (403, 404)
