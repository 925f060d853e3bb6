"""Crisis scale: command cost independent of the incident's age, bursts, memory.

    python bench/scale.py [--samples 30] [--burst 2000] [--db URL | --pg]

Against a real ``crisisbot serve`` child process and the Slack emulator, over signed HTTP:

1. command → answer (response_url) p50/p99 of ``note`` and ``status`` on incidents whose
   timelines hold 0, 1,000 and 10,000 events;
2. drain time of a burst of ``--burst`` commands (8 clients, back to back) to one incident
   and spread over 20 incidents: from the last ack until every command is answered;
3. the server's RSS after 100 incidents x 1,000 events were each loaded by a command.

The incidents of the bursts are declared through ``/crisis declare``, so each has its channel
and pinned card: every note is also posted to the channel and updates the card, paced by the
emulator as Slack paces them. The others are declared in this process, and every timeline is
filled here through the service (the same code, 1,000 events a transaction), so filling stays
fast. SQLite in a temporary
directory by default; ``--db`` points at a PostgreSQL URL, ``--pg`` starts a throw-away
cluster (tests/pg.py). On a shared machine the absolute figures are noisy: compare the
ratios printed, which come from the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import yaml

from bench.ack_latency import Child
from bot.bootstrap import build_core
from bot.domain.roles import Actor, Role
from bot.sandbox.driver import signed_command
from bot.sandbox.emulator import SlackEmulator
from bot.settings import Settings
from tests.integration.processes import free_port

LEAD = Actor("ULEAD")
SIZES = (0, 1_000, 10_000)


class Bench:
    def __init__(self, emulator: SlackEmulator, url: str, secret: str, channel: str) -> None:
        self.emulator, self.url, self.secret, self.channel = emulator, url, secret, channel
        self.http = httpx.Client(timeout=60)

    def answers(self) -> int:
        with self.emulator._ws.lock:  # a count, not the deep copy response_url_posts() makes
            return len(self.emulator._ws.response_url_posts)

    def wait_answers(self, target: int, timeout: float = 600) -> bool:
        return self.emulator.wait_for(lambda: len(self.emulator._ws.response_url_posts) >= target,
                                      timeout=timeout)

    def body(self, text: str) -> tuple[bytes, dict[str, str]]:
        return signed_command(secret=self.secret, emulator=self.emulator, text=text,
                              channel=self.channel)

    def command_to_answer(self, text: str) -> float:
        target = self.answers() + 1
        body, headers = self.body(text)
        began = time.perf_counter()
        response = self.http.post(self.url, content=body, headers=headers)
        assert response.status_code == 200, response.text
        assert self.wait_answers(target, timeout=120), "no answer within 120 s"
        return time.perf_counter() - began

    def declare(self, title: str) -> int:
        """Declare through ``/crisis declare`` (the lead commands it) and wait until its channel
        is open and its card pinned, as in a real crisis: each note then also goes to the
        channel (one message per second per channel, as Slack allows) and updates the card."""
        self.command_to_answer(f"declare {title} type:service_logistics")
        answer = str((self.emulator.last_response_url_post()["payload"] or {}).get("text", ""))
        found = re.search(r"INC-(\d+) declared", answer)
        assert found, f"declare was not answered as declared: {answer!r}"
        number = int(found.group(1))

        def card_pinned() -> bool:
            with self.emulator._ws.lock:
                channel = next((c for c in self.emulator._ws.channels.values()
                                if c.name.startswith(f"inc-{number}-")), None)
                return channel is not None and any(
                    m.pinned for m in self.emulator._ws.messages[channel.id])

        # conversations.create is a tier-2 method (20 a minute): opening 20 takes a while.
        assert self.emulator.wait_for(card_pinned, timeout=300), f"INC-{number} has no channel"
        return number

    def burst(self, texts: list[str], clients: int = 8) -> tuple[float, float]:
        """Send ``texts`` with ``clients`` concurrent clients; returns (seconds to send them
        all, seconds from the last ack until the last answer)."""
        target = self.answers() + len(texts)
        prepared = [self.body(t) for t in texts]

        async def run() -> None:
            queue = list(reversed(prepared))
            async with httpx.AsyncClient(timeout=120) as http:
                async def client() -> None:
                    while queue:
                        body, headers = queue.pop()
                        response = await http.post(self.url, content=body, headers=headers)
                        assert response.status_code == 200, response.text
                await asyncio.gather(*(client() for _ in range(clients)))

        began = time.perf_counter()
        asyncio.run(run())
        last_ack = time.perf_counter()
        assert self.wait_answers(target), "burst not answered within 600 s"
        return last_ack - began, time.perf_counter() - last_ack


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


def fill(core, number: int, events: int) -> None:
    for start in range(0, events, 1000):
        count = min(1000, events - start)
        core.incidents.apply(number, lambda inc, now, start=start, count=count: [
            e for i in range(count) for e in inc.add_note(f"filler {start + i}", actor=LEAD, at=now)])


def declare(core, title: str) -> int:
    # The lead commands the incident: a note from anyone outside it is refused (and a refusal
    # writes nothing, so it would measure the wrong thing).
    return core.incidents.declare(title=title, crisis_type="service_logistics", actor=LEAD,
                                  roles={Role.COMMANDER: LEAD.id}).incident.number


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(args: argparse.Namespace, database_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator() as emulator:
        database_url = database_url or f"sqlite:///{tmp}/scale.db"
        emulator.add_user("ULEAD", name="lead")
        general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
        config = Path(tmp) / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({"roster": {}}), encoding="utf-8")
        secret = secrets.token_hex(16)
        port = free_port()
        env = {**os.environ, "CRISISBOT_DATABASE_URL": database_url,
               "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config)}
        server = Child([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                        "--port", str(port)], env)
        core = build_core(Settings(database_url=database_url), migrate=False)
        bench = Bench(emulator, f"http://127.0.0.1:{port}/slack/events", secret, general)
        engine = core.engine.dialect.name
        try:
            print(f"crisisbot scale bench on {engine} (shared machine: absolute figures are noisy; "
                  "ratios come from the same run)")
            # 1. command → answer by timeline size.
            by_size: dict[int, int] = {}
            for size in SIZES:
                by_size[size] = declare(core, f"Age {size}")
                fill(core, by_size[size], size)
            for number in by_size.values():  # warm-up
                bench.command_to_answer(f"INC-{number} status")
            p50: dict[tuple[str, int], float] = {}
            print(f"1. command -> answer, {args.samples} sequential samples each:")
            for command in ("note", "status"):
                for size, number in by_size.items():
                    text = f"INC-{number} note sample" if command == "note" else f"INC-{number} status"
                    samples = [bench.command_to_answer(text) * 1000 for _ in range(args.samples)]
                    p50[command, size] = statistics.median(samples)
                    print(f"   {command:6} at {size:>6,} events: p50 {p50[command, size]:6.1f} ms, "
                          f"p99 {percentile(samples, 0.99):6.1f} ms")
                ratio = p50[command, SIZES[-1]] / p50[command, 0]
                print(f"   {command:6} p50 at {SIZES[-1]:,} / p50 at 0: x{ratio:.2f} (target <= 1.5)")

            # 2. bursts.
            one = bench.declare("Burst target")
            fill(core, one, 1000)
            sent, drain = bench.burst([f"INC-{one} note burst {i}" for i in range(args.burst)])
            print(f"2. burst of {args.burst} notes to one incident (1,000 events before): sent in "
                  f"{sent:.1f} s, all answered {drain:.1f} s after the last ack (target <= 30 s)")
            spread = [bench.declare(f"Spread {i}") for i in range(20)]
            sent, drain = bench.burst([f"INC-{spread[i % 20]} note burst {i}"
                                       for i in range(args.burst)])
            print(f"   burst of {args.burst} notes over 20 incidents: sent in {sent:.1f} s, all "
                  f"answered {drain:.1f} s after the last ack (target <= 15 s)")

            # 3. memory.
            numbers = [declare(core, f"Memory {i}") for i in range(args.incidents)]
            for number in numbers:
                fill(core, number, args.events)
            for number in numbers:
                bench.command_to_answer(f"INC-{number} status")
            print(f"3. server RSS after {args.incidents} incidents x {args.events:,} events, each "
                  f"loaded by a status command: {rss_mb(server.proc.pid):.1f} MB (target <= 250 MB)")
        finally:
            core.close()
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--events", type=int, default=1000)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", help="a PostgreSQL (or SQLite) URL to run against (an empty database)")
    where.add_argument("--pg", action="store_true", help="start a throw-away PostgreSQL cluster")
    args = parser.parse_args()
    if not args.pg:
        run(args, args.db or "")
        return 0
    from sqlalchemy import create_engine, text

    from tests.pg import start_pg

    server = start_pg()
    try:
        name = f"scale_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        run(args, server.url(name))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
