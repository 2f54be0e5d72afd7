"""``clipcart worker`` consumes the outbox from each job storage: SQLite, Redis, PostgreSQL."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select

from clipcart.identity.models import Notification

CHILD_SIGN_UP = textwrap.dedent("""
    from datetime import date
    import clipcart.jobs
    from clipcart.db import get_database
    from clipcart.identity import service
    with get_database().transaction() as session:
        service.sign_up(session, service.SignUp(
            email="queued@example.com", password="long enough pw", handle="queued_user",
            country="MY", birth_date=date(1992, 2, 2)))
""")


def _storages(tmp_dir: str) -> list[tuple[str, str]]:
    storages = [("sqlite", f"sqlite:///{tmp_dir}/jobs.db")]
    redis_url = os.environ.get("CLIPCART_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    storages.append(("redis", redis_url))
    database_url = os.environ["CLIPCART_DATABASE_URL"]
    if database_url.startswith("postgresql"):
        storages.append(("postgres", database_url))
    return storages


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("kind", ["sqlite", "redis", "postgres"])
def test_a_separate_worker_process_handles_events_once(db, tmp_path, kind):
    storages = dict(_storages(str(tmp_path)))
    if kind not in storages:
        pytest.skip("PostgreSQL job storage is exercised in the PostgreSQL run")
    if kind == "redis" and not _redis_up(storages[kind]):
        pytest.skip("Redis is not running")
    env = dict(os.environ, CLIPCART_JOBS_URL=storages[kind],
               CLIPCART_JOBS_QUEUE=f"t{secrets.token_hex(4)}")
    produced = subprocess.run([sys.executable, "-c", CHILD_SIGN_UP], env=env,
                              capture_output=True, text=True, timeout=60)
    assert produced.returncode == 0, produced.stderr

    def notes() -> int:
        with db.sessions() as session:
            return session.execute(select(func.count()).select_from(Notification)).scalar_one()

    assert notes() == 0  # nothing handled until a worker runs
    worker = subprocess.Popen([sys.executable, "-m", "clipcart.cli", "worker", "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 30
        while notes() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert notes() == 1, output
