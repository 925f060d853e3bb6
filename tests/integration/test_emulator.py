"""The Slack emulator, exercised through the real slack_sdk clients over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import SlackEmulator

TOKEN = "xoxb-emulator"


class FakeClock:
    """A settable clock, so time-based behaviour is tested without sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.step = 0.0  # seconds each reading moves time on (0: time stands still)

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(clock=clock)
    emulator.add_user("U1", name="alice", real_name="Alice A", email="Alice@Example.com",
                      tz="Europe/Paris")
    emulator.add_user("U2", name="bob", email="bob@example.com")
    with emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    # No retry handlers: every failure must surface to the test as it happened.
    return WebClient(base_url=emu.api_url, token=TOKEN, retry_handlers=[])


def api_error(call, *args, **kwargs) -> SlackApiError:  # type: ignore[no-untyped-def]
    """Run a client call that must fail and return the error."""
    with pytest.raises(SlackApiError) as info:
        call(*args, **kwargs)
    return info.value


def new_channel(client: WebClient, name: str = "inc-1") -> str:
    return client.conversations_create(name=name)["channel"]["id"]


# -- lifecycle and auth --------------------------------------------------------------


def test_start_is_idempotent_and_stop_releases_the_port(clock: FakeClock) -> None:
    emulator = SlackEmulator(clock=clock)
    assert emulator.start() is emulator
    url = emulator.api_url
    assert emulator.start().api_url == url
    assert url.startswith("http://127.0.0.1:") and url.endswith("/api/")
    emulator.stop()
    emulator.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{url}auth.test", headers={"Authorization": f"Bearer {TOKEN}"})


def test_auth_test_identifies_the_bot(client: WebClient, emu: SlackEmulator) -> None:
    response = client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["team_id"] == "T0EMU"
    assert response["bot_id"] == emu.bot_id


def test_wrong_token_is_invalid_auth_and_missing_token_not_authed(emu: SlackEmulator) -> None:
    wrong = WebClient(base_url=emu.api_url, token="xoxb-wrong", retry_handlers=[])
    assert api_error(wrong.auth_test).response["error"] == "invalid_auth"
    anonymous = WebClient(base_url=emu.api_url, retry_handlers=[])
    assert api_error(anonymous.auth_test).response["error"] == "not_authed"
    assert [r["error"] for r in emu.requests()] == ["invalid_auth", "not_authed"]


def test_unknown_method_answers_http_200_unknown_method(client: WebClient) -> None:
    error = api_error(client.api_call, "nope.nothing")
    assert error.response.status_code == 200
    assert error.response["error"] == "unknown_method"


# -- channels ------------------------------------------------------------------------


def test_create_channel_makes_the_bot_a_member(client: WebClient, emu: SlackEmulator) -> None:
    channel = client.conversations_create(name="inc-42_checkout", is_private=True)["channel"]
    assert channel["id"].startswith("C") and channel["is_private"] is True
    assert channel["is_member"] is True
    assert emu.channel_by_name("#inc-42_checkout")["members"] == ["UBOT"]
    assert api_error(client.conversations_create, name="inc-42_checkout").response[
        "error"] == "name_taken"


@pytest.mark.parametrize(("name", "error"), [
    ("Incident", "invalid_name_specials"),
    ("inc 1", "invalid_name_specials"),
    ("x" * 81, "invalid_name_maxlength"),
    ("---", "invalid_name_punctuation"),
])
def test_create_channel_rejects_names_slack_rejects(
    client: WebClient, name: str, error: str
) -> None:
    assert api_error(client.conversations_create, name=name).response["error"] == error


def test_invite_adds_members_and_reports_already_in_channel(
    client: WebClient, emu: SlackEmulator
) -> None:
    channel = new_channel(client)
    response = client.conversations_invite(channel=channel, users=["U1", "U2"])
    assert response["channel"]["num_members"] == 3
    assert emu.channel_by_name("inc-1")["members"] == ["UBOT", "U1", "U2"]

    again = api_error(client.conversations_invite, channel=channel, users="U1,U2").response
    assert again["error"] == "already_in_channel"
    assert again["errors"] == [
        {"user": "U1", "ok": False, "error": "already_in_channel"},
        {"user": "U2", "ok": False, "error": "already_in_channel"},
    ]
    missing = api_error(client.conversations_invite, channel=channel, users="U1,U404").response
    assert missing["error"] == "user_not_found"
    assert api_error(client.conversations_invite, channel=channel,
                     users="UBOT").response["error"] == "cant_invite_self"


def test_topic_purpose_bookmark_and_archive(client: WebClient, emu: SlackEmulator) -> None:
    channel = new_channel(client)
    client.conversations_setTopic(channel=channel, topic="SEV1: checkout down")
    client.conversations_setPurpose(channel=channel, purpose="Coordinate the response")
    client.bookmarks_add(channel_id=channel, title="Runbook", type="link",
                         link="https://runbooks.example.com/checkout")
    info = client.conversations_info(channel=channel)["channel"]
    assert info["topic"]["value"] == "SEV1: checkout down"
    snapshot = emu.channel_by_name("inc-1")
    assert snapshot["purpose"] == "Coordinate the response"
    assert [b["title"] for b in snapshot["bookmarks"]] == ["Runbook"]

    client.conversations_archive(channel=channel)
    assert api_error(client.conversations_archive, channel=channel).response[
        "error"] == "already_archived"
    assert api_error(client.chat_postMessage, channel=channel, text="hi").response[
        "error"] == "is_archived"


def test_posting_needs_membership_until_the_bot_joins(
    client: WebClient, emu: SlackEmulator
) -> None:
    general = emu.add_channel("general", members=["U1"])
    assert api_error(client.chat_postMessage, channel=general, text="hi").response[
        "error"] == "not_in_channel"
    client.conversations_join(channel=general)
    client.chat_postMessage(channel="#general", text="hi")
    assert [m["text"] for m in emu.messages(general)] == ["hi"]
    assert api_error(client.conversations_info, channel="C404").response[
        "error"] == "channel_not_found"


def test_conversations_list_paginates_with_cursors(client: WebClient) -> None:
    for n in range(3):
        new_channel(client, f"inc-{n}")
    first = client.conversations_list(limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_list(limit=2, cursor=cursor)
    names = [c["name"] for c in first["channels"] + second["channels"]]
    assert names == ["inc-0", "inc-1", "inc-2"]
    assert second["response_metadata"]["next_cursor"] == ""


# -- messages ------------------------------------------------------------------------


def test_post_update_permalink_and_pins(client: WebClient, emu: SlackEmulator) -> None:
    channel = new_channel(client)
    posted = client.chat_postMessage(channel="#inc-1", text="Declared SEV2")
    assert posted["channel"] == channel
    assert posted["ts"] == "1700000000.000000"
    assert posted["message"]["user"] == "UBOT"
    assert posted["message"]["bot_id"] == emu.bot_id
    ts = posted["ts"]

    updated = client.chat_update(channel=channel, ts=ts, text="Declared SEV1")
    assert updated["text"] == "Declared SEV1"
    link = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    assert link == f"https://emulator.slack.local/archives/{channel}/p1700000000000000"

    client.pins_add(channel=channel, timestamp=ts)
    assert api_error(client.pins_add, channel=channel, timestamp=ts).response[
        "error"] == "already_pinned"
    pins = client.pins_list(channel=channel)["items"]
    assert [p["message"]["ts"] for p in pins] == [ts]

    [message] = emu.messages("inc-1")
    assert message["text"] == "Declared SEV1"
    assert [e["text"] for e in message["edits"]] == ["Declared SEV2"]
    assert message["pinned"] is True
    assert api_error(client.chat_update, channel=channel, ts="1.000001",
                     text="x").response["error"] == "message_not_found"


def test_message_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    channel = new_channel(client)
    stamps = [client.chat_postMessage(channel=channel, text=str(n))["ts"] for n in range(3)]
    assert stamps == ["1700000000.000000", "1700000000.000001", "1700000000.000002"]


def test_blocks_sent_as_a_form_encoded_json_string_are_decoded(
    client: WebClient, emu: SlackEmulator
) -> None:
    channel = new_channel(client)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*SEV1*"}}]
    client.api_call("chat.postMessage",
                    params={"channel": channel, "blocks": json.dumps(blocks)})
    assert emu.messages(channel)[0]["blocks"] == blocks
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        assert api_error(client.chat_postMessage, channel=channel).response["error"] == "no_text"
    assert api_error(client.chat_postMessage, channel=channel, text="x",
                     blocks=[{"text": "no type"}]).response["error"] == "invalid_blocks"


def test_threads_history_and_replies(client: WebClient, emu: SlackEmulator) -> None:
    channel = new_channel(client)
    emu.add_channel("ops", members=["U1"])  # other channels must not leak in
    parent = client.chat_postMessage(channel=channel, text="status?")["ts"]
    client.chat_postMessage(channel=channel, text="update 1", thread_ts=parent)
    client.chat_postMessage(channel=channel, text="top level")

    history = client.conversations_history(channel=channel)["messages"]
    assert [m["text"] for m in history] == ["top level", "status?"]
    assert history[1]["reply_count"] == 1
    assert client.conversations_history(channel=channel, limit=1)["has_more"] is True
    replies = client.conversations_replies(channel=channel, ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["status?", "update 1"]


def test_ephemeral_messages_stay_out_of_history(client: WebClient, emu: SlackEmulator) -> None:
    channel = new_channel(client)
    client.conversations_invite(channel=channel, users="U1")
    response = client.chat_postEphemeral(channel=channel, user="U1", text="only you")
    assert response["message_ts"]
    assert emu.messages(channel) == []
    [ephemeral] = emu.ephemerals(channel="inc-1", user="U1")
    assert ephemeral["text"] == "only you"
    assert emu.ephemerals(user="U2") == []
    assert api_error(client.chat_postEphemeral, channel=channel, user="U2",
                     text="x").response["error"] == "user_not_in_channel"


def test_people_messages_can_be_read_and_reacted_to_but_not_edited(
    client: WebClient, emu: SlackEmulator
) -> None:
    channel = new_channel(client)
    with pytest.raises(ValueError):
        emu.add_message(channel, user="U1", text="not a member yet")
    client.conversations_invite(channel=channel, users="U1")
    ts = emu.add_message(channel, user="U1", text="checkout is down")
    [message] = client.conversations_history(channel=channel)["messages"]
    assert (message["user"], message["text"]) == ("U1", "checkout is down")
    assert "bot_id" not in message
    client.reactions_add(channel=channel, timestamp=ts, name="eyes")
    assert emu.messages(channel)[0]["reactions"] == {"eyes": ["UBOT"]}
    assert api_error(client.chat_update, channel=channel, ts=ts, text="x").response[
        "error"] == "cant_update_message"
    assert api_error(client.chat_delete, channel=channel, ts=ts).response[
        "error"] == "cant_delete_message"


def test_posting_to_a_user_id_opens_a_dm(client: WebClient, emu: SlackEmulator) -> None:
    response = client.chat_postMessage(channel="U1", text="You are incident commander")
    assert response["channel"].startswith("D")
    assert [m["text"] for m in emu.messages(response["channel"])] == [
        "You are incident commander"]
    opened = client.conversations_open(users="U1")
    assert opened["channel"]["id"] == response["channel"] and opened["already_open"] is True


def test_concurrent_posts_are_all_stored_with_unique_ts(
    client: WebClient, emu: SlackEmulator, clock: FakeClock
) -> None:
    channel = new_channel(client)
    clock.step = 1.0  # Slack's 1 message/s per channel, kept by time moving on
    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = list(pool.map(
            lambda n: client.chat_postMessage(channel=channel, text=str(n))["ts"], range(80)))
    assert len(set(stamps)) == 80
    assert sorted(m["text"] for m in emu.messages(channel)) == sorted(str(n) for n in range(80))


# -- users, views, files -------------------------------------------------------------


def test_users_lookup_by_email_and_info(client: WebClient) -> None:
    user = client.users_lookupByEmail(email="alice@example.com")["user"]
    assert user["id"] == "U1" and user["real_name"] == "Alice A"
    assert user["tz_offset"] == 3600  # Europe/Paris in November 2023
    assert api_error(client.users_lookupByEmail, email="nobody@example.com").response[
        "error"] == "users_not_found"
    assert client.users_info(user="U2")["user"]["name"] == "bob"
    assert api_error(client.users_info, user="U404").response["error"] == "user_not_found"


MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Declare"},
         "callback_id": "declare", "blocks": []}


def test_views_open_update_and_publish(client: WebClient, emu: SlackEmulator) -> None:
    trigger = emu.new_trigger_id()
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "declare"

    assert api_error(client.views_update, view_id=view["id"], hash="stale",
                     view=MODAL).response["error"] == "hash_conflict"
    renamed = {**MODAL, "title": {"type": "plain_text", "text": "Declare SEV"}}
    client.views_update(view_id=view["id"], hash=view["hash"], view=renamed)
    pushed = client.views_push(trigger_id=emu.new_trigger_id(), view=MODAL)["view"]
    assert pushed["previous_view_id"] == view["id"] and pushed["root_view_id"] == view["id"]

    home = {"type": "home", "blocks": [{"type": "section",
                                        "text": {"type": "mrkdwn", "text": "No incidents"}}]}
    client.views_publish(user_id="U1", view=home)
    [modal, _] = [v for v in emu.views() if v["type"] == "modal"]
    assert modal["title"]["text"] == "Declare SEV"
    assert modal["trigger_id"] == trigger and modal["trigger_issued"] is True
    assert emu.home_view("U1")["blocks"] == home["blocks"]
    assert emu.home_view("U2") is None
    assert api_error(client.views_open, trigger_id="", view=MODAL).response[
        "error"] == "invalid_trigger_id"


def test_files_upload_v2_end_to_end(client: WebClient, emu: SlackEmulator) -> None:
    channel = new_channel(client)
    response = client.files_upload_v2(content="timeline...", channel=channel,
                                      filename="timeline.md", title="Timeline",
                                      initial_comment="Post-mortem draft")
    file_id = response["file"]["id"]
    [stored] = emu.files()
    assert stored["id"] == file_id
    assert stored["content"] == b"timeline..."
    assert stored["title"] == "Timeline" and stored["channels"] == [channel]
    [message] = emu.messages(channel)
    assert message["files"] == [file_id] and message["text"] == "Post-mortem draft"
    assert client.files_info(file=file_id)["file"]["channels"] == [channel]


# -- response URLs -------------------------------------------------------------------


def test_response_url_posts_are_applied_and_recorded(
    client: WebClient, emu: SlackEmulator
) -> None:
    channel = new_channel(client)
    url = emu.new_response_url(channel=channel, user="U1")
    with httpx.Client() as http:
        assert http.post(url, json={"text": "Only you see this"}).json() == {"ok": True}
        http.post(url, json={"response_type": "in_channel", "text": "Declared"})
        assert [e["text"] for e in emu.ephemerals(user="U1")] == ["Only you see this"]
        assert [m["text"] for m in emu.messages(channel)] == ["Declared"]

        ts = emu.messages(channel)[0]["ts"]
        button = emu.new_response_url(channel=channel, user="U1", message_ts=ts)
        http.post(button, json={"replace_original": True, "text": "Acknowledged"})
        assert emu.messages(channel)[0]["text"] == "Acknowledged"
        http.post(button, json={"delete_original": True})
        assert emu.messages(channel) == []

    posts = emu.response_url_posts()
    assert [(p["status"], p["user"]) for p in posts] == [(200, "U1")] * 4
    assert posts[0]["payload"] == {"text": "Only you see this"}


def test_response_url_limits_uses_and_rejects_bad_payloads(
    emu: SlackEmulator, client: WebClient
) -> None:
    url = emu.new_response_url(channel=new_channel(client), user="U1")
    with httpx.Client() as http:
        bad = http.post(url, content=b"not json", headers={"Content-Type": "application/json"})
        assert (bad.status_code, bad.json()["error"]) == (400, "invalid_payload")
        for _ in range(5):
            assert http.post(url, json={"text": "again"}).status_code == 200
        used = http.post(url, json={"text": "sixth"})
        assert (used.status_code, used.json()["error"]) == (404, "used_url")
        unknown = http.post(f"{emu.base_url}/actions/T0EMU/R404", json={"text": "x"})
        assert unknown.status_code == 404


def test_response_urls_expire_after_thirty_minutes(
    client: WebClient, emu: SlackEmulator, clock: FakeClock
) -> None:
    url = emu.new_response_url(channel=new_channel(client), user="U1")
    clock.advance(30 * 60)
    expired = httpx.post(url, json={"text": "late"})
    assert (expired.status_code, expired.json()["error"]) == (404, "expired_url")


# -- fault injection -----------------------------------------------------------------


def test_429_carries_retry_after_to_the_client(client: WebClient, emu: SlackEmulator) -> None:
    channel = new_channel(client)
    emu.fail_next("chat.postMessage", status=429, retry_after=7)
    client.auth_test()  # other methods are unaffected
    error = api_error(client.chat_postMessage, channel=channel, text="hi")
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    client.chat_postMessage(channel=channel, text="hi")  # the fault was used up
    assert [r["http_status"] for r in emu.requests("chat.postMessage")] == [429, 200]


def test_429_defaults_retry_after_to_one_second(client: WebClient, emu: SlackEmulator) -> None:
    emu.fail_next(status=429)
    assert api_error(client.auth_test).response.headers["Retry-After"] == "1"


def test_5xx_faults_count_down(client: WebClient, emu: SlackEmulator) -> None:
    emu.fail_next(status=503, count=2)
    for _ in range(2):
        error = api_error(client.auth_test)
        assert error.response.status_code == 503
        assert error.response["error"] == "service_unavailable"
    assert client.auth_test()["ok"] is True


def test_ok_false_error_injection(client: WebClient, emu: SlackEmulator) -> None:
    emu.fail_next("conversations.create", status=200, error="restricted_action")
    error = api_error(client.conversations_create, name="inc-1")
    assert (error.response.status_code, error.response["error"]) == (200, "restricted_action")
    assert emu.channels() == []


def test_fail_for_uses_the_injected_clock(
    client: WebClient, emu: SlackEmulator, clock: FakeClock
) -> None:
    emu.fail_for(10, status=500)
    assert api_error(client.auth_test).response.status_code == 500
    clock.advance(9.9)
    assert api_error(client.auth_test).response["error"] == "internal_error"
    clock.advance(0.1)
    assert client.auth_test()["ok"] is True


def test_clear_faults_disarms_everything(client: WebClient, emu: SlackEmulator) -> None:
    emu.fail_next(count=3)
    emu.fail_for(60, status=429)
    emu.clear_faults()
    assert client.auth_test()["ok"] is True


def test_fault_arguments_are_validated(emu: SlackEmulator) -> None:
    with pytest.raises(ValueError):
        emu.fail_next(status=200)
    with pytest.raises(ValueError):
        emu.fail_next(count=0)


# -- observation ---------------------------------------------------------------------


def test_request_log_records_args_without_the_token(
    client: WebClient, emu: SlackEmulator, clock: FakeClock
) -> None:
    client.conversations_create(name="inc-1")
    [entry] = emu.requests()
    assert entry == {"method": "conversations.create", "args": {"name": "inc-1"},
                     "time": clock.now, "http_status": 200, "ok": True, "error": None}


def test_max_channel_rate_measures_the_busiest_window(
    client: WebClient, emu: SlackEmulator, clock: FakeClock
) -> None:
    paced, bursty = new_channel(client, "paced"), new_channel(client, "bursty")
    assert emu.max_channel_rate() == 0.0
    for _ in range(4):
        client.chat_postMessage(channel=paced, text="tick")
        clock.advance(1.0)
    assert emu.max_channel_rate() == 1.0
    for _ in range(3):
        client.chat_postMessage(channel=bursty, text="burst")
        clock.advance(0.25)
    assert emu.max_channel_rate() == 3.0
    assert emu.max_channel_rate(window=2.0) == 1.5


# -- async client --------------------------------------------------------------------


def test_async_client_works_against_the_emulator(emu: SlackEmulator) -> None:
    async def scenario() -> tuple[list[str], SlackApiError]:
        client = AsyncWebClient(base_url=emu.api_url, token=TOKEN, retry_handlers=[])
        channel = (await client.conversations_create(name="inc-async"))["channel"]["id"]
        await client.conversations_invite(channel=channel, users="U1")
        await client.chat_postMessage(channel=channel, text="hello")
        await client.files_upload_v2(content=b"\x00\x01", channel=channel, filename="a.bin")
        history = await client.conversations_history(channel=channel)
        emu.fail_next("auth.test", status=429, retry_after=3)
        with pytest.raises(SlackApiError) as info:
            await client.auth_test()
        return [m["text"] for m in history["messages"]], info.value

    texts, error = asyncio.run(scenario())
    assert texts == ["", "hello"]  # the file share message is newest
    assert emu.files()[0]["content"] == b"\x00\x01"
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "3"
