"""Feed benchmark: For You at 10,000 videos next to a bare Litestar JSON route, both served
by uvicorn on loopback in the same run; prints requests/s, p50/p99 and SQL statements per
feed request at two page sizes.

    .venv/bin/python -m bench.feed [--videos 10000] [--seconds 5] [--clients 8] [--workers 1]

SQLite under a fresh temporary data folder by default; PostgreSQL when
CLIPCART_DATABASE_URL is set. Not a test: it never fails on a time.

To build 10,000 videos in seconds rather than an hour, one real clip is uploaded through
social's service and the other rows reuse its media and are written in bulk into social's
tables (a benchmark shortcut; the application never does this). The feed's own table is
then built by ``discovery.feed_index.refresh``, the periodic job, as in production.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from typing import Any

from bench.catalog import _configure, _free_port, _png, machine

PASSWORD = "bench-password-123"
CREATORS = 30


def bare_app() -> Any:
    """The baseline: Litestar returning a small JSON document, nothing else."""
    from litestar import Litestar, get

    @get("/bare", sync_to_thread=False)
    def bare() -> dict[str, object]:
        return {"items": [{"type": "video", "id": str(n)} for n in range(10)],
                "next_page_token": None}

    return Litestar(route_handlers=[bare])


def build(videos: int) -> tuple[str, int]:
    """Creators, a shop with products, ``videos`` videos, a viewer with follows and likes;
    the viewer's API token and the number of feed items."""
    from sqlalchemy import insert, select

    import clipcart.handlers
    import clipcart.jobs  # noqa: F401
    from clipcart import clock
    from clipcart.catalog.categories import category_by_path, ensure_categories
    from clipcart.catalog.service import ProductInput, SkuInput
    from clipcart.catalog.submission import create_and_submit
    from clipcart.config import get_settings
    from clipcart.db import transaction
    from clipcart.discovery import feed_index
    from clipcart.identity import service as identity
    from clipcart.ids import new_id
    from clipcart.migrate import upgrade
    from clipcart.shops import service as shops
    from clipcart.social import service as social
    from clipcart.social.clips import generate_clip
    from clipcart.social.models import Video, VideoLike, VideoProduct, VideoTag

    upgrade(get_settings().database_url)
    rng = random.Random(11)
    users = []
    with transaction() as session:
        for n in range(CREATORS + 1):
            user = identity.sign_up(session, identity.SignUp(
                email=f"bench{n}@example.com", password=PASSWORD, handle=f"bench_{n}",
                country="GB", birth_date=date(1990, 1, 1)))
            users.append(user.id)
        viewer = users.pop()
        token, _ = identity.issue_token(session, viewer, "api")
        profiles = [social.user_profile(session, u).id for u in users]
        shop = shops.create_approved_shop(session, "bench0@example.com", "Bench Shop", "GB")
        clip = generate_clip(1.0, (160, 284), (40, 120, 200), "bench", fps=10)
        first = social.upload_video(session, users[0], clip, caption="first #bench")
        media, poster = first.media_key, first.poster_key
    with transaction() as session:
        ensure_categories(session)
        dresses = category_by_path(session, "Womenswear/Dresses")
        assert dresses is not None
        product_ids = []
        for n in range(8):
            data = ProductInput(title=f"Bench linen dress {n}", description="Bench dress",
                                brand="Bench", category_id=dresses.id,
                                attributes={"Material": "Linen"},
                                skus=[SkuInput(f"BENCH{n}-M", "24.90",
                                               attributes={"Colour": "Red", "Size": "M"},
                                               stock=50)])
            product_ids.append(create_and_submit(session, shops.get_shop(session, shop.id),  # type: ignore[arg-type]
                                                 data, images=[_png()]).id)
    now = clock.now()
    rows, anchors, tags = [], [], []
    for n in range(videos - 1):
        vid = new_id()
        rows.append({"id": vid, "profile_id": rng.choice(profiles), "uploader_user_id": users[0],
                     "shop_id": shop.id if n % 4 == 0 else None,
                     "caption": f"Bench clip {n} #bench{n % 50}", "media_key": media,
                     "poster_key": poster, "content_type": "video/mp4", "size_bytes": 1000,
                     "duration_ms": 1000, "width": 160, "height": 284, "visibility": "PUBLIC",
                     "status": "PUBLISHED", "view_count": rng.randint(0, 5000),
                     "like_count": rng.randint(0, 300), "comment_count": rng.randint(0, 40),
                     "share_count": rng.randint(0, 20),
                     "created_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))})
        if n % 4 == 0:
            anchors.append({"video_id": vid, "product_id": rng.choice(product_ids),
                            "position": 0})
        tags.append({"video_id": vid, "tag": f"bench{n % 50}"})
    with transaction() as session:
        for start in range(0, len(rows), 1000):
            session.execute(insert(Video), rows[start:start + 1000])
        session.execute(insert(VideoProduct), anchors)
        session.execute(insert(VideoTag), tags)
        for profile_id in profiles[:20]:
            social.follow(session, viewer, profile_id)
        session.execute(insert(VideoLike), [{"user_id": viewer, "video_id": r["id"],
                                             "created_at": now} for r in rows[:50]])
    with transaction() as session:
        count = feed_index.refresh(session)
        assert count == len(list(session.scalars(select(Video.id))))
    return token, count


def count_queries(token: str) -> dict[int, int]:
    from litestar.testing import TestClient
    from sqlalchemy import event

    from clipcart.app import create_app
    from clipcart.db import get_database

    engine = get_database().engine
    seen: list[str] = []

    def listener(*args: object) -> None:
        seen.append(str(args[2]))

    counts = {}
    with TestClient(app=create_app()) as client:
        for size in (10, 50):
            client.get(f"/api/v1/feed?page_size={size}",  # warm: the band and cards cached
                       headers={"Authorization": f"Bearer {token}"})
            seen.clear()
            event.listen(engine, "before_cursor_execute", listener)
            try:
                answer = client.get(f"/api/v1/feed?page_size={size}",
                                    headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 200, answer.text
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            counts[size] = len(seen)
    return counts


def serve(target: list[str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log", "--workers", str(workers)],
        env={**os.environ, "CLIPCART_JOBS_IN_PROCESS": "0"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            httpx.get(base + "/", timeout=1)
            return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def load(base: str, url: str, seconds: float, clients: int,
         headers: dict[str, str]) -> tuple[float, float, float, int]:
    """p50 and p99 in ms, requests/s and errors, ``clients`` threads for ``seconds``."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                status = client.get(url).status_code
                mine.append((time.perf_counter() - t) * 1000)
                if status != 200:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies), p99, len(latencies) / elapsed, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    _configure()
    from clipcart.config import get_settings

    print(f"clipcart feed benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {machine()}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"database: {get_settings().database_url.split('@')[-1]}")
    t = time.perf_counter()
    token, items = build(args.videos)
    print(f"built in {time.perf_counter() - t:.0f} s: {items} feed items")
    for size, n in count_queries(token).items():
        print(f"SQL statements per signed-in feed request (caches warm), page_size={size}: {n}")
    auth = {"Authorization": f"Bearer {token}"}
    runs = [("bare Litestar JSON route", ["bench.feed:bare_app", "--factory"], "/bare", {}),
            ("feed, signed out (GB)", ["clipcart.app:app_factory", "--factory"],
             "/api/v1/feed?market=GB&page_size=10", {}),
            ("feed, signed in (follows, likes)", ["clipcart.app:app_factory", "--factory"],
             "/api/v1/feed?page_size=10", auth)]
    results = {}
    for name, target, url, headers in runs:
        process, base = serve(target, args.workers)
        try:
            load(base, url, 1, 2, headers)  # warm up
            p50, p99, rps, errors = load(base, url, args.seconds, args.clients, headers)
        finally:
            process.terminate()
            process.wait(timeout=20)
        results[name] = rps
        print(f"{name:34} {rps:8.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
              f"errors {errors}")
    bare = results["bare Litestar JSON route"]
    for name, rps in results.items():
        if name != "bare Litestar JSON route":
            print(f"{name}: {100 * rps / bare:.1f}% of the bare route's requests/s")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
