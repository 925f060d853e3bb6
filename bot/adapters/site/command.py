"""``crisisbot site export DIR [--base-url URL]``."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.adapters.site.export import export_site
from bot.domain.errors import InvalidInput
from bot.settings import Settings


def export_command(*, directory: Path, base_url: str | None, settings: Settings) -> int:
    from bot.bootstrap import build_core, dark_site
    from bot.siteconfig import load_site_config

    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise InvalidInput(f"--base-url must be an absolute http(s) URL, not `{base_url}`")
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"{directory} exists and is not a directory; name a directory to write into")
    site = load_site_config(settings.config_path)
    core = build_core(settings, migrate=False)
    try:
        source = dark_site(core, site)
        now = core.clock()
        notices = source.notices(now)
        files = export_site(directory, notices=notices, config=site.dark_site, now=now,
                            base_url=base_url)
    finally:
        core.close()
    state = f"{len(notices)} notice(s)" if notices else "dormant: no notices"
    print(f"dark site written to {directory} ({len(files)} files, {state})")
    if not (base_url or site.dark_site.base_url):
        print("note: the feeds link relatively; set dark_site.base_url or --base-url for "
              "absolute links", file=sys.stderr)
    return 0
