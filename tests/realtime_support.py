"""Real ``uvicorn`` server processes for realtime tests, and small SSE / WebSocket clients.

A server process shares the test's database (the same URL in its environment) and, when
given one, a Redis URL for the channels backend.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_process(redis_url: str = "") -> Iterator[str]:
    """``uvicorn clipcart.app:app_factory`` on a free port; yields its base URL."""
    port = free_port()
    env = dict(os.environ, CLIPCART_REDIS_URL=redis_url, PYTHONPATH=str(ROOT),
               CLIPCART_JOBS_IN_PROCESS="0", CLIPCART_BASE_URL=f"http://127.0.0.1:{port}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "clipcart.app:app_factory", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server died: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class SseClient:
    """Reads a room's event stream in a thread over a plain socket (so ``close`` really
    hangs up at once); ``next(event)`` waits for one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.status: int | None = None
        parts = urlsplit(url)
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        self._sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                           "Accept: text/event-stream\r\n\r\n".encode())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _lines(self) -> Iterator[str]:
        reader = self._sock.makefile("rb")
        status = reader.readline().split()
        self.status = int(status[1])
        chunked = False
        while (header := reader.readline().strip()) != b"":
            chunked |= header.lower() == b"transfer-encoding: chunked"
        buffer = b""
        while True:
            if chunked:
                size = int(reader.readline().strip() or b"0", 16)
                if size == 0:
                    return
                buffer += reader.read(size)
                reader.readline()
            else:
                block = reader.read1(65536)
                if not block:
                    return
                buffer += block
            *complete, buffer = buffer.split(b"\n")
            for line in complete:
                yield line.rstrip(b"\r").decode()

    def _run(self) -> None:
        event, data = "message", ""
        try:
            for line in self._lines():
                if line == "":
                    if data:
                        self.events.put((event, json.loads(data)))
                    event, data = "message", ""
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
        except (OSError, ValueError):
            return

    def next(self, event: str, timeout: float = 10, where: Any = None) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event} event from {self.url}")
            try:
                name, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if name == event and (where is None or where(data)):
                return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()


@contextmanager
def sse(url: str) -> Iterator[SseClient]:
    client = SseClient(url)
    try:
        yield client
    finally:
        client.close()


@contextmanager
def chat_socket(base: str, room_id: int, token: str | None = None) -> Iterator[Any]:
    from websockets.sync.client import connect

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = base.replace("http://", "ws://") + f"/api/v1/lives/{room_id}/chat"
    with connect(url, additional_headers=headers, open_timeout=10) as ws:
        yield ws


def receive(ws: Any, type_: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame: dict[str, Any] = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if frame["type"] == type_:
            return frame
    raise AssertionError(f"no {type_} frame")
