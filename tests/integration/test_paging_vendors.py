"""Each vendor client against its stand-in: documented payloads, signatures, refusals."""

from __future__ import annotations

import time

import httpx
import pytest

from bot.adapters.outbound.smtp import send_smtp
from bot.adapters.outbound.vendors import (
    DeliveryFailed,
    send_dingtalk,
    send_feishu,
    send_http,
    send_webhook,
    send_wecom,
)
from bot.paging_config import ChannelConfig
from tests.integration.vendor_standins import (
    CMS_SECRET,
    DING_SECRET,
    DING_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SMS_TOKEN,
    WECOM_KEY,
    SmtpServer,
    start_standins,
)

MESSAGE = {"title": "[INC-3 SS] Paging Comms lead · 呼叫传播负责人", "text": "Plain 纯文本",
           "markdown": "### INC-3\n**Comms lead · 传播负责人**", "to": "", "ack_url": ""}


@pytest.fixture
def stand():
    s = start_standins()
    yield s
    s.stop()


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as client:
        yield client


def ch(kind: str, **settings) -> ChannelConfig:
    return ChannelConfig(name=kind, type=kind, settings={"type": kind, **settings})


def test_wecom_markdown_is_accepted_and_cut_to_4096_bytes(stand, http):
    channel = ch("wecom", url=f"{stand.url}/cgi-bin/webhook/send?key={WECOM_KEY}")
    send_wecom(channel, {**MESSAGE, "markdown": "危" * 3000}, http=http, now=time.time())
    got = stand.got("wecom")[0]
    assert got["msgtype"] == "markdown"
    assert len(got["markdown"]["content"].encode()) <= 4096


def test_wecom_wrong_key_is_a_permanent_failure(stand, http):
    channel = ch("wecom", url=f"{stand.url}/cgi-bin/webhook/send?key=wrong")
    with pytest.raises(DeliveryFailed) as caught:
        send_wecom(channel, MESSAGE, http=http, now=time.time())
    assert "93000" in caught.value.message and not caught.value.retry


def test_dingtalk_signature_is_checked(stand, http):
    url = f"{stand.url}/robot/send?access_token={DING_TOKEN}"
    send_dingtalk(ch("dingtalk", url=url, secret=DING_SECRET),
                  {**MESSAGE, "to": "13800000000"}, http=http, now=time.time())
    got = stand.got("dingtalk")[0]
    assert got["markdown"]["title"] == MESSAGE["title"] and got["at"]["atMobiles"] == ["13800000000"]
    with pytest.raises(DeliveryFailed) as caught:
        send_dingtalk(ch("dingtalk", url=url, secret="SECwrong"), MESSAGE, http=http,
                      now=time.time())
    assert "310000" in caught.value.message and not caught.value.retry
    with pytest.raises(DeliveryFailed, match="310000"):  # two hours late: refused
        send_dingtalk(ch("dingtalk", url=url, secret=DING_SECRET), MESSAGE, http=http,
                      now=time.time() - 7200)


def test_feishu_signature_is_checked(stand, http):
    url = f"{stand.url}/open-apis/bot/v2/hook/{FEISHU_HOOK}"
    send_feishu(ch("feishu", url=url, secret=FEISHU_SECRET), MESSAGE, http=http, now=time.time())
    got = stand.got("feishu")[0]
    assert got["msg_type"] == "text" and got["content"]["text"] == "Plain 纯文本"
    with pytest.raises(DeliveryFailed) as caught:
        send_feishu(ch("feishu", url=url, secret="wrong"), MESSAGE, http=http, now=time.time())
    assert "19021" in caught.value.message


def test_sms_gateway_body_is_rendered_in_the_sandbox(stand, http, monkeypatch):
    monkeypatch.setenv("SMS_AUTH_TEST", f"Bearer {SMS_TOKEN}")
    channel = ch("http", url=f"{stand.url}/sms/send", headers={"Authorization": "env:SMS_AUTH_TEST"},
                 body='{"to": {{ to|tojson }}, "text": {{ (title ~ " " ~ text)|tojson }}}')
    send_http(channel, {**MESSAGE, "to": "+8613900000000", "text": 'a "quoted" text'}, http=http,
              now=time.time())
    assert stand.got("sms")[0] == {"to": "+8613900000000",
                                    "text": MESSAGE["title"] + ' a "quoted" text'}
    evil = ch("http", url=f"{stand.url}/sms/send", body="{{ ''.__class__.__mro__ }}")
    with pytest.raises(DeliveryFailed, match="template") as caught:
        send_http(evil, MESSAGE, http=http, now=time.time())
    assert not caught.value.retry


def test_a_5xx_is_retryable(stand, http):
    stand.fail_next["sms"] = 1
    channel = ch("http", url=f"{stand.url}/sms/send", body="{}")
    with pytest.raises(DeliveryFailed) as caught:
        send_http(channel, MESSAGE, http=http, now=time.time())
    assert caught.value.retry and "503" in caught.value.message


def test_signed_webhook_is_verified_by_the_receiver(stand, http):
    send_webhook(ch("webhook", url=f"{stand.url}/cms/hook", secret=CMS_SECRET),
                 {"document": {"statement": 3, "text": "我们已确认"}}, http=http, now=time.time())
    assert stand.got("cms") == [{"statement": 3, "text": "我们已确认"}]
    with pytest.raises(DeliveryFailed) as caught:
        send_webhook(ch("webhook", url=f"{stand.url}/cms/hook", secret="other"),
                     {"document": {}}, http=http, now=time.time())
    assert "401" in caught.value.message and not caught.value.retry


def test_email_goes_to_a_real_smtp_server():
    smtp = SmtpServer()
    try:
        send_smtp(ch("smtp", host="127.0.0.1", port=smtp.port, **{"from": "bot@acme.example"}),
                  {**MESSAGE, "to": "a@acme.example, b@acme.example"})
        assert smtp.messages[0]["to"] == ["a@acme.example", "b@acme.example"]
        assert "Subject:" in smtp.messages[0]["data"] and "Plain" in smtp.messages[0]["data"]
        with pytest.raises(DeliveryFailed, match="no e-mail address"):
            send_smtp(ch("smtp", host="127.0.0.1", port=smtp.port, **{"from": "bot@acme.example"}),
                      MESSAGE)
    finally:
        smtp.stop()
