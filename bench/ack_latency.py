"""P1 and P6: signed `/crisis status` → HTTP ack latency with 50 concurrent clients, and the
largest per-channel message rate the Slack emulator saw while the bot sent a burst.

    python bench/ack_latency.py [--clients 50] [--requests 20] [--notes 10]
    python bench/ack_latency.py --pair [--clients 50] [--requests 20] [--db URL]

``--pair`` also starts the project's minimal bolt floor app (bench/floor_app.py: ack and
answer on the response_url, nothing else) and puts both under the same paced and closed-loop
loads in one run, printing both and crisisbot / floor ratios (same machine, same moment: the
ratios mean more than the absolute figures on a shared host).

The bot runs as a real `crisisbot serve` child process (SQLite in a temporary directory, real
pacing of 1 message/s/channel); the Slack emulator runs in this process, and the clients
(asyncio + aiohttp) in a separate load-generator process. Everything stays
on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml

from bot.sandbox.driver import SlackDriver, signed_command
from bot.sandbox.emulator import SlackEmulator
from tests.integration.processes import ServeProcess, free_port

#: Requests sent again after a connection reset (see ``load``), for the report.
RESETS: list[int] = []


def load(url: str, emulator: SlackEmulator, secret: str, channel: str, *, clients: int,
         requests: int, interval: float = 0.0) -> list[float]:
    """``clients`` concurrent clients, each sending ``requests`` commands back to back
    (``interval`` 0: a closed loop that measures saturation) or one every ``interval``
    seconds with a random phase (people typing commands).

    The commands are signed here (each has its own response_url at the emulator) and sent by
    a separate load-generator process (aiohttp): a client sharing this process with the
    emulator saturated before either server did, and measured itself."""
    signed = [[signed_command(secret=secret, emulator=emulator, text="status", channel=channel)
               for _ in range(requests)] for _ in range(clients)]
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        latencies, resets = pool.submit(generate_load, url, signed, interval).result()
    RESETS.extend([1] * resets)
    return latencies


def generate_load(url: str, signed: list[list[tuple[bytes, dict[str, str]]]],
                  interval: float) -> tuple[list[float], int]:
    """The load generator (runs in its own process): one client per list of signed commands."""
    import aiohttp

    latencies: list[float] = []
    resets = 0

    async def client(http: aiohttp.ClientSession, commands: list, start: asyncio.Event) -> None:
        nonlocal resets
        await start.wait()
        if interval:
            await asyncio.sleep(random.uniform(0, interval))
        for body, headers in commands:
            tick = time.perf_counter()
            for attempt in range(2):
                began = time.perf_counter()
                try:
                    async with http.post(url, data=body, headers=headers) as response:
                        text = await response.text()
                        status = response.status
                    break
                except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                    # A keep-alive connection the server closed as it was reused (uvicorn
                    # closes idle ones after 5 s): counted, and sent again.
                    if attempt:
                        raise
                    resets += 1
            latencies.append(time.perf_counter() - began)
            assert status == 200, text
            if interval:
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))

    async def run() -> None:
        start = asyncio.Event()
        connector = aiohttp.TCPConnector(limit=len(signed))
        async with aiohttp.ClientSession(connector=connector,
                                         timeout=aiohttp.ClientTimeout(total=30)) as http:
            tasks = [asyncio.create_task(client(http, commands, start)) for commands in signed]
            start.set()
            await asyncio.gather(*tasks)

    asyncio.run(run())
    return latencies, resets


class Child:
    """A server in a child process; ready once uvicorn says it is listening."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        log = []
        for line in self.proc.stderr:
            log.append(line)
            if "Uvicorn running on" in line:
                threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()
                return
        raise RuntimeError("server exited before listening:\n" + "".join(log))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


def measure(url: str, emulator: SlackEmulator, secret: str, channel: str, *, clients: int,
            requests: int, interval: float) -> dict[str, float]:
    began = time.perf_counter()
    latencies = sorted(load(url, emulator, secret, channel, clients=clients,
                            requests=requests, interval=interval))
    elapsed = time.perf_counter() - began
    return {"n": len(latencies), "p50": statistics.median(latencies) * 1000,
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
            "rps": len(latencies) / elapsed}


def pair(args: argparse.Namespace) -> int:
    """The floor app and crisisbot serve under the same loads, in one run."""
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator() as emulator:
        emulator.add_user("ULEAD", name="lead")
        general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
        config = Path(tmp) / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({"roster": {}}), encoding="utf-8")
        secret = secrets.token_hex(16)
        env = {**os.environ, "CRISISBOT_DATABASE_URL": args.db or f"sqlite:///{tmp}/bench.db",
               "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config)}
        floor_port, bot_port = free_port(), free_port()
        floor = Child([sys.executable, str(Path(__file__).with_name("floor_app.py")),
                       "--port", str(floor_port)], env)
        bot = Child([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                     "--port", str(bot_port)], env)
        driver = SlackDriver(bot_url=f"http://127.0.0.1:{bot_port}", emulator=emulator,
                             signing_secret=secret)
        try:
            driver.replied(lambda: driver.command("declare Bench incident sev:A type:service_logistics",
                                                  user="ULEAD", channel=general))
            assert emulator.wait_for(lambda: any(c["name"].startswith("inc-") for c in emulator.channels()))
            channel = next(c["id"] for c in emulator.channels() if c["name"].startswith("inc-"))
            targets = {"floor": f"http://127.0.0.1:{floor_port}/slack/events",
                       "crisisbot": f"http://127.0.0.1:{bot_port}/slack/events"}
            for url in targets.values():
                load(url, emulator, secret, channel, clients=2, requests=5)  # warm-up
            print(f"P1 pair: signed /crisis status, {args.clients} clients x {args.requests} requests")
            for label, interval in (("paced, 1 command/client/s", 1.0),
                                    ("closed loop, back to back", 0.0)):
                got = {name: measure(url, emulator, secret, channel, clients=args.clients,
                                     requests=args.requests, interval=interval)
                       for name, url in targets.items()}
                print(f"  {label}:")
                for name, m in got.items():
                    print(f"    {name:9} p50 {m['p50']:7.1f} ms  p99 {m['p99']:7.1f} ms  "
                          f"{m['rps']:6.0f} req/s  ({m['n']:.0f} requests)")
                f, b = got["floor"], got["crisisbot"]
                if interval:
                    print(f"    crisisbot p99 {b['p99']:.1f} ms (target <= 100 ms); ratio "
                          f"crisisbot/floor: p99 x{b['p99'] / f['p99']:.2f}, throughput "
                          f"x{b['rps'] / f['rps']:.2f} (at a paced load both send what is asked)")
                else:
                    print(f"    ratio crisisbot/floor: p99 x{b['p99'] / f['p99']:.2f} (target <= 1.5), "
                          f"throughput x{b['rps'] / f['rps']:.2f} (target >= 0.8)")
            wanted = len(emulator.response_url_posts())
            print(f"  response_url answers received so far: {wanted}; requests sent again after a "
                  f"keep-alive connection reset: {len(RESETS)}")
        finally:
            driver.close()
            bot.stop()
            floor.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--notes", type=int, default=10, help="channel messages in the burst")
    parser.add_argument("--pair", action="store_true",
                        help="crisisbot serve and the minimal bolt floor app under the same loads")
    parser.add_argument("--db", help="with --pair: a database URL for crisisbot (default: SQLite)")
    args = parser.parse_args()
    if args.pair:
        return pair(args)
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator() as emulator:
        emulator.add_user("ULEAD", name="lead")
        general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
        config = Path(tmp) / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({"roster": {}}), encoding="utf-8")
        secret = secrets.token_hex(16)
        port = free_port()
        env = {**os.environ, "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
               "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config)}
        server = ServeProcess(env, port)
        driver = SlackDriver(bot_url=f"http://127.0.0.1:{port}", emulator=emulator, signing_secret=secret)
        try:
            driver.replied(lambda: driver.command("declare Bench incident sev:A type:service_logistics",
                                                  user="ULEAD", channel=general))
            assert emulator.wait_for(lambda: any(c["name"].startswith("inc-1") for c in emulator.channels()))
            channel = next(c["id"] for c in emulator.channels() if c["name"].startswith("inc-1"))
            url = f"http://127.0.0.1:{port}/slack/events"
            load(url, emulator, secret, channel, clients=2, requests=5)  # warm-up
            print(f"P1 ack latency of signed /crisis status, {args.clients} concurrent clients "
                  "(target p99 <= 100 ms):")
            for label, interval in (("one command per client per second", 1.0),
                                    ("closed loop, back to back (saturation)", 0.0)):
                began = time.perf_counter()
                latencies = sorted(load(
                    url, emulator, secret, channel, clients=args.clients, requests=args.requests,
                    interval=interval))
                elapsed = time.perf_counter() - began
                p50 = statistics.median(latencies) * 1000
                p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
                print(f"   {label}: {len(latencies)} requests, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                      f"max {latencies[-1] * 1000:.1f} ms, {len(latencies) / elapsed:.0f} req/s")

            before = len(emulator.messages(channel))
            began = time.perf_counter()
            for i in range(args.notes):
                driver.replied(lambda i=i: driver.command(f"note burst {i}", user="ULEAD", channel=channel))
            assert emulator.wait_for(lambda: len(emulator.messages(channel)) >= before + args.notes, timeout=120)
            elapsed = time.perf_counter() - began
            rate = emulator.max_channel_rate(window=1.0)
            print(f"P6 pacing: {args.notes} commands in a burst → {args.notes} channel messages delivered in "
                  f"{elapsed:.1f} s; largest per-channel rate in any 1 s window {rate:.2f} msg/s (target <= 1)")
        finally:
            driver.close()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
