"""One typed settings object, read from ``CLIPCART_*`` environment variables.

Secrets that are not given are generated on first run and kept under the data folder,
so a fresh install works with nothing configured and keeps its keys across restarts.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _env(name, default).strip().lower()
    if raw not in choices:
        raise SystemExit(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _secret_file(data_dir: Path, name: str) -> str:
    """Read a generated secret from ``data_dir/secrets/name``, creating it once. Several
    processes starting on a fresh data folder agree on one value: each writes its own
    candidate in full, and the first to hard-link it into place wins."""
    folder = data_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        candidate = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
        try:
            with contextlib.suppress(FileExistsError):  # another process was first: it stands
                os.link(candidate, path)
        finally:
            candidate.unlink()
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    """Every knob of clipcart. See the configuration table in the README."""

    data_dir: Path
    database_url: str
    secret_key: str
    pii_keys: tuple[str, ...]
    markets_file: Path | None
    jobs_url: str
    jobs_queue: str
    run_jobs_in_process: bool
    redis_url: str
    host: str
    port: int
    base_url: str
    session_days: int
    api_token_hours: int
    login_attempts_per_window: int
    login_window_seconds: int
    max_body_bytes: int
    server_threads: int
    debug: bool
    log_level: str = "info"
    extra: dict[str, str] = field(default_factory=dict)
    video_max_bytes: int = 50 * 1024 * 1024
    video_max_seconds: int = 180
    checkout_slots: int = 1

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


def load_settings() -> Settings:
    data_dir = Path(_env("CLIPCART_DATA_DIR", "./var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "media").mkdir(exist_ok=True)
    database_url = _env("CLIPCART_DATABASE_URL", f"sqlite:///{data_dir / 'clipcart.db'}")
    secret_key = _env("CLIPCART_SECRET_KEY", "") or _secret_file(data_dir, "secret_key")
    pii_raw = _env("CLIPCART_PII_KEYS", "") or _secret_file(data_dir, "pii_key")
    markets_file = _env("CLIPCART_MARKETS_FILE", "")
    host = _env("CLIPCART_HOST", "127.0.0.1")
    port = _env_int("CLIPCART_PORT", 8000)
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret_key,
        pii_keys=tuple(k.strip() for k in pii_raw.split(",") if k.strip()),
        markets_file=Path(markets_file) if markets_file else None,
        jobs_url=_env("CLIPCART_JOBS_URL", f"sqlite:///{data_dir / 'jobs.db'}"),
        jobs_queue=_env("CLIPCART_JOBS_QUEUE", "clipcart"),
        run_jobs_in_process=_env_bool("CLIPCART_JOBS_IN_PROCESS", True),
        redis_url=_env("CLIPCART_REDIS_URL", ""),
        host=host,
        port=port,
        base_url=_env("CLIPCART_BASE_URL", f"http://{host}:{port}"),
        session_days=_env_int("CLIPCART_SESSION_DAYS", 14),
        api_token_hours=_env_int("CLIPCART_API_TOKEN_HOURS", 24),
        login_attempts_per_window=_env_int("CLIPCART_LOGIN_ATTEMPTS", 10),
        login_window_seconds=_env_int("CLIPCART_LOGIN_WINDOW_SECONDS", 300),
        max_body_bytes=_env_int("CLIPCART_MAX_BODY_BYTES", 10 * 1024 * 1024),
        server_threads=_env_int("CLIPCART_SERVER_THREADS", 100),
        debug=_env_bool("CLIPCART_DEBUG", False),
        log_level=_env_choice("CLIPCART_LOG_LEVEL", "info", LOG_LEVELS),
        video_max_bytes=_env_int("CLIPCART_VIDEO_MAX_BYTES", 50 * 1024 * 1024),
        video_max_seconds=_env_int("CLIPCART_VIDEO_MAX_SECONDS", 180),
        checkout_slots=_env_int("CLIPCART_CHECKOUT_SLOTS", 1),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()
