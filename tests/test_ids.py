import threading

from clipcart.ids import IdGenerator, id_timestamp_ms, new_id, parse_id


def test_ids_are_64_bit_increasing_and_unique_across_threads():
    gen = IdGenerator(node=7)
    seen: list[int] = []
    lock = threading.Lock()

    def mint() -> None:
        local = [gen.next_id() for _ in range(5000)]
        assert local == sorted(local)
        with lock:
            seen.extend(local)

    threads = [threading.Thread(target=mint) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 20000
    assert all(0 < i < 2**63 for i in seen)


def test_ids_carry_their_time_and_parse_back_from_strings():
    value = new_id()
    assert abs(id_timestamp_ms(value) - id_timestamp_ms(new_id())) < 1000
    assert parse_id(str(value)) == value
    assert parse_id("abc") is None
    assert parse_id("-5") is None
    assert parse_id(str(2**64)) is None
