"""Checkout admission: payments go first, a cancelled wait gives its turn away, and the
buying routes still answer through the gate."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from litestar.routes import HTTPRoute

from clipcart.web.admission import FINISH, START, PriorityGate, kind_of
from tests.checkout_support import add, buyer, listing


def _gated(app) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    """(method, path) -> kind of every route of the app that takes part in admission."""
    return {(method, route.path): kind for route in app.routes if isinstance(route, HTTPRoute)
            for method, (handler, _) in route.route_handler_map.items()
            if (kind := kind_of({"route_handler": handler})) is not None}  # type: ignore[typeddict-item]


def test_only_the_buying_posts_are_gated(app) -> None:  # type: ignore[no-untyped-def]
    gated = _gated(app)
    assert gated == {("POST", "/api/v1/checkouts/{checkout_id:str}/payment"): FINISH,
                     ("POST", "/api/v1/checkouts"): START,
                     ("POST", "/api/v1/cart/lines"): START}
    assert ("GET", "/api/v1/checkouts/{checkout_id:str}") not in gated
    assert ("POST", "/psp-sandbox/v1/payments") not in gated
    assert ("POST", "/api/v1/payments/webhooks/sandbox") not in gated


def _let_in_order(slots: int, arrivals: list[tuple[str, int]]) -> list[str]:
    """Who gets in, in order, when every slot is held and ``arrivals`` queue in turn; each
    releases as soon as it is in."""

    async def run() -> list[str]:
        gate, entered = PriorityGate(slots), []
        for _ in range(slots):
            await gate.acquire(START)

        async def visitor(name: str, kind: int) -> None:
            await gate.acquire(kind)
            entered.append(name)
            gate.release()

        tasks = []
        for name, kind in arrivals:
            tasks.append(asyncio.create_task(visitor(name, kind)))
            await asyncio.sleep(0)  # queued in arrival order
        assert entered == []  # every slot is held
        for _ in range(slots):
            gate.release()
        await asyncio.gather(*tasks)
        assert gate.busy == 0
        return entered

    return asyncio.run(run())


def test_payments_are_let_in_before_new_buyers_then_in_arrival_order() -> None:
    arrivals = [("cart-a", START), ("checkout-b", START), ("pay-c", FINISH),
                ("cart-d", START), ("pay-e", FINISH)]
    assert _let_in_order(1, arrivals) == ["pay-c", "pay-e", "cart-a", "checkout-b", "cart-d"]
    assert _let_in_order(2, arrivals) == ["pay-c", "pay-e", "cart-a", "checkout-b", "cart-d"]


def test_a_free_slot_is_taken_at_once_and_busy_never_exceeds_the_slots() -> None:
    async def run() -> int:
        gate, most = PriorityGate(3), 0

        async def visitor() -> None:
            nonlocal most
            await gate.acquire(START)
            most = max(most, gate.busy)
            await asyncio.sleep(0.001)
            gate.release()

        await asyncio.gather(*(visitor() for _ in range(50)))
        assert gate.busy == 0 and not any(gate.waiting)
        return most

    assert asyncio.run(run()) == 3


def test_a_cancelled_wait_leaves_the_queue_and_a_cancelled_turn_is_passed_on() -> None:
    async def run() -> list[str]:
        gate, entered = PriorityGate(1), []
        await gate.acquire(START)

        async def visitor(name: str, kind: int) -> None:
            await gate.acquire(kind)
            entered.append(name)
            gate.release()

        gone = asyncio.create_task(visitor("gone", FINISH))
        late = asyncio.create_task(visitor("late", START))
        await asyncio.sleep(0)
        gone.cancel()  # the client went away while waiting
        await asyncio.sleep(0)
        assert len(gate.waiting[FINISH]) == 0
        lucky = asyncio.create_task(visitor("lucky", FINISH))
        await asyncio.sleep(0)
        gate.release()  # lucky's turn...
        lucky.cancel()  # ...but it is cancelled before it runs: the turn goes to late
        await asyncio.gather(late, return_exceptions=True)
        await asyncio.gather(gone, lucky, return_exceptions=True)
        assert gate.busy == 0
        return entered

    assert asyncio.run(run()) == ["late"]


def test_buyers_at_once_all_get_through_the_gate(client) -> None:  # type: ignore[no-untyped-def]
    item = listing(client, stock=20)
    buyers = [buyer(client) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:  # one slot: seven wait, then each gets its turn
        answers = list(pool.map(lambda who: add(client, who, item.sku_ids[0], 2), buyers))
    assert [a.status_code for a in answers] == [200] * 8
    assert {a.json()["lines"][0]["quantity"] for a in answers} == {2}
