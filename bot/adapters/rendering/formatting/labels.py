"""Internal keys as words: roles, crisis types, statuses, stages, audiences, statement kinds
and the states of tasks, facts and clocks — in English or Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.roles import ROLE_LABELS, Role

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "active": ("active", "进行中"), "resolved": ("resolved", "已解决"), "closed": ("closed", "已关闭"),
}
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "assess": ("Assess", "研判"), "respond": ("Respond", "应对"),
    "communicate": ("Communicate", "沟通"), "recover": ("Recover", "恢复"),
}
AUDIENCE_LABELS: dict[str, tuple[str, str]] = {
    "customers": ("Customers", "用户"), "media": ("Media", "媒体"), "partners": ("Partners", "合作伙伴"),
    "regulators": ("Regulators", "监管机构"), "employees": ("Employees", "员工"),
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "holding": ("holding statement", "首次声明"), "update": ("update", "进展通报"),
    "resolution": ("resolution & apology", "致歉及整改说明"), "recall": ("recall notice", "召回公告"),
    "breach": ("breach notice", "数据泄露通知"),
}
LANG_LABELS: dict[str, tuple[str, str]] = {"en": ("English", "英文"), "zh": ("Chinese", "中文")}
STATE_LABELS: dict[str, tuple[str, str]] = {
    "confirmed": ("confirmed", "已确认"), "retracted": ("retracted", "已撤回"),
    "unconfirmed": ("unconfirmed", "未确认"),
}
SENTIMENT_LABELS: dict[str, tuple[str, str]] = {
    "negative": ("negative", "负面"), "neutral": ("neutral", "中性"), "positive": ("positive", "正面"),
}
#: Crisis types of the bundled playbooks, for when no catalog is at hand.
CRISIS_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "product_quality": ("Product quality", "产品质量"),
    "service_logistics": ("Service & logistics", "服务与物流"),
    "supply_chain": ("Supply chain", "供应链"),
    "brand_reputation": ("Brand & reputation", "品牌声誉"),
    "data_security": ("Data security", "数据安全"),
}


def _pick(labels: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    found = labels.get(key)
    if found is None:
        return key.replace("_", " ")
    return found[1] if lang == "zh" else found[0]


def role_label(role: Role | str, lang: str = "en") -> str:
    """``comms`` → ``Comms lead`` (``传播负责人``)."""
    try:
        labels = ROLE_LABELS[Role(str(role))]
    except ValueError:
        return str(role).replace("_", " ")
    return labels[1] if lang == "zh" else labels[0]


def status_label(status: str, lang: str = "en") -> str:
    return _pick(STATUS_LABELS, status, lang)


def stage_label(stage: str, lang: str = "en") -> str:
    return _pick(STAGE_LABELS, stage, lang)


def audience_label(audience: str, lang: str = "en") -> str:
    return _pick(AUDIENCE_LABELS, audience, lang)


def kind_label(kind: str, lang: str = "en") -> str:
    return _pick(KIND_LABELS, kind, lang)


def lang_label(code: str, lang: str = "en") -> str:
    return _pick(LANG_LABELS, code, lang)


def state_label(state: str, lang: str = "en") -> str:
    return _pick(STATE_LABELS, state, lang)


def sentiment_label(sentiment: str, lang: str = "en") -> str:
    return _pick(SENTIMENT_LABELS, sentiment, lang)


def crisis_type_label(key: str, lang: str = "en", *, catalog: Any = None) -> str:
    """The playbook's name (``Brand & reputation``); ``catalog`` is a :class:`Catalog`."""
    playbook = catalog.playbooks.get(key) if catalog is not None else None
    name = getattr(playbook, "name", None)
    if name is not None:
        text = getattr(name, "zh" if lang == "zh" else "en", None)
        if text:
            return str(text)
    return _pick(CRISIS_TYPE_LABELS, key, lang)
