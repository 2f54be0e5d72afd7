"""A TCP proxy on loopback that passes on what a client sends a fixed time after it
arrived: the sandbox provider made to answer as one far away does.

    python -m bench.latency_proxy --listen 9001 --to 9000 --latency-ms 150
"""

from __future__ import annotations

import argparse
import asyncio


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                delay: float) -> None:
    """Each chunk goes on ``delay`` after it arrived, as down a line of that latency (a
    request sent in several writes is held once, not once per write)."""
    loop, line = asyncio.get_running_loop(), asyncio.Queue[tuple[float, bytes]]()

    async def deliver() -> None:
        while True:
            arrived, data = await line.get()
            if not data:
                break
            await asyncio.sleep(max(0.0, arrived + delay - loop.time()))
            writer.write(data)
            await writer.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            line.put_nowait((loop.time(), data))
        line.put_nowait((loop.time(), b""))
        await delivering
    finally:
        delivering.cancel()
        writer.close()


async def serve(listen: int, to: int, delay: float) -> None:
    async def handle(client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        upstream_in, upstream_out = await asyncio.open_connection("127.0.0.1", to)
        await asyncio.gather(_pipe(client_in, upstream_out, delay),
                             _pipe(upstream_in, client_out, 0.0), return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, required=True,
                        help="added to every request (the answers pass at once)")
    args = parser.parse_args()
    asyncio.run(serve(args.listen, args.to, args.latency_ms / 1000))


if __name__ == "__main__":
    main()
