"""The ``/crisis help`` text, defined and built once."""

from __future__ import annotations

from bot.adapters.slack.escape import (
    one_line,
)
from bot.domain.roles import Role

# --------------------------------------------------------------------------- help

_HELP_GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Declare and follow", ("declare", "status", "timeline"), (
        (
            "`/crisis declare <title> [sev:SS|S|A] [type:<playbook>] [confidential:yes|no]` — "
            "declare an incident and open its channel; with no title, opens a form"
        ),
        "`/crisis status` — the incident card: severity, stage, roles, open tasks, clocks",
        "`/crisis timeline [n]` — the last n timeline entries (20 by default)",
    )),
    ("Team", ("sev", "severity", "role"), (
        "`/crisis sev <SS|S|A> [reason]` — change severity (re-invites, re-times clocks)",
        "`/crisis role <role> <@user>` — assign a role; roles: "
        + ", ".join(r.value for r in Role),
    )),
    ("Stages and tasks", ("stage", "task"), (
        "`/crisis stage` — the current stage checklist",
        "`/crisis stage next` — advance (blocked while required tasks are open)",
        "`/crisis stage next force` — commander or exec: advance past open required tasks",
        "`/crisis task done <n>` · `/crisis task add <text>` · `/crisis task assign <n> <@user>`",
    )),
    ("Facts, notes and impact", ("fact", "note", "impact"), (
        "`/crisis fact <text>` · `/crisis fact confirm <n>` · `/crisis fact retract <n> [reason]`",
        (
            "`/crisis fact <n> zh <译文>` · `/crisis fact <n> en <translation>` — the fact's "
            "other language version (same standing as confirming)"
        ),
        (
            "`/crisis note <text>` — start with `worked:`, `didnt:`, `cause:` or `lesson:` to "
            "prefill the post-mortem"
        ),
        "`/crisis impact orders=1200 revenue=USD 350000 customers=800 regions=east,north`",
    )),
    ("Statements", ("statement",), (
        (
            "`/crisis statement <audience> [holding|update|resolution] "
            "[en|zh|zh-Hant|zh-HK|zh-TW]` — draft a statement"
        ),
        "`/crisis statement approve <id>` · `reject <id> <reason>` · `publish <id> [channel]`",
        "`/crisis statement submit <id>` · `edit <id> <text>` · `show <id>` · `list` — kinds also "
        "`recall`, `breach`, `clarification` and `qa`; the draft's buttons do the same",
        ("`/crisis statement correct <id> <what was wrong>` — draft a correction of a published "
         "statement; once published, the original shows as corrected (never silently changed)"),
    )),
    ("Closing", ("resolve", "postmortem", "followup"), (
        "`/crisis resolve [summary]` — resolve the incident",
        "`/crisis postmortem` — build the post-mortem and post it here",
        "`/crisis followup <text> [@owner]` — add an action item to the post-mortem",
        ("`/crisis followup done <n>` · `reopen <n>` — close (or reopen) action item n, also "
         "after the incident is resolved (`/crisis INC-7 followup done 2`) · 完成行动项"),
    )),
    ("Lessons", ("lessons",), (
        (
            "`/crisis lessons [words]` — similar past crises, their lessons and open action "
            "items (in an incident channel, alone: like this incident) · 历史经验"
        ),
    )),
    ("Monitors", ("snooze",), (
        "`/crisis snooze <monitor> <duration>` — for e.g. `2h`, that monitor's alerts are only "
        "recorded (as snoozed) and open no incident; commanders and executives only",
    )),
    ("Drills", ("drill",), (
        "`/crisis drill list` — the drill scenarios · `/crisis drill start <scenario> "
        "[team @a @b] [scale 45m]` — rehearse one in a drill-… channel on a compressed clock",
        "`/crisis drill pause|resume|end` · `/crisis drill inject <n>` — in the drill channel; "
        "commanders, executives and drill facilitators only; `end` posts the scorecard",
    )),
    ("Listening", ("listening",), (
        (
            "`/crisis listening [top|kols|spread]` — what people are saying: top posts by "
            "reach, the KOLs posting about the brand, the spread path (origin, largest cascades)"
        ),
    )),
)

_HELP_INTRO = (
    "*crisisbot — `/crisis` commands*\n"
    "Inside an incident channel a command applies to that incident; anywhere else, name the "
    "incident first: `/crisis INC-7 status`."
)
_HELP_OUTRO = (
    "📌 React with :pushpin: or use the message shortcut *Add to timeline* to put any message "
    "on the timeline."
)


def _angles(text: str) -> str:
    # Placeholders such as <title> would be read by Slack as control sequences.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def help_sections(topic: str | None = None) -> list[str]:
    """The help as mrkdwn sections (one per group), or only the group covering ``topic``."""
    groups = _HELP_GROUPS
    prefix: list[str] = [_HELP_INTRO]
    if topic:
        wanted = topic.strip().lower()
        matching = tuple(g for g in _HELP_GROUPS if wanted in g[1])
        if matching:
            groups, prefix = matching, []
        else:
            prefix = [_HELP_INTRO, f"No help on `{_angles(one_line(topic)[:40])}`; here is everything."]
    sections = [
        f"*{title}*\n" + "\n".join("• " + _angles(line) for line in lines)
        for title, _, lines in groups
    ]
    return prefix + sections + ([_HELP_OUTRO] if groups is _HELP_GROUPS else [])


def help_text(topic: str | None = None) -> str:
    """The whole help (or one topic's part) as one mrkdwn string."""
    return "\n\n".join(help_sections(topic))


HELP_TEXT = help_text()
#: Notification / fallback text for the help blocks.
HELP_FALLBACK = "crisisbot: the /crisis commands. Add a topic for one group, e.g. /crisis help task."
