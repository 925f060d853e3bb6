"""``crisisbot demo`` plays the statement flow and its transcript shows it."""

from __future__ import annotations

import io

from bot.demo import run_demo


def test_demo_transcript_shows_both_holding_statements_approved_by_two_roles_and_published(
    tmp_path,
):
    out = io.StringIO()
    assert run_demo(out=out, workdir=tmp_path) == 0
    transcript = out.getvalue()
    for sid, language in ((1, "中文"), (2, "English")):
        assert f"Statement #{sid} · Customers · Holding statement · {language} · v1" in transcript
        assert f"@omar approved statement #{sid} v1 as Comms lead" in transcript
        assert f"@priya approved statement #{sid} v1 as Legal counsel" in transcript
        assert f"published statement #{sid} v1 for customers (holding statement" in transcript
    assert "nobody approves their own draft" in transcript
    assert "我们已成立专项小组" in transcript and "we have set up a dedicated team" in transcript
    assert "approved by @omar as Comms lead, @priya as Legal counsel; published to website" in transcript
