"""The load generator's HTTP: one keep-alive connection per client thread, cheap in CPU
(the generator runs on the machine it measures). Used by ``flash_sale`` and
``flow_profile``."""

from __future__ import annotations

import http.client
import itertools
import json
import threading
from typing import Any
from urllib.parse import urlsplit


class Answer:
    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code, self._body = status_code, body

    def json(self) -> Any:
        return json.loads(self._body) if self._body else {}


class Connection:
    """One keep-alive HTTP/1.1 connection (``http.client``). The load generator runs on the
    machine it measures, so it should cost little: httpx spends about 1 ms of CPU per
    request, more than the server spends on a sold-out buyer's cart line. No retries: a
    POST sent twice would add the SKU twice."""

    def __init__(self, base: str) -> None:
        where = urlsplit(base)
        self.conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port,
                                               timeout=60)

    def post(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Answer:
        self.conn.request("POST", path, body=_dumps(json),
                          headers={"Content-Type": "application/json", **(headers or {})})
        answer = self.conn.getresponse()
        return Answer(answer.status, answer.read())


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


_clients = threading.local()
_threads_seen = itertools.count()


def thread_connection(bases: list[str]) -> Connection:
    """This thread's keep-alive connection, as a load generator keeps one. Each thread
    sticks to one server, so no connection sits idle long enough for the server to close
    it under the thread."""
    if not hasattr(_clients, "http"):
        _clients.http = Connection(bases[next(_threads_seen) % len(bases)])
    return _clients.http  # type: ignore[no-any-return]


def provider_connection(provider: str) -> Connection:
    """This thread's keep-alive connection to the payment provider's own process."""
    if not hasattr(_clients, "provider"):
        _clients.provider = Connection(provider)
    return _clients.provider  # type: ignore[no-any-return]
