"""The bearer token cache (``identity.holder_cache``): a cached token costs no statement, a
change committed in this process is seen by the next request, one committed elsewhere
within the TTL, and a rollback or a read racing a change never leaves a stale holder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clipcart.db import transaction
from clipcart.identity import holder_cache
from clipcart.identity import service as identity
from clipcart.social import service as social
from tests.helpers import PASSWORD, bearer, counted_statements, signup


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with counted_statements() as seen:
        yield seen


def me(client: Any, token: str) -> Any:
    return client.get("/api/v1/me", headers=bearer(token))


def signed_up(client: Any) -> tuple[int, str]:
    answer = signup(client)
    return int(answer["user"]["id"]), answer["access_token"]


def test_a_token_seen_in_the_last_seconds_costs_no_statement(client, frozen_clock, statements,
                                                            is_postgres):
    _, token = signed_up(client)
    assert me(client, token).status_code == 200
    statements.clear()
    assert me(client, token).json()["roles"] == ["buyer"]
    assert statements == []
    frozen_clock.advance(seconds=holder_cache.TTL.total_seconds())
    assert me(client, token).status_code == 200
    begin = 0 if is_postgres else 1  # psycopg's BEGIN is not a statement of its own
    assert len(statements) == 1 + begin  # the holder with their roles


def test_a_revoked_token_is_refused_at_once(client, frozen_clock):
    _, token = signed_up(client)
    assert me(client, token).status_code == 200
    assert holder_cache.cached(token) is not None
    assert client.post("/api/v1/auth/revoke", headers=bearer(token)).status_code == 204
    assert me(client, token).status_code == 401


def test_a_role_taken_away_or_given_shows_at_once(client, frozen_clock):
    user_id, token = signed_up(client)
    with transaction() as session:
        identity.grant_role(session, user_id, "creator")
    assert me(client, token).json()["roles"] == ["buyer", "creator"]
    with transaction() as session:
        identity.remove_role(session, user_id, "creator")
    assert me(client, token).json()["roles"] == ["buyer"]
    with transaction() as session:
        identity.grant_role(session, user_id, "seller")
    assert me(client, token).json()["roles"] == ["buyer", "seller"]


def test_a_cached_token_is_refused_once_it_expires(client, frozen_clock):
    _, token = signed_up(client)
    frozen_clock.advance(hours=24, seconds=-1)  # API tokens last 24 hours
    assert me(client, token).status_code == 200
    assert holder_cache.cached(token) is not None
    frozen_clock.advance(seconds=1)  # still within the cache's TTL
    assert me(client, token).status_code == 401


def test_a_revocation_committed_by_another_process_shows_within_the_ttl(
        client, frozen_clock, monkeypatch):
    _, token = signed_up(client)
    assert me(client, token).status_code == 200
    monkeypatch.setattr(holder_cache, "note_change", lambda session: None)  # not told
    with transaction() as session:
        identity.revoke_token(session, token)
    frozen_clock.advance(seconds=holder_cache.TTL.total_seconds() - 0.5)
    assert me(client, token).status_code == 200  # stale, within the TTL
    frozen_clock.advance(seconds=0.5)
    assert me(client, token).status_code == 401


def test_a_rolled_back_revocation_changes_nothing(client, frozen_clock):
    _, token = signed_up(client)
    assert me(client, token).status_code == 200
    with pytest.raises(RuntimeError), transaction() as session:
        identity.revoke_token(session, token)
        raise RuntimeError("the caller gave up")
    assert holder_cache.cached(token) is not None
    assert me(client, token).status_code == 200


def test_new_tokens_new_users_and_other_tables_keep_the_cache(client, frozen_clock):
    user_id, token = signed_up(client)
    assert me(client, token).status_code == 200
    other = signup(client)  # a new user with their first token
    assert client.post("/api/v1/auth/token", json={"email": other["email"],
                                                   "password": PASSWORD}).status_code == 200
    with transaction() as session:
        social.follow(session, user_id, social.user_profile(session, int(other["user"]["id"])).id)
    assert holder_cache.cached(token) is not None


def test_a_holder_read_before_a_revocation_committed_is_not_kept(client, frozen_clock,
                                                                monkeypatch):
    _, token = signed_up(client)
    read = identity.token_lease

    def read_then_revoked(session: Any, secret: str, kind: str) -> Any:
        lease = read(session, secret, kind)  # the holder as the token was live
        with transaction() as other:  # another request logs out meanwhile
            identity.revoke_token(other, secret)
        return lease

    monkeypatch.setattr(identity, "token_lease", read_then_revoked)
    assert me(client, token).status_code == 200  # answered from the read it made
    monkeypatch.setattr(identity, "token_lease", read)
    assert holder_cache.cached(token) is None
    assert me(client, token).status_code == 401
