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


class View(StrEnum):
    """``callback_id`` of views (modals, App Home)."""

    DECLARE = "declare_modal"
    HOME = "app_home"


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
