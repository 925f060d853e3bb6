"""Posting monitor webhooks to a running bot, and reading what they stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import IncidentRow, OutboxRow, TimelineRow
from bot.adapters.db.monitor_models import AlertGroupRow, AlertRow

SECRET = "monitor-secret-for-tests"


def generic(fingerprint: str = "neg-mentions", *, monitor: str = "social-listening",
            status: str = "firing", **extra: Any) -> dict[str, Any]:
    return {"monitor": monitor, "fingerprint": fingerprint, "status": status,
            "title": "Negative mentions +340%", "value": 1723, "threshold": 400,
            "crisis_type": "brand_reputation", "labels": {"channel": "weibo"}} | extra


def post(url: str, kind: str, payload: Any, *, secret: str | None = SECRET, sign: bool = False,
         raw: bytes | None = None, headers: dict[str, str] | None = None,
         client: httpx.Client | None = None, timestamp: str | None = None) -> httpx.Response:
    """``sign=True`` signs ``<timestamp>.<body>`` (now unless ``timestamp`` is given; an
    empty ``timestamp`` signs the bare body and sends no timestamp header)."""
    body = raw if raw is not None else json.dumps(payload).encode()
    sent = {"content-type": "application/json", **(headers or {})}
    if secret is not None and sign:
        ts = str(int(time.time())) if timestamp is None else timestamp
        signed = ts.encode() + b"." + body if ts else body
        sent["x-crisisbot-signature"] = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if ts:
            sent["x-crisisbot-timestamp"] = ts
    elif secret is not None:
        sent["authorization"] = f"Bearer {secret}"
    target = f"{url}/monitors/{kind}"
    if client is not None:
        return client.post(target, content=body, headers=sent)
    return httpx.post(target, content=body, headers=sent, timeout=30)


def counts(engine) -> dict[str, int]:
    """Rows in every table a webhook may write to."""
    with Session(engine) as session:
        return {
            table.__tablename__: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (IncidentRow, TimelineRow, OutboxRow, AlertRow, AlertGroupRow)
        }
