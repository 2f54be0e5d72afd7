"""CLIPCART_LOG_LEVEL: one knob for the server, its access log and the jobs."""

from __future__ import annotations

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
