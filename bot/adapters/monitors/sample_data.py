"""A realistic three-day series of social mentions with sentiment and a spike.

Hourly counts of ``mentions`` (total) and its ``negative`` / ``neutral`` / ``positive`` split:
a daily rhythm around ~180 mentions an hour, mostly neutral, then a viral complaint — volume
jumps tenfold within three hours, negatives take over, and the storm decays by half every
~5 hours while negatives stay well above the day before. A ``change`` rule (negative
mentions +300 % over 24 h) fires on the last sample.

Run ``python -m bot.adapters.monitors.sample_data -o samples/mentions.csv`` to write it
(``--end`` sets the last hour, default: this hour).
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HOURS = 72
SPIKE_AT = 56  # hour index of the first viral post


def mentions_frame(*, end: datetime, seed: int = 7) -> pd.DataFrame:
    """Wide frame indexed by hour (UTC): mentions, negative, neutral, positive."""
    rng = np.random.default_rng(seed)
    end = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [end - timedelta(hours=HOURS - 1 - i) for i in range(HOURS)]
    rows = []
    for i, at in enumerate(hours):
        daily = 1 + 0.35 * math.sin((at.hour - 9) / 24 * 2 * math.pi)
        base = 180 * daily
        negative_share = 0.16
        if i >= SPIKE_AT:
            since = i - SPIKE_AT
            rise = min(1.0, (since + 1) / 3)
            decay = 0.5 ** (max(0, since - 2) / 5)
            base += 2200 * rise * decay
            negative_share = 0.16 + 0.56 * rise * (0.55 + 0.45 * decay)
        total = int(rng.poisson(base))
        negative = int(rng.binomial(total, negative_share))
        positive = int(rng.binomial(total - negative, 0.22))
        rows.append((at, total, negative, total - negative - positive, positive))
    frame = pd.DataFrame(rows, columns=["at", "mentions", "negative", "neutral", "positive"])
    return frame.set_index("at")


def write_csv(path: Path, *, end: datetime, seed: int = 7) -> Path:
    frame = mentions_frame(end=end, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index_label="at", date_format="%Y-%m-%dT%H:%M:%SZ")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=Path("samples/mentions.csv"))
    parser.add_argument("--end", help="last hour, ISO-8601 (default: this hour, UTC)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end) if args.end else datetime.now(UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    print(write_csv(args.output, end=end, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
