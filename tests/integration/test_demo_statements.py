"""``crisisbot demo`` plays the statement flow and its transcript shows it."""

from __future__ import annotations

import io

from bot.demo import run_demo


def test_demo_transcript_shows_the_holding_statements_approved_by_two_roles_and_published(
    tmp_path,
):
    out = io.StringIO()
    assert run_demo(out=out, workdir=tmp_path) == 0
    transcript = out.getvalue()
    for sid, language in ((1, "中文"), (2, "English"), (3, "繁體中文")):
        assert f"Statement #{sid} · Customers · Holding statement · {language} · v1" in transcript
        assert f"@omar approved statement #{sid} v1 as Comms lead" in transcript
        assert f"@priya approved statement #{sid} v1 as Legal counsel" in transcript
        assert f"published statement #{sid} v1 for customers (holding statement" in transcript
    assert "nobody approves their own draft" in transcript
    # progress comes from the record (the open verify-source task's pending claim), not a template
    assert "我们正在对照内部记录核实相关说法" in transcript
    assert "We are verifying the claims being made against our own records." in transcript
    # Traditional Chinese from the Chinese version of the fact, converted by OpenCC, dates named
    assert "視頻中的產品是50毫升保溼霜2411-B批次" in transcript and "（北京時間）" in transcript
    assert "approved by @omar as Comms lead, @priya as Legal counsel; published to website" in transcript
