"""Statement wording: labels, buttons, modals, review lines and their timeline lines."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.escape import (
    channel_link,
    escape_mrkdwn,
    mention,
)
from bot.adapters.slack.messages.core import _t, _with, fmt_time, role_label
from bot.domain import events as ev
from bot.domain.incident import Incident

# --------------------------------------------------------------------------- statements

AUDIENCE_LABELS: dict[str, tuple[str, str]] = {
    "customers": ("Customers", "用户"),
    "media": ("Media", "媒体"),
    "partners": ("Partners", "合作伙伴"),
    "regulators": ("Regulators", "监管部门"),
    "employees": ("Employees", "员工"),
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "holding": ("Holding statement", "首次声明"),
    "update": ("Update", "进展通报"),
    "resolution": ("Resolution & apology", "致歉及整改说明"),
    "recall": ("Recall notice", "召回公告"),
    "breach": ("Data-breach notice", "数据泄露告知"),
    "clarification": ("Clarification (rumour)", "辟谣声明"),
    "qa": ("Media Q&A kit", "媒体问答口径"),
}
LANG_LABELS: dict[str, str] = {
    "en": "English", "zh": "中文", "zh-Hant": "繁體中文", "zh-HK": "繁體中文（香港）",
    "zh-TW": "繁體中文（台灣）",
}
STATEMENT_STATE_LABELS: dict[str, str] = {
    "draft": "📝 Draft", "in_review": "👀 In review", "approved": "✅ Approved",
    "rejected": "↩️ Rejected", "published": "📣 Published",
}
BUTTON_STATEMENT_EDIT = "Edit"
BUTTON_STATEMENT_SUBMIT = "Submit for review"
BUTTON_STATEMENT_APPROVE = "Approve"
BUTTON_STATEMENT_REJECT = "Reject"
BUTTON_STATEMENT_PUBLISH = "Publish"
BUTTON_DRAFT_STATEMENT = "Draft the statement"
STATEMENT_EDIT_TITLE = "Edit statement"
STATEMENT_EDIT_SUBMIT = "Save new version"
STATEMENT_EDIT_LABEL = "Statement text"
STATEMENT_EDIT_HINT = "Saving makes a new version; approvals of the old version no longer count."
STATEMENT_REJECT_TITLE = "Reject statement"
STATEMENT_REJECT_SUBMIT = "Reject"
STATEMENT_REJECT_LABEL = "Why? The author sees this."
STATEMENT_REJECT_PLACEHOLDER = "e.g. The refund date is not confirmed yet"
STATEMENT_PUBLISH_TITLE = "Publish statement"
STATEMENT_PUBLISH_SUBMIT = "Record publication"
STATEMENT_PUBLISH_LABEL = "Where did it go out?"
STATEMENT_PUBLISH_HINT = ("The channel you published it on: website, email, weibo, sms… crisisbot "
                          "records it; it does not post to outside networks.")
STATEMENT_CANCEL = "Cancel"
STATEMENT_LINT_CLEAN = "✅ Lint: no problems found."
ERR_STATEMENT_TEXT_EMPTY = "The statement needs some text."
ERR_STATEMENT_REASON_EMPTY = "Say why, so the author can fix it."
ERR_STATEMENT_CHANNEL_EMPTY = "Say where it was published, e.g. website."
STATEMENT_USAGE = (
    "`/crisis statement <audience> [holding|update|resolution|recall|breach|clarification|qa] "
    "[en|zh|zh-Hant|zh-HK|zh-TW]` drafts a "
    "statement (audiences: customers, media, partners, regulators, employees). Then "
    "`/crisis statement submit <id>` · `approve <id>` · `reject <id> <reason>` · "
    "`publish <id> [channel]` · `show <id>` · `list` · `correct <id> <what was wrong>`."
)


def audience_label(audience: str, lang: str = "en") -> str:
    labels = AUDIENCE_LABELS.get(audience)
    return (labels[1] if lang == "zh" else labels[0]) if labels else _t(audience)


def kind_label(kind: str, lang: str = "en") -> str:
    labels = KIND_LABELS.get(kind)
    return (labels[1] if lang == "zh" else labels[0]) if labels else _t(kind)


def statement_title(statement: Any) -> str:
    """``Statement #2 · Customers · Holding statement · 中文 · v3`` (plain text)."""
    return (f"Statement #{statement.id} · {audience_label(statement.audience)} · "
            f"{kind_label(statement.kind)} · {LANG_LABELS.get(statement.lang, statement.lang)} · "
            f"v{statement.version}")


def statement_status_line(statement: Any, *, status: str, missing: list[str], rule: str) -> str:
    """``👀 In review · needs legal (rule: comms + legal) · approved by <@U1> as comms``."""
    parts = [STATEMENT_STATE_LABELS.get(status, _t(status))]
    if status in ("in_review", "draft") and missing:
        need = " + ".join(m for m in missing if m != "person") or f"{len(missing)} more people"
        parts.append(f"needs {_t(need)} (rule: {_t(rule)})")
    approvals = [a for a in statement.approvals if a.version == statement.version]
    if approvals:
        parts.append("approved by " + ", ".join(
            f"{mention(a.user)} as {role_label(a.role)}" for a in approvals))
    if statement.rejection and status == "rejected":
        who, reason = statement.rejection
        parts.append(f"rejected by {mention(who)}: {_t(reason)}")
    for pub in statement.publications:
        parts.append(f"published to {channel_link(pub.channel)} at {fmt_time(pub.at)}")
    return " · ".join(parts)


def statement_findings(findings: list[Any], lang: str) -> str:
    """Lint findings as a list, in the statement's language with English alongside for zh."""
    if not findings:
        return STATEMENT_LINT_CLEAN
    lines = []
    for finding in findings:
        icon = "⛔" if finding.is_error else "⚠️"
        text = _t(finding.text(lang))
        if lang != "en":
            text += f"\n      _{_t(finding.text('en'))}_"
        lines.append(f"{icon} {text}")
    errors = sum(1 for f in findings if f.is_error)
    head = (f"*Lint: {errors} error(s)* — fix them before approval." if errors
            else "*Lint: warnings only*")
    return head + "\n" + "\n".join(lines)


def statement_body(text: str) -> str:
    """The statement text as a quoted, escaped block (newlines kept)."""
    return "\n".join("&gt; " + escape_mrkdwn(line) if line.strip() else "&gt;"
                     for line in text.splitlines())


def statement_list(incident_id: str, statements: list[Any], *, rule: Any) -> str:
    """``/crisis statement list``: one line per statement with its status."""
    if not statements:
        return (f"{incident_id} has no statements yet; draft one with "
                "`/crisis statement customers holding`.")
    lines = [f"*{incident_id} statements* (approvals: {_t(rule.describe())})"]
    for statement in statements:
        status = statement.status(rule)
        lines.append(f"• {_t(statement_title(statement))} — "
                     f"{STATEMENT_STATE_LABELS.get(status, _t(status))}")
    lines.append("`/crisis statement show <id>` shows one with its buttons.")
    return "\n".join(lines)


def statement_drafted_reply(statement: Any, errors: int) -> str:
    fix = f" Lint found {errors} error(s); edit before asking for review." if errors else ""
    what = (f"{audience_label(statement.audience)} · {kind_label(statement.kind)} · "
            f"{LANG_LABELS.get(statement.lang, statement.lang)}")
    corrects = (f" It corrects statement #{statement.corrects}: edit the text, then submit it; "
                "once it is published the original shows as corrected."
                if getattr(statement, "corrects", 0) else "")
    return (f":memo: Drafted statement #{statement.id} v{statement.version} ({_t(what)}); it is "
            f"posted in the channel with its buttons.{corrects}{fix}")


def statement_correction_line(statement: Any) -> str:
    """On a correction's card what it corrects and why; on a corrected statement, by which."""
    if statement.corrected_by:
        return (f":warning: Withdrawn: corrected by statement #{statement.corrected_by} "
                "(the dark site keeps this text, marked as corrected)")
    return (f":pencil2: Correction of statement #{statement.corrects}"
            f"{_with(_t(statement.correction_reason))}")


def statement_published_to_comms(statement: Any, *, incident_id: str, channel: str) -> str:
    """The text posted to the internal comms channel when a statement is published."""
    return (f"📣 *{incident_id} · {statement_title(statement)}* published to "
            f"{_t(channel)}:\n{statement_body(statement.text)}")


def _statement_ref(e: Any) -> str:
    return f"statement #{e.statement_id} v{e.version}"


def _st_drafted(e: ev.StatementDrafted, who: str, inc: Incident | None, lang: str) -> str:
    correction = (f", a correction of statement #{e.corrects}{_with(_t(e.correction_reason))}"
                  if e.corrects else "")
    return (f"📝 {who} drafted {_statement_ref(e)} for {audience_label(e.audience).lower()} "
            f"({kind_label(e.kind).lower()}, {LANG_LABELS.get(e.lang, _t(e.lang))}){correction}")


def _st_edited(e: ev.StatementEdited, who: str, inc: Incident | None, lang: str) -> str:
    return f"✏️ {who} edited statement #{e.statement_id}: now v{e.version}; approvals start over"


def _st_submitted(e: ev.StatementSubmitted, who: str, inc: Incident | None, lang: str) -> str:
    return f"👀 {who} submitted {_statement_ref(e)} for review"


def _st_approved(e: ev.StatementApproved, who: str, inc: Incident | None, lang: str) -> str:
    return f"👍 {who} approved {_statement_ref(e)} as {role_label(e.role)}"


def _st_published(e: ev.StatementPublished, who: str, inc: Incident | None, lang: str) -> str:
    ref = _statement_ref(e) if e.version else f"statement #{e.statement_id}"  # 0: before versions
    where = f" to {channel_link(e.channel)}" if e.channel else ""
    return (f"📣 {who} published {ref} for {audience_label(e.audience).lower()} "
            f"({kind_label(e.kind).lower()}, {LANG_LABELS.get(e.lang, _t(e.lang))}){where}")


def _st_rejected(e: ev.StatementRejected, who: str, inc: Incident | None, lang: str) -> str:
    return f"↩️ {who} rejected {_statement_ref(e)}{_with(_t(e.reason))}"
