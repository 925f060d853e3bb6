"""Small hand-built playbooks and policies so domain tests do not depend on the YAML content."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.lifecycle import Phase
from bot.domain.playbook import ClockSpec, DueFrom, Playbook, TaskTemplate
from bot.domain.roles import Actor, Role
from bot.domain.severity import ApprovalRule, Severity, SeverityLevel, SeverityPolicy
from bot.domain.text import LocalText

COMMANDER = Actor("UCMD")
EXEC = Actor("UEXEC", roles=frozenset({Role.EXEC}))
ALICE = Actor("UALICE")
MONITOR = Actor.system("monitor")


def t(text: str) -> LocalText:
    return LocalText(text, f"{text}（中文）")


def task(id: str, stage: Phase, *, required: bool = False, due: timedelta | None = None,
         due_from: DueFrom = DueFrom.STAGE, severities=None, owner: Role = Role.COMMS) -> TaskTemplate:
    return TaskTemplate(id=id, stage=stage, text=t(id), owner=owner, due=due, due_from=due_from,
                        required=required,
                        severities=frozenset(severities) if severities else None)


def playbook() -> Playbook:
    return Playbook(
        key="test_type",
        name=t("Test type"),
        description=t("A playbook for tests"),
        default_severity=Severity.A,
        tasks=(
            task("verify", Phase.ASSESS, required=True, due=timedelta(minutes=30),
                 due_from=DueFrom.DECLARED),
            task("scope", Phase.ASSESS),
            task("exec-brief", Phase.ASSESS, severities=[Severity.SS], owner=Role.EXEC),
            task("contain", Phase.RESPOND, required=True, due=timedelta(hours=1)),
            task("report-regulator", Phase.RESPOND, due=timedelta(hours=24),
                 due_from=DueFrom.DECLARED, owner=Role.LEGAL),
            task("holding", Phase.COMMUNICATE, required=True, due=timedelta(hours=4),
                 due_from=DueFrom.DECLARED),
            task("review", Phase.RECOVER),
        ),
        clocks=(
            ClockSpec(key="regulator-report", label=t("Regulator report"),
                      within=timedelta(hours=24), met_by_task="report-regulator"),
        ),
    )


def policy() -> SeverityPolicy:
    def level(sev: Severity, team: timedelta, cadence: timedelta, assemble) -> SeverityLevel:
        return SeverityLevel(
            severity=sev, label=t(sev.value), description=t(sev.value), team_within=team,
            update_every=cadence, approvals=ApprovalRule(people=2),
            invite=tuple(Role), assemble=tuple(assemble),
        )

    return SeverityPolicy(
        levels={
            Severity.SS: level(Severity.SS, timedelta(minutes=30), timedelta(minutes=30),
                               [Role.COMMANDER, Role.COMMS, Role.LEGAL, Role.EXEC]),
            Severity.S: level(Severity.S, timedelta(hours=1), timedelta(hours=1),
                              [Role.COMMANDER, Role.COMMS, Role.LEGAL]),
            Severity.A: level(Severity.A, timedelta(hours=2), timedelta(hours=4),
                              [Role.COMMANDER, Role.COMMS]),
        }
    )
