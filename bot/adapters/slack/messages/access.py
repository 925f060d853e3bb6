"""Access wording: refusals from the permission table, the redacted announcement (en + zh)."""

from __future__ import annotations

from bot.adapters.slack.escape import escape_mrkdwn, mention
from bot.domain.incident import Incident
from bot.domain.permissions import Refused, Surface, Who
from bot.domain.roles import Role

#: Who a row is for, as a person reads it (English, Chinese).
WHO_TEXT: dict[Who, tuple[str, str]] = {
    Who.ANYONE: ("anyone", "所有人"),
    Who.READER: ("people in the incident", "事件成员"),
    Who.CONTRIBUTOR: ("people in the incident channel or holding a role in it",
                      "事件频道成员或事件角色持有人"),
    Who.TEAM: ("people holding a role in the incident", "事件角色持有人"),
    Who.TEAM_OR_ASSIGNEE: ("people holding a role in the incident or assigned the task",
                           "事件角色持有人或该任务的负责人"),
    Who.DECIDER: ("the incident's commander, comms lead, legal counsel or an executive",
                  "事件指挥官、传播负责人、法务或高管"),
    Who.PUBLISHER: ("the incident's commander, comms lead, spokesperson or an executive",
                    "事件指挥官、传播负责人、新闻发言人或高管"),
    Who.LEAD: ("the incident's commander or an executive", "事件指挥官或高管"),
    Who.LEAD_OR_CLAIM: (("the incident's commander or an executive (a rostered commander may "
                         "take command of an incident that has none)"),
                        "事件指挥官或高管（无指挥官时，名册中的指挥官可接管）"),
    Who.ROSTER_LEAD: ("people listed as commander or exec in the site roster",
                      "站点名册中的指挥官或高管"),
    Who.DRILL_LEAD: ("the site roster's commanders and execs and the drill facilitators",
                     "名册中的指挥官、高管及演练主持人"),
    Who.LEAD_OR_OWNER: ("the incident's commander or an executive, or the action item's owner",
                        "事件指挥官或高管，或该行动项的负责人"),
}


def _typed(key: str, usage: str) -> str:
    """What the person typed: the row's key, or its usage where the key is not the syntax
    (``fact translate`` is typed ``/crisis fact <n> zh|en <text>``)."""
    if usage.startswith("/crisis ") and not usage.startswith(f"/crisis {key}"):
        return usage
    return f"/crisis {key}"


def refusal(exc: Refused) -> str:
    """The ephemeral answer to a refused action: what it needs, who leads, how to be added."""
    row = exc.row
    action = (f"`{escape_mrkdwn(_typed(row.key, row.usage))}`" if row.surface is Surface.COMMAND
              else escape_mrkdwn(row.usage))
    en_who, zh_who = WHO_TEXT[row.who]
    if exc.incident_label is None:  # workspace-wide (snooze)
        return (f":lock: {action} is for {en_who}; nothing was changed.\n"
                f"{action} 仅限{zh_who}，未做任何更改。")
    label = escape_mrkdwn(exc.incident_label)
    lead = mention(exc.commander) if exc.commander else None
    if exc.outsider:
        ask_en = (f"Its commander is {lead}: ask them to add you to the incident channel or give "
                  f"you a role (`/crisis {label} role <role> @you`)." if lead else
                  "It has no commander yet: ask an executive to add you to the incident channel "
                  f"or give you a role (`/crisis {label} role <role> @you`).")
        ask_zh = (f"指挥官是 {lead}：请其把你加入事件频道或分配角色。" if lead else
                  "该事件尚无指挥官：请高管把你加入事件频道或分配角色。")
        return (f":lock: You are not part of {label}, so you cannot run {action} there; nothing "
                f"was changed. {ask_en}\n你不是 {label} 的成员，无法执行 {action}，未做任何更改。{ask_zh}")
    ask_en = f" Ask {lead}." if lead else ""
    ask_zh = f"请联系 {lead}。" if lead else ""
    return (f":lock: {action} in {label} is for {en_who}; nothing was changed.{ask_en}\n"
            f"{label} 中的 {action} 仅限{zh_who}，未做任何更改。{ask_zh}")


def confidential_announcement(incident: Incident) -> str:
    """The announce-channel line for a confidential incident: no title, no type, no facts."""
    lead = mention(incident.holder(Role.COMMANDER)) if incident.holder(Role.COMMANDER) else "_none yet_"
    return (f"🔒 *{incident.id} · confidential incident* declared — severity "
            f"{escape_mrkdwn(incident.severity.value)}, commander {lead}\n"
            f"🔒 *{incident.id} · 保密事件* 已宣布 — 级别 {escape_mrkdwn(incident.severity.value)}，"
            f"指挥官 {lead}")
