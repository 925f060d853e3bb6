"""The HTTP edge under a 200 MiB unsigned upload, against a real `crisisbot serve` process.

    python bench/edge.py [--mib 200] [--seconds 10]

Uploads of ``--mib`` MiB each are sent to ``/slack/events`` one after another, in turn of
the three kinds below, for ``--seconds`` seconds, while another thread asks ``/healthz``
every 20 ms:

- ``declared``: unsigned, with ``Content-Length`` (refused from the headers);
- ``chunked``: unsigned, chunked (no length; refused from the headers);
- ``forged``: chunked with well-formed but wrong signature headers, so the server has to
  read until the 1 MiB limit before refusing.

Printed: the time from the first byte sent to the refusal (target < 1 s), the server's peak
RSS growth over the whole run, read from /proc (peak reset through ``clear_refs``, then
VmHWM - VmRSS at start; target < 20 MB), and
the /healthz latency p50/p99/max meanwhile (target p99 < 100 ms). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import yaml

from bot.sandbox.emulator import SlackEmulator
from tests.integration.processes import ServeProcess, free_port

CHUNK = 256 * 1024


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def upload(port: int, *, mib: int, mode: str) -> tuple[float, str]:
    """Send the upload on a raw socket; returns (seconds until the answer, status line)."""
    headers = ["POST /slack/events HTTP/1.1", f"Host: 127.0.0.1:{port}",
               "Content-Type: application/json"]
    if mode == "declared":
        headers.append(f"Content-Length: {mib * 1024 * 1024}")
    else:
        headers.append("Transfer-Encoding: chunked")
    if mode == "forged":
        headers += [f"X-Slack-Request-Timestamp: {int(time.time())}",
                    "X-Slack-Signature: v0=" + "0" * 64]
    head = ("\r\n".join(headers) + "\r\n\r\n").encode()
    block = b"x" * CHUNK
    if mode != "declared":
        block = f"{CHUNK:x}\r\n".encode() + block + b"\r\n"
    answer = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        started = time.perf_counter()
        sock.sendall(head)
        sock.setblocking(False)
        for _ in range(mib * 1024 * 1024 // CHUNK):
            try:
                chunk = sock.recv(4096)
                if chunk:
                    answer += chunk
                    break
            except BlockingIOError:
                pass
            try:
                sock.setblocking(True)
                sock.settimeout(5)
                sock.sendall(block)
                sock.setblocking(False)
            except OSError:
                break  # the server closed the connection on its refusal
        sock.setblocking(True)
        sock.settimeout(30)
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        elapsed = time.perf_counter() - started
    return elapsed, answer.split(b"\r\n", 1)[0].decode(errors="replace")


def poll_health(url: str, stop: Any, out: Any) -> None:
    """Runs in a process of its own, so the uploading thread's CPU use (and the GIL) does
    not count against /healthz."""
    latencies = []
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            response = client.get(url + "/healthz")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            stop.wait(0.02)
    out.put(latencies)


def measure_health(url: str) -> tuple[Any, Any, Any]:
    stop, out = multiprocessing.Event(), multiprocessing.Queue()
    process = multiprocessing.Process(target=poll_health, args=(url, stop, out))
    process.start()
    return stop, out, process


def collect(stop: Any, out: Any, process: Any) -> list[float]:
    stop.set()
    latencies = out.get(timeout=60)
    process.join(timeout=60)
    return latencies


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return (f"{len(ordered)} requests, p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator() as emulator:
        config = Path(tmp) / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({"roster": {}}), encoding="utf-8")
        port = free_port()
        env = {**os.environ, "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp}/edge.db",
               "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_SIGNING_SECRET": secrets.token_hex(16), "CRISISBOT_CONFIG": str(config)}
        server = ServeProcess(env, port)
        url = f"http://127.0.0.1:{port}"
        try:
            httpx.get(url + "/healthz", timeout=30)  # warm: first connection, first query
            # The same poller with no upload first: the machine's own noise, for comparison.
            idle_run = measure_health(url)
            time.sleep(args.seconds / 2)
            idle = collect(*idle_run)
            pid = server.proc.pid
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here on
            base = rss_kib(pid, "VmRSS")
            busy_run = measure_health(url)
            results: dict[str, list[float]] = {}
            statuses: dict[str, set[str]] = {}
            rounds = 0
            try:
                deadline = time.monotonic() + args.seconds
                while time.monotonic() < deadline:
                    rounds += 1
                    for mode in ("declared", "chunked", "forged"):
                        elapsed, status = upload(port, mib=args.mib, mode=mode)
                        results.setdefault(mode, []).append(elapsed)
                        statuses.setdefault(mode, set()).add(status)
            finally:
                latencies = collect(*busy_run)
            peak = rss_kib(pid, "VmHWM")
        finally:
            server.stop()
    print(f"HTTP edge: {args.mib} MiB uploads to /slack/events, {rounds} round(s) of 3, "
          "against `crisisbot serve`:")
    for mode, times in results.items():
        print(f"   {mode:9s} refused in max {max(times) * 1000:.0f} ms (target < 1 s); "
              f"answer {sorted(statuses[mode])}")
    print(f"   server peak RSS growth {(peak - base) / 1024:.1f} MB "
          f"(VmHWM {peak / 1024:.1f} MB - VmRSS at start {base / 1024:.1f} MB; target < 20 MB)")
    print(f"   /healthz during the uploads: {percentiles(latencies)} (target p99 < 100 ms)")
    print(f"   /healthz before, no upload:  {percentiles(idle)} (this machine's own noise)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
