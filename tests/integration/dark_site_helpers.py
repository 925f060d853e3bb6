"""Shared by the dark-site tests: a world with the site configured, publishing over signed
HTTP, and an RFC 4287 check of the Atom feed."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

from tests.integration.slack_world import make_world

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Warehouse 7 sprinkler flood ruined parcels"
CONFIG = {
    "company": {"name": "Acme Shop", "contact": "help.acme.example · 400-800-1234",
                "press_contact": "press@acme.example"},
    "comms_channel": "crisis-comms",
    "dark_site": {"path": "/news/", "title": {"en": "Acme Shop notices", "zh": "Acme 商城公告"},
                  "zone": "Asia/Shanghai"},
}


def site_world(tmp_path, *, clock, db_url=None, dark_site: dict | None = None):
    config = {**CONFIG, "dark_site": {**CONFIG["dark_site"], **(dark_site or {})}}
    world = make_world(tmp_path, clock=clock, database_url=db_url, extra_config=config)
    world.emulator.add_channel("crisis-comms", members=["UBOT"])
    return world


def declare(world, title: str = TITLE, extra: str = "sev:S type:service_logistics") -> int:
    world.declare(title, extra=extra)
    number = world.bot.core.incidents.list()[0].number
    world.cmd(f"INC-{number} fact Parcels in one warehouse were damaged by water", user="UCOMMS")
    world.cmd(f"INC-{number} fact confirm {len(world.incident(number).facts)}")
    return number


def publish(world, number: int, audience: str, kind: str, lang: str) -> int:
    """Draft, submit, approve (comms + legal) and publish one statement, all as signed
    slash commands; returns its id."""
    prefix = f"INC-{number} "
    world.cmd(f"{prefix}statement {audience} {kind} {lang}", user="USPOKE")
    statement_id = len(world.incident(number).statements)
    world.cmd(f"{prefix}statement submit {statement_id}", user="USPOKE")
    world.cmd(f"{prefix}statement approve {statement_id}", user="UCOMMS")
    world.cmd(f"{prefix}statement approve {statement_id}", user="ULEGAL")
    reply = world.cmd(f"{prefix}statement publish {statement_id} website", user="UCOMMS")
    statement = world.incident(number).statement(statement_id)
    assert statement.state.value == "published", reply
    return statement_id


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check_atom(body: bytes) -> ET.Element:
    """The structural rules of RFC 4287 a reader relies on (section 4.1): one atom:feed root;
    exactly one id, title and updated; an author on the feed or on every entry; each entry
    with exactly one id, title and updated, and content or an alternate link; ids are
    absolute IRIs, dates RFC 3339, text constructs of a known type."""
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"

    def one(parent: ET.Element, name: str) -> ET.Element:
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{parent.tag} has {len(found)} atom:{name}"
        return found[0]

    def date(element: ET.Element) -> None:
        assert _RFC3339.match(element.text or ""), element.text
        datetime.fromisoformat(element.text or "")

    def iri(element: ET.Element) -> None:
        assert re.match(r"^[a-z][a-z0-9+.-]*:", element.text or ""), element.text

    def text_construct(element: ET.Element) -> None:
        assert element.get("type", "text") in ("text", "html", "xhtml")

    iri(one(root, "id"))
    text_construct(one(root, "title"))
    date(one(root, "updated"))
    feed_author = root.findall(f"{ATOM}author")
    for author in feed_author:
        assert one(author, "name").text
    for link in root.findall(f"{ATOM}link"):
        assert link.get("href") is not None
    assert len([l for l in root.findall(f"{ATOM}link") if l.get("rel") == "alternate"
                and l.get("type") == "text/html"]) <= 1
    for entry in root.findall(f"{ATOM}entry"):
        iri(one(entry, "id"))
        text_construct(one(entry, "title"))
        date(one(entry, "updated"))
        for published in entry.findall(f"{ATOM}published"):
            date(published)
        assert feed_author or entry.findall(f"{ATOM}author")
        contents = entry.findall(f"{ATOM}content")
        assert len(contents) <= 1
        alternates = [l for l in entry.findall(f"{ATOM}link") if l.get("rel", "alternate") == "alternate"]
        assert contents or alternates
        if contents:
            text_construct(contents[0])
            assert contents[0].get("src") is None
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)), "entry ids repeat"
    return root
