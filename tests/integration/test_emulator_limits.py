"""The emulator is as strict as Slack: rate tiers, UTF-16 field limits, the block-text budget,
40k text truncation, multi-user invites, private channels and scopes — over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.api_methods import API_METHODS, required_scopes
from bot.sandbox import SlackEmulator
from bot.sandbox.ratelimit import METHOD_TIERS
from tests.integration.slack_world import MANIFEST


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> Iterator[SlackEmulator]:
    with SlackEmulator(clock=clock) as emulator:
        for uid in ("U1", "U2", "U3"):
            emulator.add_user(uid, name=uid.lower())
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(base_url=emu.api_url, token=emu.token, retry_handlers=[])


def error_of(call, **kwargs) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return info.value


def test_tier_2_allows_twenty_a_minute_then_429_with_retry_after(emu, client, clock):
    channel = client.conversations_create(name="inc-1")["channel"]["id"]
    for n in range(20):
        client.conversations_setTopic(channel=channel, topic=f"t{n}")
        clock.now += 1
    refused = error_of(client.conversations_setTopic, channel=channel, topic="one too many")
    assert refused.response.status_code == 429
    assert refused.response["error"] == "ratelimited"
    assert int(refused.response.headers["Retry-After"]) == 40  # the first call leaves the window
    clock.now += 40
    assert client.conversations_setTopic(channel=channel, topic="again")["ok"]
    assert emu.rate_limited() == 1


def test_post_message_is_limited_per_channel_with_a_short_burst(emu, client, clock):
    one = client.conversations_create(name="inc-1")["channel"]["id"]
    two = client.conversations_create(name="inc-2")["channel"]["id"]
    for n in range(4):
        client.chat_postMessage(channel=one, text=str(n))
    refused = error_of(client.chat_postMessage, channel=one, text="fifth")
    assert refused.response.status_code == 429 and refused.response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel=two, text="another channel is not held back")["ok"]
    clock.now += 1
    assert client.chat_postMessage(channel=one, text="a second later")["ok"]


def test_every_method_the_bot_calls_has_its_documented_tier():
    for method, spec in API_METHODS.items():
        if spec.per_minute is None:
            assert method == "chat.postMessage"
        else:
            assert {2: 20, 3: 50, 4: 100}[METHOD_TIERS[method]] == spec.per_minute, method


def test_lengths_are_utf16_units_and_any_field_over_its_limit_is_invalid_blocks(emu, client):
    channel = client.conversations_create(name="inc-1")["channel"]["id"]
    chinese = "中" * 150  # 150 units: fits the header
    ok = client.chat_postMessage(channel=channel, text="x", blocks=[
        {"type": "header", "text": {"type": "plain_text", "text": chinese}}])
    assert ok["ok"]
    emoji = "😀" * 76  # 76 code points, 152 UTF-16 units
    refused = error_of(client.chat_postMessage, channel=channel, text="x", blocks=[
        {"type": "header", "text": {"type": "plain_text", "text": emoji}}])
    assert refused.response["error"] == "invalid_blocks"
    assert any("/blocks/0/text" in e for e in refused.response["errors"])
    button = {"type": "actions", "elements": [{"type": "button", "action_id": "a",
                                               "text": {"type": "plain_text", "text": "b" * 76}}]}
    refused = error_of(client.chat_postMessage, channel=channel, text="x", blocks=[button])
    assert "/blocks/0/elements/0/text" in refused.response["errors"][0]


def test_block_text_over_the_budget_is_msg_blocks_too_long(clock):
    with SlackEmulator(clock=clock, block_text_budget=5000) as emu:
        client = WebClient(base_url=emu.api_url, token=emu.token, retry_handlers=[])
        channel = client.conversations_create(name="inc-1")["channel"]["id"]
        section = {"type": "section", "text": {"type": "mrkdwn", "text": "a" * 2500}}
        assert client.chat_postMessage(channel=channel, text="x", blocks=[section, section])["ok"]
        refused = error_of(client.chat_postMessage, channel=channel, text="x",
                           blocks=[section, section, {"type": "context", "elements": [
                               {"type": "mrkdwn", "text": "b"}]}])
        assert refused.response["error"] == "msg_blocks_too_long"


def test_text_over_40000_is_truncated_not_refused(emu, client):
    channel = client.conversations_create(name="inc-1")["channel"]["id"]
    assert client.chat_postMessage(channel=channel, text="&" * 40_538)["ok"]
    assert len(emu.messages(channel)[-1]["text"]) == 40_000


def test_invite_takes_many_users_and_reports_each_one(emu, client):
    channel = client.conversations_create(name="inc-1")["channel"]["id"]
    client.conversations_invite(channel=channel, users="U1")
    refused = error_of(client.conversations_invite, channel=channel, users="U1,U2,UBOT,UNOPE")
    assert refused.response["error"] == "cant_invite_self"
    errors = {e["user"]: e["error"] for e in refused.response["errors"]}
    assert errors == {"U1": "already_in_channel", "UBOT": "cant_invite_self",
                      "UNOPE": "user_not_found"}
    forced = client.conversations_invite(channel=channel, users="U1,U2,U3,UBOT,UNOPE", force=True)
    assert set(emu.channel_by_name("inc-1")["members"]) == {"UBOT", "U1", "U2", "U3"}
    assert {e["user"] for e in forced["errors"]} == {"U1", "UBOT", "UNOPE"}
    too_many = ",".join(f"U{n}" for n in range(1001))
    assert error_of(client.conversations_invite, channel=channel,
                    users=too_many).response["error"] == "too_many_users"


def test_private_channels_are_invisible_to_non_members_and_need_group_scopes(clock):
    with SlackEmulator(clock=clock, scopes=["channels:manage", "chat:write"]) as emu:
        client = WebClient(base_url=emu.api_url, token=emu.token, retry_handlers=[])
        refused = error_of(client.conversations_create, name="inc-secret", is_private=True)
        assert refused.response["error"] == "missing_scope"
        assert refused.response["needed"] == "groups:write"
        assert client.conversations_create(name="inc-open")["ok"]
        channel = client.conversations_create(name="inc-open-2")["channel"]["id"]
        refused = error_of(client.pins_add, channel=channel, timestamp="1.000001")
        assert refused.response["error"] == "missing_scope" and refused.response["needed"] == "pins:write"
    with SlackEmulator(clock=clock) as emu:
        client = WebClient(base_url=emu.api_url, token=emu.token, retry_handlers=[])
        created = client.conversations_create(name="inc-secret", is_private=True)["channel"]
        assert created["is_private"] is True
        hidden = emu.add_channel("elsewhere", is_private=True)
        assert error_of(client.conversations_info, channel=hidden).response["error"] == \
            "channel_not_found"


def test_the_manifest_asks_for_exactly_the_scopes_the_bot_uses():
    manifest = yaml.safe_load(Path(MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(required_scopes())
    # Scopes the first release asked for and never used stay out.
    assert {"users:read.email", "bookmarks:write", "channels:join",
            "chat:write.public"}.isdisjoint(required_scopes())


def test_apps_connections_open_takes_only_the_app_level_token(emu):
    bot = WebClient(base_url=emu.api_url, token=emu.token, retry_handlers=[])
    assert error_of(bot.apps_connections_open, app_token=emu.token).response["error"] == \
        "not_allowed_token_type"
    url = bot.apps_connections_open(app_token=emu.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:") and "ticket=" in url
    app = WebClient(base_url=emu.api_url, token=emu.app_token, retry_handlers=[])
    assert error_of(app.auth_test).response["error"] == "not_allowed_token_type"
