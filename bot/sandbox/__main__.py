"""``python -m bot.sandbox``: run a Slack Web API emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from bot.sandbox.emulator import SlackEmulator


def main(argv: list[str] | None = None) -> None:
    """Start the emulator, print its API URL, and block until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="xoxb-emulator")
    options = parser.parse_args(argv)
    with SlackEmulator(host=options.host, port=options.port, token=options.token) as emu:
        print(f"Slack emulator at {emu.api_url} (token {emu.token}); Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
