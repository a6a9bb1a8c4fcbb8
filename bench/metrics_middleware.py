#!/usr/bin/env python3
"""Per-request cost of ``MetricsMiddleware``: a trivial ASGI app called with and without it.

Usage: .venv/bin/python bench/metrics_middleware.py [--requests N]

No server and no socket: the difference between the two lines is what the
middleware adds to every request (a clock read, the in-flight gauge up and
down, one histogram observation).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from starlette.types import Message, Receive, Scope, Send

from accord.metrics import MetricsMiddleware


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def receive() -> Message:
    return {"type": "http.request"}


async def send(message: Message) -> None:
    return None


async def per_request(target: object, requests: int) -> float:
    scope = {"type": "http", "method": "GET", "path": "/bench"}
    start = time.perf_counter()
    for _ in range(requests):
        await target(dict(scope), receive, send)  # type: ignore[operator]
    return (time.perf_counter() - start) / requests * 1e6


async def main(requests: int) -> None:
    bare = await per_request(app, requests)
    measured = await per_request(MetricsMiddleware(app), requests)
    print(f"bare ASGI app:          {bare:6.1f} µs/request")
    print(f"with MetricsMiddleware: {measured:6.1f} µs/request (+{measured - bare:.1f} µs)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    asyncio.run(main(parser.parse_args().requests))
