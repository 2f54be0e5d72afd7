"""64-bit time-ordered IDs (snowflake layout), shown as strings in JSON.

41 bits of milliseconds since 2024-01-01, 10 bits of node, 12 bits of sequence. The node
comes from ``CLIPCART_NODE_ID`` or is drawn at random per process, so several processes
can mint IDs without talking to each other.
"""

from __future__ import annotations

import os
import secrets
import threading
import time

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_NODE_BITS = 10
_SEQ_BITS = 12
_MAX_SEQ = (1 << _SEQ_BITS) - 1


class IdGenerator:
    def __init__(self, node: int | None = None) -> None:
        if node is None:
            env = os.environ.get("CLIPCART_NODE_ID")
            node = int(env) if env else secrets.randbelow(1 << _NODE_BITS)
        if not 0 <= node < (1 << _NODE_BITS):
            raise ValueError("node must fit in 10 bits")
        self._node = node
        self._lock = threading.Lock()
        self._last_ms = 0
        self._seq = 0

    def next_id(self) -> int:
        with self._lock:
            now = int(time.time() * 1000)
            if now < self._last_ms:  # clock stepped back: stay monotonic
                now = self._last_ms
            if now == self._last_ms:
                self._seq = (self._seq + 1) & _MAX_SEQ
                if self._seq == 0:
                    while now <= self._last_ms:
                        now = int(time.time() * 1000)
            else:
                self._seq = 0
            self._last_ms = now
            return ((now - EPOCH_MS) << (_NODE_BITS + _SEQ_BITS)) | (self._node << _SEQ_BITS) | (
                self._seq
            )


_generator = IdGenerator()


def new_id() -> int:
    return _generator.next_id()


def id_timestamp_ms(value: int) -> int:
    """The Unix millisecond at which an ID was minted."""
    return (value >> (_NODE_BITS + _SEQ_BITS)) + EPOCH_MS


def parse_id(raw: str | int) -> int | None:
    """An ID from a path or JSON string; None when it is not one."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < (1 << 63) else None
