"""Settings: generated secrets shared by processes, and CLIPCART_LOG_LEVEL."""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
import os
from pathlib import Path

import pytest

from clipcart.config import load_settings


def test_log_level_defaults_to_info(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLIPCART_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CLIPCART_LOG_LEVEL", raising=False)
    assert load_settings().log_level == "info"


def test_log_level_is_read_case_blind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLIPCART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLIPCART_LOG_LEVEL", "Warning")
    assert load_settings().log_level == "warning"


def test_unknown_log_level_is_refused_by_name(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("CLIPCART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLIPCART_LOG_LEVEL", "loud")
    with pytest.raises(SystemExit, match="CLIPCART_LOG_LEVEL must be one of debug"):
        load_settings()


def _key_after(barrier: multiprocessing.synchronize.Barrier, data_dir: str,
               out: multiprocessing.queues.Queue) -> None:  # type: ignore[type-arg]
    os.environ["CLIPCART_DATA_DIR"] = data_dir
    os.environ.pop("CLIPCART_SECRET_KEY", None)
    barrier.wait()
    out.put(load_settings().secret_key)


def test_processes_starting_on_a_fresh_folder_agree_on_one_secret(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(8), context.Queue()
    workers = [context.Process(target=_key_after, args=(barrier, str(tmp_path), out))
               for _ in range(8)]
    for worker in workers:
        worker.start()
    keys = [out.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert all(worker.exitcode == 0 for worker in workers)
    assert len(set(keys)) == 1 and len(keys[0]) == 44
    assert sorted(p.name for p in (tmp_path / "secrets").iterdir()) == ["pii_key", "secret_key"]
