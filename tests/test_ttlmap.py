"""The per-process caches' map (``clipcart.ttlmap``): bounded, forgets on time, and never
keeps a value read before an invalidation."""

from __future__ import annotations

from datetime import timedelta

from clipcart.ttlmap import Generation, TtlMap

TTL = timedelta(seconds=5)


def test_the_map_is_bounded_and_forgets_on_time(frozen_clock):
    cache: TtlMap[str, str] = TtlMap(TTL, max_entries=2)
    for key in ("a", "b", "c"):
        cache.put(key, key.upper(), cache.ticket())
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, "B", "C")
    frozen_clock.advance(seconds=4.9)
    assert cache.get("b") == "B"
    frozen_clock.advance(seconds=0.1)
    assert cache.get("b") is None


def test_an_entry_lives_from_when_its_read_began(frozen_clock):
    cache: TtlMap[str, str] = TtlMap(TTL, max_entries=2)
    ticket = cache.ticket()
    frozen_clock.advance(seconds=3)  # a slow read
    cache.put("a", "A", ticket)
    frozen_clock.advance(seconds=2)
    assert cache.get("a") is None


def test_clearing_empties_every_map_of_the_generation_and_refuses_older_reads(frozen_clock):
    shared = Generation()
    one: TtlMap[str, str] = TtlMap(TTL, 10, shared)
    other: TtlMap[str, str] = TtlMap(TTL, 10, shared)
    one.put("a", "A", one.ticket())
    other.put("b", "B", other.ticket())
    before = other.ticket()
    one.clear()
    assert (one.get("a"), other.get("b")) == (None, None)
    other.put("b", "stale", before)
    assert other.get("b") is None
    other.put("b", "B", other.ticket())
    assert other.get("b") == "B"


def test_discarding_a_key_refuses_its_older_reads_only(frozen_clock):
    cache: TtlMap[str, str] = TtlMap(TTL, 10)
    cache.put("a", "A", cache.ticket())
    before = cache.ticket()
    cache.discard("a")
    assert cache.get("a") is None
    cache.put("a", "stale", before)
    assert cache.get("a") is None
    cache.put("b", "B", before)  # another key's read is not affected
    assert cache.get("b") == "B"
    cache.put("a", "A2", cache.ticket())
    assert cache.get("a") == "A2"


def test_a_forgotten_discard_still_refuses_reads_that_began_before_it(frozen_clock,
                                                                      monkeypatch):
    from clipcart import ttlmap

    monkeypatch.setattr(ttlmap, "DISCARD_MEMORY", 2)
    cache: TtlMap[str, str] = TtlMap(TTL, 10)
    before = cache.ticket()
    for key in ("a", "b", "c"):
        cache.discard(key)  # "a" is no longer remembered by name
    cache.put("a", "stale", before)
    assert cache.get("a") is None
    cache.put("a", "A", cache.ticket())
    assert cache.get("a") == "A"
