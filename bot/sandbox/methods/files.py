"""files.* methods: the external-upload flow behind ``WebClient.files_upload_v2``.

1. files.getUploadURLExternal reserves a file id and returns an upload URL on this server;
2. the client POSTs the raw bytes there (``store_upload``);
3. files.completeUploadExternal titles the files and shares them to a channel, posting
   a message carrying them, as Slack does.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import Args, SlackError
from bot.sandbox.models import Channel, File
from bot.sandbox.workspace import Handler, Workspace

UPLOAD_PATH = "/upload/v1/"


def file_api(ws: Workspace, file: File) -> dict[str, Any]:
    """Render a file with its share details, like files.info."""
    out = file.to_api(ws.team_id)
    shared = {cid: ws.channels[cid] for cid in file.shares}
    out["channels"] = [cid for cid, c in shared.items() if not c.is_private and not c.is_im]
    out["groups"] = [cid for cid, c in shared.items() if c.is_private]
    out["ims"] = [cid for cid, c in shared.items() if c.is_im]
    out["is_public"] = bool(out["channels"])
    shares: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for cid, ts in file.shares.items():
        scope = "public" if cid in out["channels"] else "private"
        shares.setdefault(scope, {})[cid] = [{
            "ts": ts, "channel_name": shared[cid].name, "team_id": ws.team_id,
            "share_user_id": file.user, "reply_users": [], "reply_count": 0,
        }]
    out["shares"] = shares
    return out


def get_upload_url(ws: Workspace, args: Args) -> dict[str, Any]:
    """files.getUploadURLExternal."""
    filename = args.require("filename", missing="missing_argument")
    length = args.get_int("length", default=-1)
    if length < 0:
        raise SlackError("missing_argument")
    file = File(id=ws.new_id("F"), name=filename, length=length, created=int(ws.now()),
                user=ws.bot_user_id, alt_txt=args.get_str("alt_txt"))
    ws.files[file.id] = file
    return {"upload_url": f"{ws.base_url}{UPLOAD_PATH}{file.id}", "file_id": file.id}


def store_upload(ws: Workspace, file_id: str, data: bytes) -> tuple[int, str]:
    """Receive the bytes POSTed to an upload URL; return the HTTP status and text body."""
    file = ws.files.get(file_id)
    if file is None:
        return 404, "file_not_found"
    file.content = data
    return 200, f"OK - {len(data)}"


def _share_targets(ws: Workspace, args: Args) -> list[Channel]:
    ids = [args.get_str("channel_id")] if args.get_str("channel_id") else args.get_list("channels")
    targets = []
    for channel_id in ids:
        if channel_id not in ws.channels:
            raise SlackError("invalid_channel")
        channel = ws.channel(channel_id)
        ws.require_open(channel)
        ws.require_member(channel)
        targets.append(channel)
    return targets


def complete_upload(ws: Workspace, args: Args) -> dict[str, Any]:
    """files.completeUploadExternal: without a channel the files stay private."""
    entries = args.get_json("files")
    if not isinstance(entries, list) or not entries or not all(
        isinstance(e, dict) and e.get("id") for e in entries
    ):
        raise SlackError("invalid_arguments")
    ready: list[File] = []
    for entry in entries:
        file = ws.files.get(entry["id"])
        if file is None or file.content is None:  # unknown, or its bytes never arrived
            raise SlackError("file_not_found")
        ready.append(file)
    targets = _share_targets(ws, args)
    comment = args.get_str("initial_comment")
    for file, entry in zip(ready, entries, strict=True):
        file.title = entry.get("title") or file.name
        file.initial_comment = comment
    for channel in targets:
        message = ws.post(channel, user=ws.bot_user_id, text=comment or "",
                          thread_ts=args.get_str("thread_ts"))
        for file in ready:
            file.shares[channel.id] = message.ts
        message.files = [file_api(ws, f) for f in ready]
    return {"files": [file_api(ws, f) for f in ready]}


def info(ws: Workspace, args: Args) -> dict[str, Any]:
    """files.info."""
    file = ws.files.get(args.get_str("file") or "")
    if file is None:
        raise SlackError("file_not_found")
    return {"file": file_api(ws, file), "comments": [],
            "response_metadata": {"next_cursor": ""}}


METHODS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.info": info,
}
