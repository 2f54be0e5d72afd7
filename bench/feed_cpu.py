"""CPU per For You request, load-independent: the ASGI app called directly (no HTTP, no
server), ``time.process_time`` over all threads, best of ``--rounds`` x ``--requests``, on
the world of ``bench/feed.py``.

    .venv/bin/python -m bench.feed_cpu [--videos 10000] [--requests 300] [--rounds 3]

Not a test: it never fails on a time.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from bench.catalog import _configure, machine


async def call(app: Any, path: str, headers: dict[str, str]) -> None:
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": route, "raw_path": route.encode(),
             "query_string": query.encode(), "root_path": "", "state": {},
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200, sent


async def measure(token: str, requests: int, rounds: int) -> None:
    from clipcart.app import create_app

    app = create_app()
    auth = {"Authorization": f"Bearer {token}"}
    runs = [("feed, signed in (follows, likes)", "/api/v1/feed?page_size=10", auth),
            ("feed, signed out (GB)", "/api/v1/feed?market=GB&page_size=10", {})]
    for name, path, headers in runs:
        for _ in range(50):  # warm the caches
            await call(app, path, headers)
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(requests):
                await call(app, path, headers)
            best = min(best, (time.process_time() - started) / requests * 1000)
        print(f"{name:34} {best:6.3f} ms CPU per request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    _configure()
    from bench.feed import build

    print(f"clipcart feed CPU benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {machine()}")
    token, items = build(args.videos)
    print(f"{items} feed items")
    asyncio.run(measure(token, args.requests, args.rounds))


if __name__ == "__main__":
    main()
