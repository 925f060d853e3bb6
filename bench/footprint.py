"""P5: start-up-to-ready time and idle resident memory of `crisisbot serve`.

    python bench/footprint.py [--runs 5] [--idle 5] [--database-url URL]

Each run starts a real `crisisbot serve` child process on a fresh SQLite file (or the given
database), measures the wall time from spawn until `/healthz` answers 200, lets it idle for
``--idle`` seconds, then reads its resident set size (VmRSS, Linux) and stops it.
Targets: ready ≤ 3 s, idle RSS ≤ 150 MB. The bot's modules are byte-compiled first, as a wheel
install does (the Dockerfile's), so start-up is not measured compiling them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.processes import free_port  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS (not Linux?)")


def one_run(database_url: str | None, idle: float) -> tuple[float, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ,
                   CRISISBOT_DATABASE_URL=database_url or f"sqlite:///{tmp}/bench.db",
                   SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET="bench-secret",
                   SLACK_API_URL="http://127.0.0.1:9/api/", CRISISBOT_MONITOR_SECRET="bench-monitor-secret-0123456789")
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"crisisbot serve exited with {proc.returncode}")
                try:
                    if httpx.get(url, timeout=0.5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
            ready = time.perf_counter() - started
            time.sleep(idle)
            return ready, rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    # As deployed, the bot's modules are byte-compiled (pip compiles a wheel's files when it
    # installs them; the Dockerfile installs one). An editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 would compile ~200 modules on every start: compile them once.
    compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bot")],
                              env={k: v for k, v in os.environ.items()
                                   if k != "PYTHONDONTWRITEBYTECODE"}, check=False)
    if compiled.returncode:
        print("note: could not byte-compile bot/ (start-up includes compiling it)")
    results = [one_run(args.database_url, args.idle) for _ in range(args.runs)]
    ready = [r for r, _ in results]
    rss = [m for _, m in results]
    print(f"P5 start-up to ready: median {statistics.median(ready):.2f} s, "
          f"max {max(ready):.2f} s over {args.runs} runs (target ≤ 3 s)")
    print(f"P5 idle resident memory: median {statistics.median(rss):.1f} MB, "
          f"max {max(rss):.1f} MB after {args.idle:.0f} s idle (target ≤ 150 MB)")
    ok = max(ready) <= 3.0 and max(rss) <= 150.0
    print("P5 " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
