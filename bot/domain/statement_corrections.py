"""Corrections of published statements: a published statement never changes; a correction
is a new statement (same audience, kind and language, its text starting from the original)
that goes through the same review, and once it is published the original is shown as
withdrawn by it — on the dark site, in the feeds and in Slack.
"""

from __future__ import annotations

from bot.domain.errors import Conflict, InvalidInput
from bot.domain.statements import Statement, StatementState

MAX_REASON = 500


def check_correction(original: Statement, reason: str,
                     statements: dict[int, Statement]) -> str:
    """May ``original`` be corrected? Returns the cleaned reason."""
    if original.state is not StatementState.PUBLISHED:
        raise Conflict(
            f"Statement {original.ref} is not published; edit it instead of correcting it "
            f"(`/crisis statement edit {original.id} <text>`)."
        )
    if original.corrected_by:
        raise Conflict(
            f"Statement {original.ref} was already corrected by #{original.corrected_by}; "
            f"correct that one instead."
        )
    pending = [s for s in statements.values()
               if s.corrects == original.id and s.state is not StatementState.PUBLISHED]
    if pending:
        raise Conflict(
            f"Correction #{pending[0].id} of statement {original.ref} is already being drafted; "
            f"edit and publish it (`/crisis statement show {pending[0].id}`)."
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            "Say what was wrong, e.g. "
            f"`/crisis statement correct {original.id} the refund date was 3 Dec, not 2 Dec`."
        )
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason is {len(reason)} characters long; the limit is {MAX_REASON}.")
    return reason


def check_correction_publishable(statement: Statement, statements: dict[int, Statement]) -> None:
    """A correction must say something else than what it corrects."""
    original = statements.get(statement.corrects) if statement.corrects else None
    if original is not None and original.text.strip() == statement.text.strip():
        raise Conflict(
            f"Statement {statement.ref} corrects {original.ref} but its text is still the "
            f"same; edit it first (`/crisis statement edit {statement.id} <text>`)."
        )
