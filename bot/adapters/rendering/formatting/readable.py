"""All formatting for one language and one set of people, handed to a renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.adapters.rendering.formatting import figures, labels, spans
from bot.adapters.rendering.formatting.people import UserNames


@dataclass(frozen=True)
class Readable:
    """``lang`` is ``en`` or ``zh`` (``both`` reads as English body text)."""

    lang: str = "en"
    names: UserNames = field(default_factory=UserNames)
    catalog: Any = None

    @property
    def _lang(self) -> str:
        return "zh" if self.lang == "zh" else "en"

    def person(self, actor: str | None) -> str:
        return self.names.name(actor, self._lang)

    def role(self, role: str) -> str:
        return labels.role_label(role, self._lang)

    def crisis_type(self, key: str) -> str:
        return labels.crisis_type_label(key, self._lang, catalog=self.catalog)

    def status(self, status: str) -> str:
        return labels.status_label(status, self._lang)

    def stage(self, stage: str) -> str:
        return labels.stage_label(stage, self._lang)

    def audience(self, audience: str) -> str:
        return labels.audience_label(audience, self._lang)

    def kind(self, kind: str) -> str:
        return labels.kind_label(kind, self._lang)

    def language(self, code: str) -> str:
        return labels.lang_label(code, self._lang)

    def state(self, state: str) -> str:
        return labels.state_label(state, self._lang)

    def sentiment(self, key: str) -> str:
        return labels.sentiment_label(key, self._lang)

    def impact_label(self, key: str) -> str:
        return figures.impact_label(key, self._lang)

    def figure(self, value: Any) -> str:
        return figures.figure_value(value)

    def impact(self, values: dict[str, Any], sep: str = ", ") -> str:
        return figures.impact_text(values, self._lang, sep=sep)

    def duration(self, seconds: Any) -> str:
        return spans.duration(seconds, self._lang)

    def percent(self, value: float | None, *, share: bool = False) -> str:
        return figures.percent(value, share=share)
