"""Payment settings from ``CLIPCART_PSP_*`` variables; secrets are generated on first run.

The platform is one merchant of the sandbox provider: it holds that merchant's secret API
key and webhook signing secret, and the provider registers the merchant from the same
values, as a real provider's dashboard would hand them out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from clipcart.config import _secret_file, get_settings


@dataclass(frozen=True)
class PaymentSettings:
    provider_base_url: str  # where the platform reaches the sandbox provider's API
    secret_key: str  # the platform's merchant API key at the provider (Bearer)
    webhook_secret: str  # signs the provider's webhooks to the platform
    webhook_url: str  # where the provider sends them
    webhook_tolerance_seconds: int  # older (or newer) signed timestamps are refused


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@lru_cache(maxsize=1)
def get_payment_settings() -> PaymentSettings:
    settings = get_settings()
    base = settings.base_url.rstrip("/")
    tolerance = _env("CLIPCART_PSP_WEBHOOK_TOLERANCE_SECONDS") or "300"
    return PaymentSettings(
        provider_base_url=_env("CLIPCART_PSP_BASE_URL") or f"{base}/psp-sandbox/v1",
        secret_key=_env("CLIPCART_PSP_SECRET_KEY")
        or "sk_sandbox_" + _secret_file(settings.data_dir, "psp_secret_key"),
        webhook_secret=_env("CLIPCART_PSP_WEBHOOK_SECRET")
        or "whsec_" + _secret_file(settings.data_dir, "psp_webhook_secret"),
        webhook_url=_env("CLIPCART_PSP_WEBHOOK_URL")
        or f"{base}/api/v1/payments/webhooks/sandbox",
        webhook_tolerance_seconds=int(tolerance),
    )


def reset_payment_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_payment_settings.cache_clear()
