"""``crisisbot site export DIR``: the dark site as static files for a CDN.

Writes ``index.html`` (English), ``en/index.html``, ``zh/index.html``, ``feed.atom`` and
``feed.json``. Links are relative, so the directory can be served under any path; the feeds
carry absolute links when ``dark_site.base_url`` (or ``--base-url``) is set. Files are written
to a temporary name and renamed, so a CDN sync never picks up half a file.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from bot.adapters.site.config import DarkSiteConfig
from bot.adapters.site.feeds import atom_feed, json_feed
from bot.adapters.site.model import Notice
from bot.adapters.site.render import render_page
from bot.domain.errors import InvalidInput


def export_site(directory: Path, *, notices: list[Notice], config: DarkSiteConfig,
                now: datetime, base_url: str | None = None) -> list[Path]:
    """Write the site into ``directory`` (created if needed); returns the files written."""
    base = (base_url or config.base_url or "").rstrip("/")
    base = f"{base}/" if base else ""
    files: dict[str, bytes] = {}
    for name, lang, root in (("index.html", "en", ""), ("en/index.html", "en", "../"),
                             ("zh/index.html", "zh", "../")):
        files[name] = render_page(notices=notices, config=config, lang=lang, zone=config.zone,
                                  now=now, root=root, live=False).encode("utf-8")
    files["feed.atom"] = atom_feed(notices=notices, config=config, base=base, now=now)
    files["feed.json"] = json_feed(notices=notices, config=config, base=base, now=now)
    written = []
    for name, body in files.items():
        target = directory / name
        if target.parent != directory and target.parent.is_symlink():
            raise InvalidInput(f"{target.parent} is a symlink; the export never writes through "
                               "one (remove it or export into a fresh directory)")
        target.parent.mkdir(parents=True, exist_ok=True)
        # A fresh temporary name (O_EXCL: a symlink planted there is never followed), renamed
        # over the target (a symlink at the target is replaced, not written through).
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(body)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
