"""LIVE chat rules: masking, limits, slow mode, mutes, moderators, deleting."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from clipcart.db import transaction
from clipcart.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from clipcart.live import chat_service as chat
from clipcart.live import service as live_service
from tests.live_chat_support import room_on_air, viewer


def _post(room_id: int, author: chat.Author, body: str) -> chat.ChatMessage:
    with transaction() as session:
        return chat.post(session, room_id, author, body)


def _bodies(room_id: int) -> list[str]:
    with transaction() as session:
        return [m.body for m in chat.recent(session, room_id)]


def test_a_message_is_kept_with_profanity_masked(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    message = _post(room.id, fan.author, "  this dress is the SHIT, fuuuck  ")
    assert (message.body, message.masked) == ("this dress is the S***, f*****", True)
    clean = _post(room.id, fan.author, "Scunthorpe cocktails!")
    assert (clean.body, clean.masked) == ("Scunthorpe cocktails!", False)
    assert _bodies(room.id) == ["this dress is the S***, f*****", "Scunthorpe cocktails!"]
    assert chat.message_json(clean)["user"] == {"id": str(fan.id), "handle": fan.handle}


@pytest.mark.parametrize(("body", "code"), [
    ("", "EMPTY_MESSAGE"), ("   ", "EMPTY_MESSAGE"), ("x" * 201, "MESSAGE_TOO_LONG"),
    ("two\nlines", "INVALID_CHARACTERS"), ("bell\x07", "INVALID_CHARACTERS")])
def test_bad_messages_are_refused_and_nothing_is_kept(client: Any, body: str, code: str) -> None:
    room, fan = room_on_air(client), viewer(client)
    with pytest.raises(ValidationFailed) as refused:
        _post(room.id, fan.author, body)
    assert (refused.value.code, refused.value.field) == (code, "body")
    assert _bodies(room.id) == []


def test_a_message_of_exactly_the_limit_is_accepted(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    assert _post(room.id, fan.author, "é" * 200).body == "é" * 200


def test_chat_is_closed_once_the_live_ended_and_unknown_rooms_are_not_found(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with transaction() as session:
        live_service.end(session, live_service.get_room(session, room.id),
                         actor=f"seller:{room.host.user_id}")
    with pytest.raises(Conflict) as closed:
        _post(room.id, fan.author, "hello?")
    assert closed.value.code == "CHAT_CLOSED"
    with pytest.raises(NotFound):
        _post(room.id + 1, fan.author, "hello?")


def test_slow_mode_spaces_a_viewers_messages_but_not_the_hosts(client: Any,
                                                               frozen_clock: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with transaction() as session:
        chat.set_slow_mode(session, room.id, room.host.user_id, 10)
    _post(room.id, fan.author, "first")
    frozen_clock.advance(seconds=4)
    with pytest.raises(RateLimited) as slowed:
        _post(room.id, fan.author, "second")
    assert (slowed.value.code, slowed.value.retry_after) == ("SLOW_MODE", 6)
    frozen_clock.advance(seconds=6)
    _post(room.id, fan.author, "second, later")
    _post(room.id, room.host_author, "host one")
    _post(room.id, room.host_author, "host two")
    assert _bodies(room.id) == ["first", "second, later", "host one", "host two"]


def test_slow_mode_lets_only_one_of_many_simultaneous_messages_through(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with transaction() as session:
        chat.set_slow_mode(session, room.id, room.host.user_id, 30)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            _post(room.id, fan.author, f"spam {n}")
            outcomes.append("posted")
        except RateLimited:
            outcomes.append("slowed")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["posted"] + ["slowed"] * 5
    assert len(_bodies(room.id)) == 1


def test_slow_mode_out_of_range_is_refused_and_only_moderators_set_it(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with pytest.raises(ValidationFailed) as bad, transaction() as session:
        chat.set_slow_mode(session, room.id, room.host.user_id, 301)
    assert bad.value.code == "BAD_SLOW_MODE"
    with pytest.raises(Forbidden) as refused, transaction() as session:
        chat.set_slow_mode(session, room.id, fan.id, 5)
    assert refused.value.code == "NOT_MODERATOR"
    with transaction() as session:
        assert chat.slow_mode_of(session, room.id) == 0


def test_a_muted_viewer_cannot_post_until_the_mute_runs_out(client: Any,
                                                             frozen_clock: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with transaction() as session:
        chat.mute(session, room.id, fan.id, room.host.user_id, minutes=5, reason="spam")
    with pytest.raises(Forbidden) as muted:
        _post(room.id, fan.author, "let me talk")
    assert muted.value.code == "MUTED"
    frozen_clock.advance(minutes=5)
    assert _post(room.id, fan.author, "back").body == "back"


def test_unmute_lifts_an_open_ended_mute(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with transaction() as session:
        chat.mute(session, room.id, fan.id, room.host.user_id)
    with pytest.raises(Forbidden):
        _post(room.id, fan.author, "hello")
    with transaction() as session:
        chat.unmute(session, room.id, fan.id, room.host.user_id)
    assert _post(room.id, fan.author, "hello").body == "hello"


def test_an_appointed_moderator_mutes_viewers_but_not_the_host_or_other_moderators(
        client: Any) -> None:
    room, mod, other_mod, fan = (room_on_air(client), viewer(client), viewer(client),
                                 viewer(client))
    with transaction() as session:
        chat.appoint_moderator(session, room.id, mod.id, room.host.user_id)
        chat.appoint_moderator(session, room.id, other_mod.id, room.host.user_id)
        chat.appoint_moderator(session, room.id, mod.id, room.host.user_id)  # twice: once
    with transaction() as session:
        chat.mute(session, room.id, fan.id, mod.id, minutes=10)
    for target in (room.host.user_id, other_mod.id):
        with pytest.raises(Forbidden) as refused, transaction() as session:
            chat.mute(session, room.id, target, mod.id)
        assert refused.value.code == "CANNOT_MUTE"
    with pytest.raises(Forbidden) as not_host, transaction() as session:
        chat.appoint_moderator(session, room.id, fan.id, mod.id)
    assert not_host.value.code == "NOT_HOST"
    with transaction() as session:
        chat.dismiss_moderator(session, room.id, mod.id, room.host.user_id)
    with pytest.raises(Forbidden) as dismissed, transaction() as session:
        chat.unmute(session, room.id, fan.id, mod.id)
    assert dismissed.value.code == "NOT_MODERATOR"


def test_a_viewer_cannot_mute_anyone(client: Any) -> None:
    room, fan, other = room_on_air(client), viewer(client), viewer(client)
    with pytest.raises(Forbidden) as refused, transaction() as session:
        chat.mute(session, room.id, other.id, fan.id)
    assert refused.value.code == "NOT_MODERATOR"
    with pytest.raises(ValidationFailed), transaction() as session:
        chat.mute(session, room.id, other.id, room.host.user_id, minutes=0)


def test_a_moderator_deletes_any_message_and_a_viewer_only_their_own(client: Any) -> None:
    room, fan, other = room_on_air(client), viewer(client), viewer(client)
    first = _post(room.id, fan.author, "buy now")
    second = _post(room.id, other.author, "me too")
    with pytest.raises(Forbidden), transaction() as session:
        chat.delete_message(session, room.id, first.id, other.id)
    with transaction() as session:
        chat.delete_message(session, room.id, first.id, room.host.user_id)
        chat.delete_message(session, room.id, second.id, other.id)
    with transaction() as session:
        chat.delete_message(session, room.id, first.id, room.host.user_id)  # again: no-op
    assert _bodies(room.id) == []
    with pytest.raises(NotFound), transaction() as session:
        chat.delete_message(session, room.id + 1, second.id, room.host.user_id)
