"""Carrier settings from ``CLIPCART_CARRIER_*`` variables; the signing secret is generated on
first run and shared by the simulator (which signs) and the platform (which verifies)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from clipcart.config import _secret_file, get_settings


@dataclass(frozen=True)
class CarrierSettings:
    webhook_secret: str  # signs the carriers' tracking webhooks to the platform
    api_key: str  # what a client of the simulator's HTTP API presents (Bearer)
    webhook_url: str | None  # where the simulator POSTs them; None: straight into this process
    scan_interval_seconds: int  # the simulator's delay between two scans of a parcel
    webhook_tolerance_seconds: int  # older (or newer) signed timestamps are refused


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@lru_cache(maxsize=1)
def get_carrier_settings() -> CarrierSettings:
    settings = get_settings()
    return CarrierSettings(
        webhook_secret=_env("CLIPCART_CARRIER_WEBHOOK_SECRET")
        or "cwsec_" + _secret_file(settings.data_dir, "carrier_webhook_secret"),
        api_key=_env("CLIPCART_CARRIER_API_KEY")
        or "ck_sim_" + _secret_file(settings.data_dir, "carrier_api_key"),
        webhook_url=_env("CLIPCART_CARRIER_WEBHOOK_URL") or None,
        scan_interval_seconds=int(_env("CLIPCART_CARRIER_SCAN_SECONDS") or "20"),
        webhook_tolerance_seconds=int(_env("CLIPCART_CARRIER_WEBHOOK_TOLERANCE_SECONDS")
                                      or "300"),
    )


def reset_carrier_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_carrier_settings.cache_clear()
