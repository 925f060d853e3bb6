"""Slack's limits, end to end: rate tiers with 20 incidents at once, and the ack with Slack hanging.

    python bench/slack_limits.py [--incidents 20] [--roster 30] [--requests 200]

1. The Slack emulator with its rate tiers ON (Tier 2: 20/min, Tier 3: 50/min, chat.postMessage
   1/s per channel — as strict as Slack) and the manifest's scopes; a real `crisisbot serve`
   child process (SQLite, default pacing). INCIDENTS incidents are declared over signed HTTP
   within one minute, each inviting a roster of ROSTER people. Prints the time until the last
   one is complete (every member invited, topic, purpose, pinned card, checklist) and how many
   calls Slack (the emulator) answered with 429.
2. Every Web API call hangs (a local socket that never answers, ≥ 30 s); `crisisbot serve`
   is started against it and REQUESTS signed `/crisis status` commands are sent (CLIENTS concurrent
   clients, 10 by default). Prints the ack p50/p99 (target p99 ≤ 100 ms), after the same load against the
   emulator answering normally as a baseline for the machine's load.

Everything stays on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import yaml  # noqa: E402

from bot.adapters.slack.api_methods import required_scopes  # noqa: E402
from bot.sandbox.driver import SlackDriver, signed_command  # noqa: E402
from bot.sandbox.emulator import SlackEmulator  # noqa: E402
from tests.integration.hanging_api import HangingApi  # noqa: E402
from tests.integration.processes import ServeProcess, free_port  # noqa: E402

ROLES = ("comms", "legal", "ops", "cs", "exec", "spokesperson")


def complete(emulator: SlackEmulator, name_prefix: str, members: set[str]) -> bool:
    channel = next((c for c in emulator.channels() if c["name"].startswith(name_prefix)), None)
    if channel is None or not members <= set(channel["members"]):
        return False
    if not channel["topic"] or not channel["purpose"]:
        return False
    posted = emulator.messages(channel["id"])
    pinned = any(m["pinned"] for m in posted)
    checklist = any("checklist" in (m.get("text") or "").lower() or "Stage" in (m.get("text") or "")
                    for m in posted if not m["pinned"])
    return pinned and checklist and len(posted) >= 2


def tiers(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator(scopes=required_scopes()) as emulator:
        roster = {role: [f"U{role.upper()[:4]}{n:03d}" for n in range(args.roster // len(ROLES))]
                  for role in ROLES}
        for users in roster.values():
            for uid in users:
                emulator.add_user(uid, name=uid.lower())
        emulator.add_user("ULEAD", name="lead")
        general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
        config = Path(tmp) / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({"roster": roster}), encoding="utf-8")
        secret = secrets.token_hex(16)
        port = free_port()
        env = {**os.environ, "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
               "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config)}
        server = ServeProcess(env, port)
        driver = SlackDriver(bot_url=f"http://127.0.0.1:{port}", emulator=emulator,
                             signing_secret=secret)
        try:
            began = time.perf_counter()
            gap = 55.0 / max(1, args.incidents - 1)
            for n in range(1, args.incidents + 1):
                response = driver.command(f"declare Bench incident {n} sev:SS type:service_logistics",
                                          user="ULEAD", channel=general)
                assert response.status_code == 200, response.text
                if n < args.incidents:
                    time.sleep(max(0.0, began + n * gap - time.perf_counter()))
            declared = time.perf_counter() - began
            # Who is invited: the declarer and the roster of the severity (SS: every role here).
            everyone = {"ULEAD", *(u for users in roster.values() for u in users)}
            pending = set(range(1, args.incidents + 1))
            done_at: dict[int, float] = {}

            def check() -> bool:
                for n in list(pending):
                    if complete(emulator, f"inc-{n}-", everyone):
                        pending.discard(n)
                        done_at[n] = time.perf_counter() - began
                return not pending

            ok = emulator.wait_for(check, timeout=args.timeout)
            limited = sum(1 for r in emulator.requests() if r["http_status"] == 429)
            calls = len(emulator.requests())
            print(f"1. rate tiers on: {args.incidents} incidents declared in {declared:.1f} s, "
                  f"roster of {len(everyone)} people each")
            if ok:
                print(f"   all complete (members, topic, purpose, pinned card, checklist) "
                      f"{max(done_at.values()):.1f} s after the first declare")
            else:
                print(f"   NOT complete after {args.timeout:.0f} s: incidents {sorted(pending)}")
            print(f"   Web API calls {calls}, answered 429: {limited}, "
                  f"conversations.invite calls: {len(emulator.requests('conversations.invite'))}")
        finally:
            driver.close()
            server.stop()


async def acks(url: str, emulator: SlackEmulator, secret: str, channel: str, *, clients: int,
               requests: int) -> list[float]:
    latencies: list[float] = []

    async def client(http: httpx.AsyncClient) -> None:
        for _ in range(requests // clients):
            body, headers = signed_command(secret=secret, emulator=emulator, text="status",
                                           channel=channel)
            began = time.perf_counter()
            response = await http.post(url, content=body, headers=headers)
            latencies.append(time.perf_counter() - began)
            assert response.status_code == 200, response.text
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies


def hanging(args: argparse.Namespace, *, hang: bool = True) -> None:
    api = HangingApi()
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator(lenient=True) as emulator:
        api_url = api.url if hang else emulator.api_url
        emulator.add_user("ULEAD", name="lead")  # the emulator only serves response URLs here
        general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
        config = Path(tmp) / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({"roster": {}}), encoding="utf-8")
        secret = secrets.token_hex(16)
        port = free_port()
        env = {**os.environ, "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
               "SLACK_API_URL": api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config)}
        server = ServeProcess(env, port)
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            asyncio.run(acks(url, emulator, secret, general, clients=2, requests=10))  # warm-up
            latencies = sorted(asyncio.run(acks(url, emulator, secret, general,
                                                clients=args.clients, requests=args.requests)))
            health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
            label = "every Web API call hanging" if hang else "baseline, Web API answering"
            print(f"2. {label}: {len(latencies)} signed /crisis status from {args.clients} "
                  f"clients (each pausing 50 ms between requests), "
                  f"ack p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms "
                  f"(target p99 <= 100 ms); /healthz slack detail: {health.get('slack')}")
        finally:
            server.stop()
            api.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=20)
    parser.add_argument("--roster", type=int, default=30, help="people invited to each incident")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10,
                        help="concurrent clients sending /crisis status (each pauses 50 ms)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--only", choices=("tiers", "hanging"), help="run one part only")
    args = parser.parse_args()
    if args.only in (None, "tiers"):
        tiers(args)
    if args.only in (None, "hanging"):
        hanging(args, hang=False)
        hanging(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
