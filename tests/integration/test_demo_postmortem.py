"""`crisisbot demo` ends with the post-mortem posted and its files written in the workdir."""

from __future__ import annotations

import io
import json

from bot.demo import run_demo


def test_demo_ends_by_posting_the_postmortem_and_printing_where_its_files_are(tmp_path):
    out = io.StringIO()
    assert run_demo(out=out, workdir=tmp_path) == 0
    text = out.getvalue()
    folder = tmp_path / "postmortem"
    names = ("INC-1-postmortem-v1.md", "INC-1-postmortem-v1.html", "INC-1-postmortem-v1.json")
    assert "*Post-mortem INC-1 (v1)*" in text
    tail = text[text.index(f"The demo's files are in {tmp_path}:"):]
    for name in names:
        assert str(folder / name) in tail
    assert (folder / names[0]).read_text(encoding="utf-8").startswith("# Post-mortem — INC-1")
    assert "<svg" in (folder / names[1]).read_text(encoding="utf-8")
    data = json.loads((folder / names[2]).read_text(encoding="utf-8"))
    assert data["followups"][0]["owner"] == "UOMAR"
    assert data["notes"]["lesson"][0]["text"] == "keep third-party test reports ready to publish"
