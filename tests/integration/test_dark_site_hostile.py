"""The dark site against hostile readers, over real HTTP: a page whose times depend on
Accept-Language says so in ``Vary`` (a shared cache never hands one reader's zone to all);
a forged Host never puts its name into the feeds' links."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.dark_site_helpers import declare, publish, site_world


@pytest.fixture
def world(tmp_path, clock):
    w = site_world(tmp_path, clock=clock)
    yield w
    w.close()


def get(world, path: str, **kwargs) -> httpx.Response:
    return httpx.get(world.server.url + path, timeout=60, **kwargs)


@pytest.mark.parametrize("path", ["/news/", "/news/en/", "/news/zh/"])
def test_pages_whose_zone_follows_accept_language_vary_on_it(world, path):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    auckland = get(world, path, headers={"accept-language": "en-NZ"})
    shanghai = get(world, path, headers={"accept-language": "en-CN"})
    assert auckland.status_code == shanghai.status_code == 200
    assert auckland.text != shanghai.text  # the zone really follows the header …
    assert "accept-language" in auckland.headers.get("vary", "").lower()  # … so caches must key on it
    pinned = get(world, path + "?tz=UTC", headers={"accept-language": "en-NZ"})
    assert pinned.status_code == 200


def test_site_export_never_writes_through_a_planted_symlink(world, tmp_path, monkeypatch, capsys):
    from bot.cli import main

    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", world.bot.core.settings.database_url)
    monkeypatch.setenv("CRISISBOT_CONFIG", str(world.bot.core.settings.config_path))
    out, victim, elsewhere = tmp_path / "export", tmp_path / "victim.txt", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    victim.write_text("precious", encoding="utf-8")
    (out / ".index.html.tmp").symlink_to(victim)  # someone who can write into DIR plants these
    (out / "zh").symlink_to(elsewhere, target_is_directory=True)
    code = main(["site", "export", str(out)])
    assert victim.read_text(encoding="utf-8") == "precious"
    assert list(elsewhere.iterdir()) == []
    if code == 0:
        assert (out / "index.html").is_file() and not (out / "index.html").is_symlink()
    else:
        assert code == 2 and "symlink" in capsys.readouterr().err
