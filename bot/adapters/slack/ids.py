"""Every Block Kit ``action_id``, ``callback_id`` and ``block_id`` crisisbot uses, in one place.

Listeners match on these constants and the builders emit them, so a rename cannot leave a button
that nothing answers. Button ``value``s carry an incident (and task) reference written
``INC-7`` or ``INC-7:3``: :func:`encode_ref` writes it and :func:`decode_ref` reads it back.
Blocks that need to carry a reference but have no ``value`` (a ``users_select`` for example)
put it in their ``block_id``: :func:`ref_block_id` / :func:`decode_block_ref`.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Action(StrEnum):
    """``action_id`` of interactive elements (buttons, selects, inputs)."""

    TASK_DONE = "task_done"
    TASK_ASSIGN = "task_assign"  # users_select; the task is named by its block_id
    STAGE_NEXT = "stage_next"
    STAGE_FORCE = "stage_force"
    SHOW_STATUS = "show_status"  # the "Show checklist" button of the card
    OPEN_DECLARE = "open_declare"
    DECLARE_TITLE = "declare_title"
    DECLARE_TYPE = "declare_type"
    DECLARE_SEVERITY = "declare_severity"
    DECLARE_DESCRIPTION = "declare_description"
    DECLARE_CONFIDENTIAL = "declare_confidential"
    DRAFT_STATEMENT = "draft_statement"  # value: encode_draft_value(…)
    STATEMENT_EDIT = "statement_edit"  # statement buttons: value encode_statement_ref(…)
    STATEMENT_SUBMIT = "statement_submit"
    STATEMENT_APPROVE = "statement_approve"
    STATEMENT_REJECT = "statement_reject"
    STATEMENT_PUBLISH = "statement_publish"
    STATEMENT_TEXT = "statement_text"  # inputs of the statement modals
    STATEMENT_REASON = "statement_reason"
    STATEMENT_CHANNEL = "statement_channel"
    REOPEN = "reopen_incident"  # offered when a monitor re-fires on a resolved incident


class Block(StrEnum):
    """``block_id`` of blocks; per-task ones are suffixed with a reference by :func:`ref_block_id`."""

    CARD_ACTIONS = "card_actions"
    TASK = "task"
    TASK_ASSIGN = "task_assign"
    STAGE_ACTIONS = "stage_actions"
    HOME_ACTIONS = "home_actions"
    HOME_INCIDENT = "home_incident"
    DECLARE_TITLE = "declare_title"
    DECLARE_TYPE = "declare_type"
    DECLARE_SEVERITY = "declare_severity"
    DECLARE_DESCRIPTION = "declare_description"
    DECLARE_CONFIDENTIAL = "declare_confidential"
    REMINDER = "reminder"
    STATEMENT_ACTIONS = "statement_actions"
    STATEMENT_TEXT = "statement_text"
    STATEMENT_REASON = "statement_reason"
    STATEMENT_CHANNEL = "statement_channel"


class View(StrEnum):
    """``callback_id`` of views (modals, App Home)."""

    DECLARE = "declare_modal"
    HOME = "app_home"
    STATEMENT_EDIT = "statement_edit_modal"  # private_metadata: encode_statement_ref(…)
    STATEMENT_REJECT = "statement_reject_modal"
    STATEMENT_PUBLISH = "statement_publish_modal"


class Shortcut(StrEnum):
    """``callback_id`` of global and message shortcuts."""

    ADD_TO_TIMELINE = "add_to_timeline"


class Command(StrEnum):
    """Slash commands."""

    CRISIS = "/crisis"


_REF = re.compile(r"INC-([0-9]{1,9})(?::([0-9]{1,9}))?", re.IGNORECASE)
_SEPARATOR = "|"


def encode_ref(number: int, task_no: int | None = None) -> str:
    """``encode_ref(7)`` → ``"INC-7"``; ``encode_ref(7, 3)`` → ``"INC-7:3"``.

    Raises ``ValueError`` for numbers that :func:`decode_ref` would not read back.
    """
    _check(number, "incident number")
    if task_no is None:
        return f"INC-{number}"
    _check(task_no, "task number")
    return f"INC-{number}:{task_no}"


def decode_ref(value: str) -> tuple[int, int | None]:
    """``"INC-7:3"`` → ``(7, 3)``; ``"INC-7"`` → ``(7, None)``; anything else raises ``ValueError``."""
    if not isinstance(value, str):
        # ValueError, not TypeError: callers treat every unreadable payload the same way.
        raise ValueError(f"not an incident reference: {value!r}")  # noqa: TRY004
    match = _REF.fullmatch(value.strip())
    if not match:
        raise ValueError(f"not an incident reference: {value[:60]!r}")
    number = int(match.group(1))
    task_no = int(match.group(2)) if match.group(2) is not None else None
    if number < 1 or (task_no is not None and task_no < 1):
        raise ValueError(f"numbers in a reference start at 1: {value[:60]!r}")
    return number, task_no


def ref_block_id(block: Block, number: int, task_no: int | None = None) -> str:
    """A unique ``block_id`` carrying a reference: ``task_assign|INC-7:3``."""
    return f"{block.value}{_SEPARATOR}{encode_ref(number, task_no)}"


def decode_block_ref(block_id: str) -> tuple[Block, int, int | None]:
    """Inverse of :func:`ref_block_id`; raises ``ValueError`` on anything else."""
    if not isinstance(block_id, str) or _SEPARATOR not in block_id:
        raise ValueError(f"not a reference block id: {str(block_id)[:60]!r}")
    prefix, _, ref = block_id.partition(_SEPARATOR)
    try:
        block = Block(prefix)
    except ValueError:
        raise ValueError(f"unknown block id prefix: {prefix[:60]!r}") from None
    number, task_no = decode_ref(ref)
    return block, number, task_no


def _check(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999_999_999:
        raise ValueError(f"{what} must be a whole number from 1 to 999999999, not {value!r}")


# --------------------------------------------------------------------------- statements

_STATEMENT_REF = re.compile(r"INC-([0-9]{1,9}):([0-9]{1,9})(?::v([0-9]{1,9}))?", re.IGNORECASE)
_DRAFT = re.compile(r"INC-([0-9]{1,9})\|([a-z]{1,20})\|([a-z]{1,20})(?:\|(en|zh))?", re.IGNORECASE)


def encode_statement_ref(number: int, statement_id: int, version: int | None = None) -> str:
    """Value of a statement button: ``INC-7:2:v3`` (incident 7, statement #2, version 3).

    The version pins the button to the text it was shown with: approving from an older card
    is refused once the statement has been edited.
    """
    ref = encode_ref(number, statement_id)
    if version is None:
        return ref
    _check(version, "statement version")
    return f"{ref}:v{version}"


def decode_statement_ref(value: str) -> tuple[int, int, int | None]:
    """``"INC-7:2:v3"`` → ``(7, 2, 3)``; ``"INC-7:2"`` → ``(7, 2, None)``; else ``ValueError``."""
    match = _STATEMENT_REF.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise ValueError(f"not a statement reference: {str(value)[:60]!r}")
    version = int(match.group(3)) if match.group(3) else None
    return int(match.group(1)), int(match.group(2)), version


def encode_draft_value(number: int, *, audience: str, kind: str, lang: str | None = None) -> str:
    """Value of a :attr:`Action.DRAFT_STATEMENT` button: ``INC-7|customers|holding`` or, with a
    language, ``INC-7|customers|holding|zh`` (English when left out)."""
    value = f"{encode_ref(number)}|{audience}|{kind}" + (f"|{lang}" if lang else "")
    decode_draft_value(value)  # refuses what the listener could not read back
    return value


def decode_draft_value(value: str) -> tuple[int, str, str, str]:
    """``"INC-7|customers|holding"`` → ``(7, "customers", "holding", "en")``; else ``ValueError``."""
    match = _DRAFT.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"not a draft-statement value: {str(value)[:60]!r}")
    return (int(match.group(1)), match.group(2).lower(), match.group(3).lower(),
            (match.group(4) or "en").lower())
