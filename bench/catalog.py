"""Catalog benchmark: a shop with 100,000 SKUs, then the seller product list, the buyer
product page and search through HTTP on loopback (uvicorn subprocess, 16 client threads).

    .venv/bin/python bench/catalog.py [--products 1000] [--skus 100] [--seconds 15]

SQLite under a fresh temporary data folder by default (reuse a build with
CLIPCART_DATA_DIR=<the printed folder>); PostgreSQL when CLIPCART_DATABASE_URL is set.
Prints p50/p99, requests/s and SQL statements per request at two page sizes.
Not a test: it never fails on a time.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

WORDS = ["linen", "cotton", "silk", "denim", "velvet", "wool", "summer", "winter", "classic",
         "relaxed", "slim", "floral", "striped", "vintage", "breezy", "cosy", "tailored",
         "wrap", "midi", "maxi", "tiered", "pleated", "ruched", "boho", "picnic", "garden",
         "evening", "office", "weekend", "travel"]
COLOURS = ["Black", "White", "Grey", "Navy", "Blue", "Red", "Pink", "Green", "Beige", "Brown"]
SIZES = ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL"]
PASSWORD = "bench-password-123"
# SKUs stocked per product: one stock write costs ~7 ms (row lock, movement, history), so
# stocking all 100,000 would make the build ten minutes longer; unstocked SKUs read as 0.
STOCKED = 10
EMAIL = "bench-seller@example.com"


def _configure() -> Path:
    data = Path(tempfile.mkdtemp(prefix="clipcart-bench-"))
    os.environ.setdefault("CLIPCART_DATA_DIR", str(data))
    os.environ["CLIPCART_JOBS_URL"] = "memory://"  # handlers run inline after each commit
    return data


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 80, 120)).save(out, "PNG")
    return out.getvalue()


def build(products: int, skus_per_product: int) -> tuple[int, list[int]]:
    """An approved GB shop with ``products`` x ``skus_per_product`` SKUs, all live, the
    first ``STOCKED`` SKUs of each product stocked."""
    from sqlalchemy import select

    import clipcart.handlers
    import clipcart.jobs  # noqa: F401
    from clipcart.catalog.categories import category_by_path, ensure_categories
    from clipcart.catalog.models import Product
    from clipcart.catalog.service import ProductInput, SkuInput
    from clipcart.catalog.submission import create_and_submit
    from clipcart.config import get_settings
    from clipcart.db import transaction
    from clipcart.identity import service as identity
    from clipcart.migrate import upgrade
    from clipcart.shops import service as shops

    upgrade(get_settings().database_url)
    with transaction() as session:
        ensure_categories(session)
        if identity.user_by_email(session, EMAIL) is None:
            identity.sign_up(session, identity.SignUp(
                email=EMAIL, password=PASSWORD, handle="bench_seller", country="GB",
                birth_date=date(1990, 1, 1), display_name="Bench Seller"))
        owned = shops.shops_of(session, identity.user_by_email(session, EMAIL).id)  # type: ignore[union-attr]
        shop = owned[0][0] if owned else shops.create_approved_shop(session, EMAIL,
                                                                       "Bench Shop", "GB")
        shop_id = shop.id
        dresses = category_by_path(session, "Womenswear/Dresses")
        assert dresses is not None
        have = len(session.execute(select(Product.id).where(Product.shop_id == shop_id))
                   .scalars().all())
    combos = [(c, s) for c in COLOURS for s in SIZES][:skus_per_product]
    image, rng, started = _png(), random.Random(7), time.perf_counter()
    batch = 25
    for first in range(have, products, batch):
        with transaction() as session:
            shop = shops.get_shop(session, shop_id)
            assert shop is not None
            for n in range(first, min(first + batch, products)):
                words = rng.sample(WORDS, 3)
                title = f"{words[0].capitalize()} {words[1]} {words[2]} dress {n}"
                price = f"{rng.randint(900, 9900) / 100:.2f}"
                skus = [SkuInput(f"B{n}-{c.upper()}-{s}", price,
                                 attributes={"Colour": c, "Size": s},
                                 stock=rng.randint(1, 40) if i < STOCKED else None)
                        for i, (c, s) in enumerate(combos)]
                data = ProductInput(title=title, description=" ".join(rng.sample(WORDS, 8)),
                                    brand="Bench", category_id=dresses.id,
                                    attributes={"Material": "Linen"}, skus=skus)
                with session.begin_nested():
                    create_and_submit(session, shop, data, images=[image])
        done = min(first + batch, products)
        rate = (done - have) / (time.perf_counter() - started)
        print(f"  built {done}/{products} products ({done * len(combos):,} SKUs), "
              f"{rate:.1f} products/s", flush=True)
    with transaction() as session:
        ids = list(session.execute(select(Product.id).where(Product.shop_id == shop_id,
                                                              Product.visible.is_(True)))
                   .scalars())
    return shop_id, ids


def count_queries(shop_id: int, product_id: int) -> dict[str, tuple[int, int]]:
    """SQL statements per request at page size 10 and 100 (in-process, same code)."""
    from litestar.testing import TestClient
    from sqlalchemy import event

    from clipcart.app import create_app
    from clipcart.db import get_database

    engine = get_database().engine
    seen: list[str] = []

    def listener(*args: object) -> None:
        seen.append(str(args[2]))

    results: dict[str, tuple[int, int]] = {}
    with TestClient(app=create_app()) as client:
        _log_in(client)
        for name, url in (("seller list", f"/seller/{shop_id}/products?page_size={{n}}"),
                          ("product page", f"/products/{product_id}"),
                          ("search", "/api/v1/products?market=GB&query=linen&page_size={n}")):
            counts = []
            for n in (10, 100):
                seen.clear()
                event.listen(engine, "before_cursor_execute", listener)
                try:
                    assert client.get(url.format(n=n)).status_code == 200
                finally:
                    event.remove(engine, "before_cursor_execute", listener)
                counts.append(len(seen))
            results[name] = (counts[0], counts[1])
    return results


def _log_in(client: object) -> None:
    page = client.get("/login")  # type: ignore[attr-defined]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"_csrf_token": token, "email": EMAIL,  # type: ignore[attr-defined]
                                         "password": PASSWORD, "next": "/"})
    assert answer.status_code in (200, 302, 303), answer.status_code


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "CLIPCART_JOBS_IN_PROCESS": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "clipcart.app:app_factory", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log", "--workers", str(workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def load(base: str, urls: list[str], seconds: float, clients: int,
         cookies: dict[str, str]) -> tuple[float, float, float, int]:
    """p50 and p99 in ms, requests/s and errors, ``clients`` threads for ``seconds``."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                response = client.get(rng.choice(urls))
                mine.append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies), p99, len(latencies) / elapsed, errors[0]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, {platform.python_implementation()} " \
           f"{platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--skus", type=int, default=100, help="SKUs per product (max 100)")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="uvicorn worker processes (default: one per core)")
    args = parser.parse_args()
    _configure()
    from clipcart.config import get_settings

    print(f"clipcart catalog benchmark, {time.strftime('%Y-%m-%d')}, {machine()}")
    print(f"database: {get_settings().database_url.split('@')[-1]} "
          f"(data: {get_settings().data_dir})")
    t = time.perf_counter()
    shop_id, ids = build(args.products, min(args.skus, 100))
    print(f"built in {time.perf_counter() - t:.0f} s: {len(ids)} live products")
    queries = count_queries(shop_id, ids[0])
    process, base = serve(args.workers)
    try:
        import httpx

        with httpx.Client(base_url=base) as client:
            _log_in(client)
            cookies = dict(client.cookies)
        rng = random.Random(1)
        suites = {
            "seller list": [f"/seller/{shop_id}/products"],
            "product page": [f"/products/{p}" for p in rng.sample(ids, min(200, len(ids)))],
            "search": [f"/api/v1/products?market=GB&query={w}" for w in WORDS]
            + [f"/api/v1/products?market=GB&query={a}+{b}"
               for a, b in zip(WORDS, WORDS[3:], strict=False)],
        }
        print(f"\n{args.clients} clients, {args.workers} server processes, "
              f"{args.seconds:.0f} s each; load average before: {os.getloadavg()[0]:.1f}")
        print(f"{'endpoint':<14}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}"
              f"{'SQL @10':>9}{'SQL @100':>10}{'1 client p50':>14}")
        for name, urls in suites.items():
            load(base, urls, 2, args.clients, cookies)  # warm up
            alone = load(base, urls, min(5, args.seconds), 1, cookies)[0]  # the service time
            p50, p99, rps, errors = load(base, urls, args.seconds, args.clients, cookies)
            q10, q100 = queries[name]
            print(f"{name:<14}{p50:>9.1f}{p99:>9.1f}{rps:>9.0f}{errors:>8}{q10:>9}{q100:>10}"
                  f"{alone:>14.1f}", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine "
              "competes for the same cores)")
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
