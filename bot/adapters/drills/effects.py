"""The gateway's drill side (a mixin of :class:`~bot.adapters.slack.gateway.SlackGateway`):
the DRILL marker on every message a drill incident's effects send, and the scorecard upload."""

from __future__ import annotations

from typing import Any

from bot.adapters.db.outbox import Effect
from bot.domain.drills import DRILL_MARKER, is_drill_source

#: Slack calls whose text a person reads in a channel.
MARKED_METHODS = frozenset({"chat.postMessage", "chat.update", "files.getUploadURLExternal"})
MARKER_BLOCK = {"type": "context", "elements": [
    {"type": "mrkdwn", "text": ":construction: *DRILL* — an exercise, not a real incident · 演练，非真实事件"}]}
MAX_BLOCKS = 50


class DrillEffectKinds:
    client: Any
    incidents: Any
    store: Any

    _drill_cache: dict[int, bool]
    _drill_now: bool = False

    def _is_drill(self, number: int | None) -> bool:
        """Whether incident ``number`` is a drill (its source never changes: cached)."""
        if number is None:
            return False
        cache = self.__dict__.setdefault("_drill_cache", {})
        if number not in cache:
            try:
                cache[number] = is_drill_source(self.incidents.get(number).source)
            except Exception:  # noqa: BLE001 - unknown incident: not a drill
                return False
        return cache[number]

    def _drill_marked(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` of a Slack call, with the DRILL marker when a drill's effect makes it."""
        if not self._drill_now or method not in MARKED_METHODS:
            return kwargs
        out = dict(kwargs)
        for field in ("text", "initial_comment"):
            if isinstance(out.get(field), str) and not out[field].startswith(DRILL_MARKER):
                out[field] = f"{DRILL_MARKER} · {out[field]}"
        blocks = out.get("blocks")
        if isinstance(blocks, list) and blocks and len(blocks) < MAX_BLOCKS \
                and blocks[0] != MARKER_BLOCK:
            out["blocks"] = [MARKER_BLOCK, *blocks]
        return out

    def _do_upload_drill_scorecard(self, effect: Effect) -> None:
        """The scorecard summary with the report attached as Markdown and HTML files."""
        channel = self._channel(effect)  # type: ignore[attr-defined]
        payload = effect.payload
        stem = payload.get("filename", "drill-scorecard")
        self._call(  # type: ignore[attr-defined]
            "files.getUploadURLExternal", self.client.files_upload_v2,
            channel=channel, initial_comment=payload["text"],
            file_uploads=[
                {"content": payload["markdown"], "filename": f"{stem}.md",
                 "title": "Drill scorecard (Markdown)"},
                {"content": payload["html"], "filename": f"{stem}.html",
                 "title": "Drill scorecard (HTML)"},
            ],
        )
