"""How a room's video gets in and out: RTMP into an external media server, HLS out.

clipcart does not transcode. A media server (nginx-rtmp, SRS, MediaMTX...) takes the
host's RTMP push at ``{ingest}/{room id}?key={stream key}``, asks clipcart whether the key
is right (``POST /live/ingest/on_publish``, nginx-rtmp's callback form), and serves HLS at
``{playback}/{room id}/index.m3u8``. Both base URLs come from the environment
(``CLIPCART_LIVE_INGEST_URL``, ``CLIPCART_LIVE_PLAYBACK_URL``). Without a media server a
room plays its demo video in a loop.
"""

from __future__ import annotations

import hmac
import os
from typing import Any
from urllib.parse import urlsplit

from clipcart.config import get_settings
from clipcart.live.models import LiveRoom
from clipcart.media import media_url


def ingest_base() -> str:
    default = f"rtmp://{urlsplit(get_settings().base_url).hostname or 'localhost'}:1935/live"
    return os.environ.get("CLIPCART_LIVE_INGEST_URL", default).rstrip("/")


def playback_base() -> str:
    default = f"{get_settings().base_url.rstrip('/')}/hls"
    return os.environ.get("CLIPCART_LIVE_PLAYBACK_URL", default).rstrip("/")


def ingest(room: LiveRoom) -> dict[str, str]:
    """For the host's encoder (OBS: server + stream key). Secret: hosts only."""
    return {"protocol": "rtmp", "server": ingest_base(),
            "stream_name": f"{room.id}?key={room.stream_key}",
            "url": f"{ingest_base()}/{room.id}?key={room.stream_key}"}


def playback(room: LiveRoom) -> dict[str, Any]:
    """For viewers: the HLS playlist, and the looping demo video when there is one."""
    return {"protocol": "hls", "hls_url": f"{playback_base()}/{room.id}/index.m3u8",
            "demo_video_url": media_url(room.demo_video_key), "loop": room.demo_video_key
            is not None}


def key_matches(room: LiveRoom, key: str) -> bool:
    return hmac.compare_digest(room.stream_key.encode(), key.encode())
