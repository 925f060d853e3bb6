"""``/crisis lessons`` and the knowledge-base buttons, through the permission table.

Each row is checked first (``lessons`` for anyone; the buttons against the incident they sit
in), then every past case is filtered by who may read it: a case built from one of our
incidents follows that incident's read rule (confidential: only people in it); an imported
confidential case shows only to its ``readers`` and roster executives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.adapters.slack import commands as c
from bot.adapters.slack.handlers import CommandHandler, Reply
from bot.adapters.slack.knowledge import blocks as kb
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.knowledge import CaseMeta
from bot.domain.knowledge_cases import case_id_for
from bot.domain.permissions import Standing, check, permission
from bot.domain.roles import Role
from bot.logs import log_context
from bot.services.knowledge import KnowledgeService, MayRead, incident_query


class KnowledgeHandler:
    def __init__(self, *, knowledge: KnowledgeService, commands: CommandHandler,
                 contacts: str | Mapping[str, str] = "") -> None:
        self.knowledge = knowledge
        self.commands = commands
        self.contacts = contacts

    # ------------------------------------------------------------------ who may read a case

    def may_read(self, user_id: str) -> MayRead:
        """The read check of past cases for ``user_id``."""
        handler = self.commands
        roster_exec = Role.EXEC in handler.site.roles_of(user_id)

        def check_case(meta: CaseMeta) -> bool:
            if meta.source == "incident" and meta.incident is not None:
                try:
                    incident = handler.incidents.get(meta.incident)
                except NotFound:
                    return False
                return handler.may_read(incident, user_id, row="status")
            if not meta.confidential:
                return True
            return roster_exec or user_id in meta.readers

        return check_case

    def public(self, meta: CaseMeta) -> bool:
        """May a whole incident channel see the case (the declaration message)? Never a
        confidential case; with ``visibility: members``, only imported cases."""
        if meta.confidential:
            return False
        return meta.source == "import" or not self.commands.site.reads_restricted

    # ------------------------------------------------------------------ /crisis lessons

    def __call__(self, cmd: c.Lessons, *, user_id: str, channel_id: str | None) -> Reply:
        return self.lessons(cmd, user_id=user_id, channel_id=channel_id)

    def lessons(self, cmd: c.Lessons, *, user_id: str, channel_id: str | None) -> Reply:
        handler = self.commands
        actor = handler.actor(user_id)
        check(permission("lessons"), Standing(user=actor.id, roster_roles=actor.roles),
              incident_label=None)
        number = cmd.incident
        if number is None and channel_id:
            number = handler.store.incident_for_channel(channel_id)
        query, crisis_type, severity = cmd.query, None, None
        if number is not None:
            # The incident gives the type and severity (and the query when none is typed), so
            # it must be one the person may read.
            incident = handler.authorize("status", number, actor=actor, channel_id=channel_id)
            crisis_type, severity = incident.crisis_type, incident.severity.value
            if not query:
                query = incident_query(incident)
        if not query:
            raise InvalidInput("Say what to look for, e.g. `/crisis lessons recall of a food "
                               "batch` (in an incident channel, `/crisis lessons` alone uses "
                               "the incident).")
        may_read = self.may_read(user_id)
        exclude = case_id_for(number) if number is not None else None
        similar = self.knowledge.similar(query, crisis_type=crisis_type, severity=severity,
                                         may_read=may_read, exclude=exclude)
        actions = self.knowledge.open_actions(
            crisis_type=crisis_type, may_read=may_read, exclude=exclude,
            prefer=[s.case.id for s in similar]) if crisis_type else []
        text, blocks = kb.lessons_answer(query=cmd.query, similar=similar, open_actions=actions,
                                         number=number, catalog=handler.catalog)
        return Reply(text, blocks)

    # ------------------------------------------------------------------ buttons

    def show_lessons(self, *, number: int, case_id: str, user_id: str,
                     channel_id: str | None) -> Reply:
        with log_context():
            handler = self.commands
            handler.authorize("button:kb_show_lessons", number, actor=handler.actor(user_id),
                              channel_id=channel_id)
            case = self.knowledge.case(case_id, may_read=self.may_read(user_id))
            text, blocks = kb.case_lessons(case, catalog=handler.catalog)
            return Reply(text, blocks)

    def start_statement(self, *, number: int, case_id: str, user_id: str,
                        channel_id: str | None, key: str | None) -> Reply:
        with log_context():
            handler = self.commands
            actor = handler.actor(user_id)
            handler.authorize("button:kb_start_statement", number, actor=actor,
                              channel_id=channel_id)
            case = self.knowledge.case(case_id, may_read=self.may_read(user_id))
            contacts = [self.contacts] if isinstance(self.contacts, str) else list(
                self.contacts.values())
            outcome, flagged = self.knowledge.start_statement(
                number, case, actor=actor, also_ours=[x for x in contacts if x],
                idempotency_key=key)
            if outcome.duplicate:
                return Reply(":white_check_mark: Already done.")
            sid = max(outcome.incident.statements)
            return Reply(_started(case.id, sid, flagged))

    def confirm_lessons(self, *, number: int, user_id: str, channel_id: str | None,
                        key: str | None, lessons: Sequence[str] | None = None) -> Reply:
        with log_context():
            handler = self.commands
            actor = handler.actor(user_id)
            handler.authorize("button:kb_confirm_lessons", number, actor=actor,
                              channel_id=channel_id)
            outcome = self.knowledge.confirm_lessons(number, lessons, actor=actor,
                                                     idempotency_key=key)
            if outcome.duplicate:
                return Reply(":white_check_mark: Already done.")
            count = len(getattr(outcome.events[-1], "lessons", ())) if outcome.events else 0
            return Reply(f":books: {count} lesson(s) of {outcome.incident.id} confirmed for the "
                         "knowledge base. · 经验已确认。")

    def lessons_modal(self, *, number: int, user_id: str, channel_id: str | None) -> dict[str, Any]:
        handler = self.commands
        incident = handler.authorize("button:kb_confirm_lessons", number,
                                     actor=handler.actor(user_id), channel_id=channel_id)
        return kb.lessons_modal(number=number, incident_label=incident.id,
                                lessons=self.knowledge.prefilled(number))


def _started(case_id: str, statement_id: int, flagged: list[str]) -> str:
    head = (f":memo: Drafted statement #{statement_id} from {case_id}'s published text. "
            "Its card shows the lint against *our* confirmed facts.")
    if not flagged:
        return head
    return (head + f"\n:warning: {len(flagged)} sentence(s) state facts that are not ours and are "
            "marked ⟦not confirmed …⟧; rewrite them from our facts register (`/crisis status`) "
            "before review — the lint refuses them. · 含有非本事件事实的句子已标出，请改写。")
