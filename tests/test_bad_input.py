"""Bad input gets a clear 4xx problem and changes nothing; never a 500."""

import pytest
from sqlalchemy import func, select

from clipcart.events import OutboxEvent
from clipcart.identity.models import AuthToken, User
from tests.helpers import bearer, signup

GOOD_SIGNUP = {"email": "ok@example.com", "password": "long enough pw", "handle": "ok_user",
               "country": "SG", "birth_date": "1990-01-01"}

JSON_ROUTES = [
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/revoke"),
    ("GET", "/api/v1/me"),
]

MALFORMED_BODIES = [
    b"",
    b"{",
    b"not json",
    b"[]",
    b"null",
    b"42",
    b'"string"',
    b'{"email": 5, "password": [], "handle": {}, "country": null, "birth_date": true}',
    b'{"email": "a@b.co"}',
    b'{"email": "a@b.co", "password": "x", "unknown": 1}',
    b'{"birth_date": "1990-02-31"}',
    b'{"email": "\\ud800@x.co", "password": "pw123456", "handle": "h_h", '
    b'"country": "US", "birth_date": "1990-01-01"}',
    '{"email": "é@ü.co", "password": "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000", '
    '"handle": "zz_z", "country": "US", "birth_date": "1990-01-01"}'.encode(),
    b'{"email": "' + b"a" * 5000 + b'@x.co", "password": "pw123456", "handle": "h_hh", '
    b'"country": "US", "birth_date": "1990-01-01"}',
    b"\xff\xfe\x00garbage",
]


def _counts(db) -> tuple[int, int, int]:
    with db.sessions() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (User, AuthToken, OutboxEvent))  # type: ignore[return-value]


@pytest.mark.parametrize("body", MALFORMED_BODIES)
@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
def test_malformed_bodies_get_a_4xx_problem_and_change_nothing(client, db, method, path, body):
    before = _counts(db)
    response = client.request(method, path, content=body,
                              headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["code"].isupper()
    assert problem["detail"]
    assert _counts(db) == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "application/x-www-form-urlencoded"])
def test_wrong_content_types_are_refused(client, db, content_type):
    response = client.post("/api/v1/auth/signup", content=b"email=x",
                           headers={"content-type": content_type})
    assert 400 <= response.status_code < 500
    assert _counts(db) == (0, 0, 0)


def test_oversized_payloads_are_refused_with_413(client, db):
    big = b'{"email": "' + b"a" * (11 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/auth/signup", content=big,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert _counts(db) == (0, 0, 0)


@pytest.mark.parametrize(("field", "value"), [
    ("email", 123), ("password", None), ("handle", ["a"]), ("country", "USA"),
    ("birth_date", "yesterday"), ("birth_date", "1990-13-01"), ("country", ""),
])
def test_wrong_types_name_the_problem(client, db, field, value):
    response = client.post("/api/v1/auth/signup", json={**GOOD_SIGNUP, field: value})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert _counts(db) == (0, 0, 0)


def test_weird_authorization_headers_are_401_not_500(client):
    for value in ["Bearer", "Bearer " + "x" * 5000, "Basic abc", "bearer \x7f", "Token t"]:
        response = client.get("/api/v1/me", headers={"Authorization": value})
        assert response.status_code == 401, value


def test_unknown_api_paths_and_methods_are_problems(client):
    answer = signup(client)
    missing = client.get("/api/v1/nope", headers=bearer(answer["access_token"]))
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"
    wrong_method = client.delete("/api/v1/me", headers=bearer(answer["access_token"]))
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "METHOD_NOT_ALLOWED"


def test_malformed_web_forms_re_render_instead_of_failing(client):
    from tests.helpers import csrf_form

    token = csrf_form(client, "/signup")
    for form in [{}, {"birth_date": "not-a-date"}, {"email": "x" * 10000}, {"country": "??"}]:
        response = client.post("/signup", data={"_csrf_token": token, **form})
        assert 400 <= response.status_code < 500
        assert "text/html" in response.headers["content-type"]
