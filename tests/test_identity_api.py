from datetime import timedelta

from clipcart.identity.models import User
from tests.helpers import PASSWORD, bearer, signup


def test_signup_answers_a_token_that_identifies_the_user(client):
    answer = signup(client, country="PH", handle="maria.ph")
    assert answer["user"]["handle"] == "maria.ph"
    assert answer["user"]["country"] == "PH"
    assert isinstance(answer["user"]["id"], str)
    me = client.get("/api/v1/me", headers=bearer(answer["access_token"]))
    assert me.status_code == 200
    assert me.json() == {"id": answer["user"]["id"], "handle": "maria.ph",
                         "email": answer["email"], "display_name": "maria.ph",
                         "country": "PH", "roles": ["buyer"], "can_shop": True}


def test_buyers_outside_the_eight_markets_may_join_but_see_no_shop(client):
    answer = signup(client, country="DE")
    me = client.get("/api/v1/me", headers=bearer(answer["access_token"])).json()
    assert me["country"] == "DE"
    assert me["can_shop"] is False


def test_log_in_gives_a_new_token_and_wrong_password_is_refused(client):
    answer = signup(client)
    ok = client.post("/api/v1/auth/token", json={"email": answer["email"], "password": PASSWORD})
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "bearer"
    assert ok.json()["expires_in"] == 86400
    bad = client.post("/api/v1/auth/token", json={"email": answer["email"], "password": "nope1234"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "INVALID_CREDENTIALS"
    unknown = client.post("/api/v1/auth/token", json={"email": "x@y.zz", "password": "nope1234"})
    assert unknown.json()["code"] == "INVALID_CREDENTIALS"


def test_log_in_is_rate_limited_per_email(client):
    answer = signup(client)
    codes = [client.post("/api/v1/auth/token",
                         json={"email": answer["email"], "password": "wrong-pass"}).status_code
             for _ in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    limited = client.post("/api/v1/auth/token",
                          json={"email": answer["email"], "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) > 0


def test_tokens_expire_and_can_be_revoked(client, frozen_clock):
    answer = signup(client)
    headers = bearer(answer["access_token"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    frozen_clock.advance(hours=25)
    expired = client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "UNAUTHORIZED"
    frozen_clock.advance(hours=-25)
    assert client.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(client, db):
    from sqlalchemy import select

    from clipcart.identity.models import AuthToken

    answer = signup(client)
    with db.sessions() as session:
        hashes = session.execute(select(AuthToken.token_hash)).scalars().all()
        user = session.execute(select(User)).scalar_one()
    assert answer["access_token"] not in hashes
    assert len(hashes) == 1 and len(hashes[0]) == 64
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_duplicate_email_or_handle_is_a_conflict_that_changes_nothing(client, db):
    first = signup(client, handle="taken_handle")
    again = client.post("/api/v1/auth/signup", json={
        "email": first["email"].upper(), "password": PASSWORD, "handle": "other_handle",
        "country": "US", "birth_date": "1990-01-01"})
    assert again.status_code == 409
    assert again.json()["code"] == "EMAIL_TAKEN"
    same_handle = client.post("/api/v1/auth/signup", json={
        "email": "new@example.com", "password": PASSWORD, "handle": "Taken_Handle",
        "country": "US", "birth_date": "1990-01-01"})
    assert same_handle.json()["code"] == "HANDLE_TAKEN"
    with db.sessions() as session:
        assert session.query(User).count() == 1


def test_signup_validation_names_the_field(client, frozen_clock):
    cases = {
        "email": {"email": "not-an-email"},
        "handle": {"handle": "no spaces!"},
        "password": {"password": "short"},
        "country": {"country": "ZZ"},
        "birth_date": {"birth_date": (frozen_clock.current - timedelta(days=365 * 10)).date()
                       .isoformat()},
    }
    for field, override in cases.items():
        body = {"email": "ok@example.com", "password": PASSWORD, "handle": "fine_handle",
                "country": "US", "birth_date": "1990-01-01", **override}
        response = client.post("/api/v1/auth/signup", json=body)
        assert response.status_code == 400, (field, response.text)
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert response.json()["field"] == field


def test_me_without_a_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    wrong = client.get("/api/v1/me", headers=bearer("not-a-token"))
    assert wrong.status_code == 401
