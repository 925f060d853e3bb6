"""`crisisbot demo` begins where a real crisis does: raw posts from a listening export are
classified and stored, the negative-brand rule over their series fires and opens the incident
through the alert pipeline; the scripted response then plays out as before."""

from __future__ import annotations

import io

from bot.demo import run_demo


def test_the_demo_starts_with_the_mentions_monitor_opening_the_incident(tmp_path):
    out = io.StringIO()
    assert run_demo(out=out, workdir=tmp_path) == 0
    text = out.getvalue()
    assert "monitor social-mentions: +" in text and "→ INC-1 opened" in text
    assert "monitor *social-mentions* fired" in text
    assert "INC-1 is resolved" in text
    assert "raw posts classified and stored (0 rejected)" in text
    assert (tmp_path / "posts.json").is_file()
