"""Wording of the bounded worker pool that runs acknowledged work."""

from __future__ import annotations

#: A button click arrived while the pool was full; nothing was changed.
BUSY = (":hourglass: crisisbot is very busy right now and did not take this click; nothing was "
        "changed. Please click again in a moment. / crisisbot 当前非常繁忙，未处理此次点击，"
        "未做任何更改。请稍后再点一次。")
