"""Reading a polled source into a table of series (pandas).

A source is an HTTP URL answering JSON or CSV, or a local CSV file. Two shapes are read:

- long: one row per sample, columns/keys ``at``, ``series``, ``value``;
- wide: one row per time, ``at`` (or ``time`` / ``timestamp``) plus one column per series.

JSON may be a list of rows or ``{"samples": [...]}``. The result is a float DataFrame indexed
by UTC time with one column per series.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from bot.adapters.monitors.urls import public_url

TIME_COLUMNS = ("at", "time", "timestamp")
MAX_SOURCE_BYTES = 20 * 1024 * 1024


class SourceError(ValueError):
    """The source could not be read or is not a time series; the message says why."""


def fetch(client: httpx.Client, url: str) -> pd.DataFrame:
    shown = public_url(url)
    try:
        response = client.get(url, timeout=15)
    except httpx.HTTPError as exc:
        raise SourceError(f"{shown}: {exc.__class__.__name__}: {exc}") from None
    if response.status_code != 200:
        raise SourceError(f"{shown}: HTTP {response.status_code}")
    if len(response.content) > MAX_SOURCE_BYTES:
        raise SourceError(f"{shown}: larger than {MAX_SOURCE_BYTES} bytes")
    kind = response.headers.get("content-type", "")
    text = response.text
    if "json" in kind or text.lstrip().startswith(("[", "{")):
        try:
            return frame_from_records(json.loads(text), source=shown)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{shown}: not valid JSON: {exc}") from None
    return frame_from_csv(text, source=shown)


def read_file(path: Path) -> pd.DataFrame:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from None
    return frame_from_csv(text, source=str(path))


def frame_from_csv(text: str, *, source: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise SourceError(f"{source}: not a CSV table: {exc}") from None
    return _normalise(frame, source)


def frame_from_records(data: Any, *, source: str) -> pd.DataFrame:
    if isinstance(data, dict):
        data = data.get("samples")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(f"{source}: expected a list of rows or {{\"samples\": [...]}}")
    return _normalise(pd.DataFrame.from_records(data), source)


def _normalise(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    time_column = next((c for c in TIME_COLUMNS if c in frame.columns), None)
    if time_column is None:
        raise SourceError(f"{source}: no time column (one of {', '.join(TIME_COLUMNS)})")
    try:
        frame[time_column] = pd.to_datetime(frame[time_column], utc=True)
    except (ValueError, TypeError) as exc:
        raise SourceError(f"{source}: unreadable times: {exc}") from None
    if {"series", "value"} <= set(frame.columns):
        frame = frame.pivot_table(index=time_column, columns="series", values="value",
                                  aggfunc="last")
    else:
        frame = frame.set_index(time_column)
    frame = frame.apply(pd.to_numeric, errors="coerce").sort_index()
    frame.index.name = "at"
    frame.columns = [str(c) for c in frame.columns]
    return frame
