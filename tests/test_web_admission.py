"""Checkout admission: payments go first, a cancelled wait gives its turn away, and the
buying routes still answer through the gate."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar.routes import HTTPRoute

from clipcart.payments.adapters import SandboxProvider, use_provider
from clipcart.payments.provider import CreatePayment, ProviderPayment
from clipcart.web.admission import FINISH, RESUME, START, Lease, PriorityGate, kind_of
from tests.checkout_support import add, buyer, check_out, listing, pay
from tests.payments_helpers import psp  # noqa: F401  (fixture)


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


async def _visit(gate: PriorityGate, entered: list[str], name: str, kind: int) -> None:
    """Wait for a turn, note it, and give the slot back at once."""
    await gate.acquire(kind)
    entered.append(name)
    gate.release()


def _let_in_order(slots: int, arrivals: list[tuple[str, int]]) -> list[str]:
    """Who gets in, in order, when every slot is held and ``arrivals`` queue in turn; each
    releases as soon as it is in."""

    async def run() -> list[str]:
        gate, entered = PriorityGate(slots), []
        for _ in range(slots):
            await gate.acquire(START)
        tasks = []
        for name, kind in arrivals:
            tasks.append(asyncio.create_task(_visit(gate, entered, name, kind)))
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
        gone = asyncio.create_task(_visit(gate, entered, "gone", FINISH))
        late = asyncio.create_task(_visit(gate, entered, "late", START))
        await asyncio.sleep(0)
        gone.cancel()  # the client went away while waiting
        await asyncio.sleep(0)
        assert len(gate.waiting[FINISH]) == 0
        lucky = asyncio.create_task(_visit(gate, entered, "lucky", FINISH))
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


def test_a_lease_steps_aside_while_outside_and_comes_back_first() -> None:
    async def run() -> list[str]:
        loop, gate, entered = asyncio.get_running_loop(), PriorityGate(1), []
        await gate.acquire(FINISH)
        lease, cart_in, cart_done = Lease(gate, loop, 0.0), asyncio.Event(), asyncio.Event()
        back_from_outside = threading.Event()

        def handler() -> None:  # a sync request handler, in its worker thread
            with lease.stepped_aside():
                assert back_from_outside.wait(5)
            entered.append("back")

        async def cart() -> None:  # takes the slot the payment lent while it waits
            await gate.acquire(START)
            entered.append("cart")
            cart_in.set()
            await cart_done.wait()
            gate.release()

        handling = asyncio.create_task(asyncio.to_thread(handler))
        others = [asyncio.create_task(cart())]
        await asyncio.wait_for(cart_in.wait(), 5)
        others += [asyncio.create_task(_visit(gate, entered, "pay", FINISH)),
                   asyncio.create_task(_visit(gate, entered, "late", START))]
        back_from_outside.set()
        while not gate.waiting[RESUME]:
            await asyncio.sleep(0.001)
        cart_done.set()  # the slot goes to the returning request, before pay and late
        await handling
        lease.end()
        await asyncio.gather(*others)
        assert gate.busy == 0
        return entered

    assert asyncio.run(run()) == ["cart", "back", "pay", "late"]


def test_a_short_wait_outside_keeps_the_slot() -> None:
    async def run() -> list[str]:
        loop, gate, entered = asyncio.get_running_loop(), PriorityGate(1), []
        await gate.acquire(FINISH)
        lease = Lease(gate, loop, 5.0)
        waiting = asyncio.create_task(_visit(gate, entered, "cart", START))

        def handler() -> None:  # the provider answers well within lend_after
            with lease.stepped_aside():
                assert lease.held
            entered.append("back")

        await asyncio.to_thread(handler)
        lease.end()
        await waiting
        return entered

    assert asyncio.run(run()) == ["back", "cart"]


def test_a_request_given_up_while_its_slot_is_lent_does_not_take_one_back() -> None:
    async def run() -> int:
        loop, gate = asyncio.get_running_loop(), PriorityGate(1)
        await gate.acquire(FINISH)
        lease, lent, answered = Lease(gate, loop, 0.0), threading.Event(), threading.Event()

        def handler() -> None:  # goes on after its request was cancelled
            with lease.stepped_aside():
                lent.set()
                assert answered.wait(5)

        handling = asyncio.create_task(asyncio.to_thread(handler))
        while not lent.is_set() or gate.busy:
            await asyncio.sleep(0.001)
        lease.end()  # the middleware's finally, the request cancelled
        answered.set()
        await handling
        return gate.busy

    assert asyncio.run(run()) == 0


class FarProvider:
    """The sandbox adapter held at each new payment until let go: a provider far away."""

    name = "sandbox"

    def __init__(self, inner: SandboxProvider) -> None:
        self.inner, self.reached, self.answer = inner, threading.Event(), threading.Event()

    def create_payment(self, request: CreatePayment, *,
                       idempotency_key: str) -> ProviderPayment:
        self.reached.set()
        assert self.answer.wait(10)
        return self.inner.create_payment(request, idempotency_key=idempotency_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_payment_waiting_on_the_provider_lends_its_slot(client, psp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    item = listing(client, stock=5)
    payer, other = buyer(client), buyer(client)
    assert add(client, payer, item.sku_ids[0]).status_code == 200
    checkout_id = check_out(client, payer).json()["id"]
    far = FarProvider(psp)
    with use_provider(far), ThreadPoolExecutor(2) as pool:  # type: ignore[arg-type]
        try:
            paying = pool.submit(pay, client, payer, checkout_id)
            assert far.reached.wait(10)
            # one slot, held by the payment: only lent while the provider answers
            line = pool.submit(add, client, other, item.sku_ids[0]).result(timeout=10)
            assert line.status_code == 200, line.text
            assert not paying.done()
        finally:
            far.answer.set()
        paid = paying.result(timeout=10)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "PAID"
