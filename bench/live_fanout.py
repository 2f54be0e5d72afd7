"""LIVE fan-out: K viewers hold a room's event stream (SSE); the host pins a product; how
long until each viewer sees the ``pin`` event.

    .venv/bin/python -m bench.live_fanout --viewers 500 2000 --rounds 3 [--redis URL]

For each viewer count it runs one server process (memory channels), then two server
processes sharing Redis pub/sub (viewers split evenly; the host's console POST goes to the
first). The clock starts when the host's ``POST /seller/{shop}/live/{room}/pin`` is sent
and stops when a viewer's socket yields the ``event: pin`` line, so a delay includes the
console request itself (its transaction and the commit). SQLite in a fresh folder.
Prints p50 / p99 / max delay, receivers and errors per round. Not a test: never fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def _configure() -> Path:
    data = Path(tempfile.mkdtemp(prefix="clipcart-fanout-"))
    os.environ["CLIPCART_DATA_DIR"] = str(data / "var")
    os.environ["CLIPCART_DATABASE_URL"] = f"sqlite:///{data / 'clipcart.db'}"
    os.environ["CLIPCART_JOBS_URL"] = "memory://"
    os.environ["CLIPCART_JOBS_IN_PROCESS"] = "0"
    os.environ.pop("CLIPCART_REDIS_URL", None)
    return data


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(redis_url: str) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, CLIPCART_REDIS_URL=redis_url, PYTHONPATH=str(ROOT),
               CLIPCART_BASE_URL=f"http://127.0.0.1:{port}")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "clipcart.app:app_factory",
                             "--factory", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "--backlog", "4096"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class World:
    shop_id: int
    room_id: int
    products: list[int]
    email: str


def _seed(base: str) -> World:
    """A GB shop, two live products in the bag of a room on air (through the services)."""
    from clipcart.db import transaction
    from clipcart.live import service as live
    from clipcart.shops.service import create_approved_shop
    from tests.catalog_support import Seller, dress_input, live_product, sync_categories

    tag = secrets.token_hex(4)
    email = f"host{tag}@example.com"
    answer = httpx.post(f"{base}/api/v1/auth/signup", json={
        "email": email, "password": PASSWORD, "handle": f"host_{tag}", "country": "GB",
        "birth_date": "1990-05-17"}, timeout=30).json()
    with transaction() as session:
        shop_id = create_approved_shop(session, email, "Fanout Shop", "GB").id
    sync_categories()
    seller = Seller(int(answer["user"]["id"]), email, answer["access_token"], shop_id, "GB")
    products = [live_product(seller, dress_input(title=f"Dress {n}", code=f"D{n}"))
                for n in range(2)]
    from clipcart import clock

    with transaction() as session:
        room = live.schedule(session, shop_id=shop_id, user_id=seller.user_id,
                             title="Fan-out", scheduled_at=clock.now(), planned_minutes=120)
        live.start(session, room, seller.user_id)
        for product_id in products:
            live.add_to_bag(session, room, product_id)
        room_id = room.id
    return World(shop_id, room_id, products, email)


class Host:
    """The host's browser session on the console: log in once, then pin by form POST."""

    def __init__(self, base: str, world: World) -> None:
        self.base, self.world = base, world
        self.http = httpx.Client(base_url=base, timeout=30)
        login = self.http.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login)
        assert token, "no CSRF token on /login"
        self.http.post("/login", data={"_csrf_token": token.group(1), "email": world.email,
                                       "password": PASSWORD, "next": "/"})
        console = self.http.get(f"/seller/{world.shop_id}/live/{world.room_id}").text
        found = re.search(r'name="_csrf_token" value="([^"]+)"', console)
        assert found, "no CSRF token on the console"
        self.csrf = found.group(1)

    def pin(self, product_id: int) -> float:
        started = time.perf_counter()
        response = self.http.post(
            f"/seller/{self.world.shop_id}/live/{self.world.room_id}/pin",
            data={"_csrf_token": self.csrf, "product_id": str(product_id)})
        assert response.status_code in (200, 303), (response.status_code, response.text[:300])
        return time.perf_counter() - started


@dataclass
class Viewer:
    got_pin: list[float] = field(default_factory=list)
    ready: bool = False
    error: str = ""


async def _watch(base: str, room_id: int, viewer: Viewer, stop: asyncio.Event) -> None:
    host, port = base.removeprefix("http://").split(":")
    try:
        reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
        writer.write(f"GET /api/v1/lives/{room_id}/events HTTP/1.1\r\nHost: {host}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            viewer.error = status.decode().strip()
            return
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                viewer.error = "closed"
                return
            if line.startswith(b"event: state"):
                viewer.ready = True
            elif line.startswith(b"event: pin"):
                viewer.got_pin.append(time.perf_counter())
        writer.close()
    except (OSError, asyncio.IncompleteReadError) as exc:
        viewer.error = type(exc).__name__


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _run(bases: list[str], world: World, host: Host, viewers: int, rounds: int) -> None:
    stop = asyncio.Event()
    crowd = [Viewer() for _ in range(viewers)]
    tasks = []
    connect_started = time.perf_counter()
    for n, viewer in enumerate(crowd):
        tasks.append(asyncio.create_task(_watch(bases[n % len(bases)], world.room_id, viewer,
                                                stop)))
        if n % 50 == 49:
            await asyncio.sleep(0.05)
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline and sum(v.ready or bool(v.error) for v in crowd) < viewers:
        await asyncio.sleep(0.2)
    ready = sum(v.ready for v in crowd)
    took = time.perf_counter() - connect_started
    print(f"  {ready}/{viewers} viewers streaming after {took:.1f}s"
          f" ({sum(bool(v.error) for v in crowd)} failed to connect)", flush=True)
    await asyncio.sleep(1.5)  # let the viewer-count events settle
    for r in range(rounds):
        product = world.products[r % 2]
        before = [len(v.got_pin) for v in crowd]
        sent = time.perf_counter()
        post_seconds = await asyncio.to_thread(host.pin, product)
        wait_until = time.perf_counter() + 10
        while time.perf_counter() < wait_until:
            if all(len(v.got_pin) > b for v, b in zip(crowd, before, strict=True) if v.ready):
                break
            await asyncio.sleep(0.01)
        delays = [(v.got_pin[b] - sent) * 1000 for v, b in zip(crowd, before, strict=True)
                  if len(v.got_pin) > b]
        missing = ready - len(delays)
        print(f"  round {r + 1}: receivers {len(delays)}/{viewers}  p50 {_pct(delays, .5):.0f} ms"
              f"  p99 {_pct(delays, .99):.0f} ms  max {max(delays, default=float('nan')):.0f} ms"
              f"  (console POST {post_seconds * 1000:.0f} ms)  errors {missing + viewers - ready}",
              flush=True)
        await asyncio.sleep(1.0)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--modes", nargs="+", default=["one", "two"], choices=["one", "two"])
    args = parser.parse_args()
    data = _configure()
    sys.path.insert(0, str(ROOT))
    from clipcart.migrate import upgrade

    upgrade(os.environ["CLIPCART_DATABASE_URL"])
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    print(f"live_fanout {date.today()} on {platform.machine()} {os.cpu_count()} cores, "
          f"CPython {platform.python_version()}, load {' '.join(load)}; data {data}")
    for mode in args.modes:
        redis_url = args.redis if mode == "two" else ""
        with ExitStack() as stack:
            bases = [stack.enter_context(_server(redis_url))
                     for _ in range(2 if mode == "two" else 1)]
            world = _seed(bases[0])
            host = Host(bases[0], world)
            for viewers in args.viewers:
                label = "two processes on Redis" if mode == "two" else "one process (memory)"
                print(f"{label}, {viewers} viewers:", flush=True)
                asyncio.run(_run(bases, world, host, viewers, args.rounds))


if __name__ == "__main__":
    main()
