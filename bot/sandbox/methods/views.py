"""views.* methods: modals and App Home tabs."""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import Args, SlackError
from bot.sandbox.blocklimits import check_view
from bot.sandbox.models import View
from bot.sandbox.workspace import Handler, Workspace

MAX_BLOCKS = 100


def _definition(
    ws: Workspace, args: Args, *, kind: str, replacing: View | None = None
) -> dict[str, Any]:
    """Validate the ``view`` argument for a view of type ``kind``.

    ``replacing`` is the view being updated, which may keep its own ``external_id``.
    """
    view = args.get_json("view")
    if not isinstance(view, dict) or view.get("type") != kind:
        raise SlackError("invalid_arguments")
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        raise SlackError("invalid_arguments")
    if kind == "modal" and not isinstance(view.get("title"), dict):
        raise SlackError("invalid_arguments")
    check_view(view)
    external_id = view.get("external_id")
    if external_id and any(v.external_id == external_id and v is not replacing
                           for v in ws.views.values()):
        raise SlackError("duplicate_external_id")
    return view


def _api(ws: Workspace, view: View) -> dict[str, Any]:
    return {"view": view.to_api(team_id=ws.team_id, app_id=ws.app_id, bot_id=ws.bot_id)}


def _open_modal(ws: Workspace, args: Args, method: str) -> View:
    trigger_id = args.get_str("trigger_id") or args.get_str("interactivity_pointer")
    if not trigger_id:
        raise SlackError("invalid_trigger_id")
    definition = _definition(ws, args, kind="modal")
    # Deliberately lenient: any trigger is accepted, but whether the emulator issued it
    # is recorded so tests can tell a real interaction from a made-up one.
    view = View(id=ws.new_id("V"), type="modal", definition=definition, hash=ws.new_id("H"),
                method=method, trigger_id=trigger_id,
                trigger_issued=trigger_id in ws.issued_triggers,
                external_id=definition.get("external_id"))
    ws.views[view.id] = view
    return view


def open_(ws: Workspace, args: Args) -> dict[str, Any]:
    """views.open."""
    return _api(ws, _open_modal(ws, args, "views.open"))


def push(ws: Workspace, args: Args) -> dict[str, Any]:
    """views.push: stacks a modal on the most recently opened one."""
    below = next((v for v in reversed(ws.views.values()) if v.type == "modal"), None)
    view = _open_modal(ws, args, "views.push")
    if below is not None:
        view.previous_view_id = below.id
        view.root_view_id = below.root_view_id or below.id
    return _api(ws, view)


def _check_hash(view: View, args: Args) -> None:
    given = args.get_str("hash")
    if given is not None and given != view.hash:
        raise SlackError("hash_conflict")


def update(ws: Workspace, args: Args) -> dict[str, Any]:
    """views.update: by ``view_id`` or ``external_id``, optionally guarded by ``hash``."""
    view_id, external_id = args.get_str("view_id"), args.get_str("external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments")
    view = next((v for v in ws.views.values()
                 if v.id == view_id or (external_id and v.external_id == external_id)), None)
    if view is None:
        raise SlackError("not_found")
    _check_hash(view, args)
    view.definition = _definition(ws, args, kind=view.type, replacing=view)
    view.external_id = view.definition.get("external_id") or view.external_id
    view.hash = ws.new_id("H")
    return _api(ws, view)


def publish(ws: Workspace, args: Args) -> dict[str, Any]:
    """views.publish: one App Home view per user, replaced in place."""
    user_id = ws.user(args.get_str("user_id")).id
    view = next((v for v in ws.views.values() if v.type == "home" and v.user_id == user_id), None)
    if view is not None:
        _check_hash(view, args)
    definition = _definition(ws, args, kind="home", replacing=view)
    if view is None:
        view = View(id=ws.new_id("V"), type="home", definition=definition, hash="",
                    method="views.publish", user_id=user_id)
        ws.views[view.id] = view
    view.definition = definition
    view.external_id = definition.get("external_id")
    view.hash = ws.new_id("H")
    return _api(ws, view)


METHODS: dict[str, Handler] = {
    "views.open": open_,
    "views.push": push,
    "views.update": update,
    "views.publish": publish,
}
