"""The dark site under readers: page and feed latency once statements are published.

    python bench/dark_site.py [--requests 200]

Starts the real bot (uvicorn, bolt, the Slack emulator, SQLite), publishes an English and a
Chinese customer statement over signed slash commands, then fetches ``/news/en/``,
``/news/zh/?tz=Europe/London`` and ``/news/feed.atom`` ``--requests`` times each, one after
another, and prints p50/p95 per path. Renderings are cached per version of the notices, so
this measures the cached path a crowd of readers takes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import FakeClock
from tests.integration.dark_site_helpers import declare, publish, site_world


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    world = site_world(Path(tempfile.mkdtemp()), clock=FakeClock())
    try:
        number = declare(world)
        publish(world, number, "customers", "holding", "en")
        publish(world, number, "customers", "holding", "zh")
        with httpx.Client(timeout=60) as client:
            for path in ("/news/en/", "/news/zh/?tz=Europe/London", "/news/feed.atom"):
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = client.get(world.server.url + path)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.status_code
                times.sort()
                p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
                print(f"{path:32} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms")
    finally:
        world.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
