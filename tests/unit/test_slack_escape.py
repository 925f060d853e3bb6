"""User text can never become a Slack broadcast, mention or link."""

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.escape import (
    WORD_JOINER,
    channel_link,
    escape_mrkdwn,
    link,
    mention,
    one_line,
    plain_text_safe,
    truncate,
)


def test_ampersand_is_escaped_first_so_entities_are_not_double_read():
    assert escape_mrkdwn("R&D <b>") == "R&amp;D &lt;b&gt;"


def test_channel_broadcast_sequence_is_escaped():
    assert "<!channel>" not in escape_mrkdwn("<!channel> boom")
    assert escape_mrkdwn("<!channel>") == "&lt;!channel&gt;"


def test_here_and_everyone_sequences_are_escaped():
    assert escape_mrkdwn("<!here> <!everyone>") == "&lt;!here&gt; &lt;!everyone&gt;"


def test_user_and_channel_mentions_are_escaped():
    assert escape_mrkdwn("<@U999> in <#C123>") == "&lt;@U999&gt; in &lt;#C123&gt;"


def test_links_are_escaped():
    assert escape_mrkdwn("<https://evil.example|click>") == "&lt;https://evil.example|click&gt;"


def test_bare_at_channel_word_gets_a_word_joiner():
    assert escape_mrkdwn("ping @channel now") == f"ping @{WORD_JOINER}channel now"


def test_bare_at_here_and_everyone_are_neutralised_case_insensitively():
    assert escape_mrkdwn("@HERE @Everyone") == f"@{WORD_JOINER}HERE @{WORD_JOINER}Everyone"


def test_at_words_that_only_start_like_broadcasts_are_left_alone():
    assert escape_mrkdwn("@channels @hereford") == "@channels @hereford"


def test_email_like_text_is_unchanged():
    assert escape_mrkdwn("ops@example.com") == "ops@example.com"


def test_none_is_escaped_as_empty_text():
    assert escape_mrkdwn(None) == ""  # type: ignore[arg-type]


@given(st.text())
def test_escaped_text_never_contains_angle_brackets(text):
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped


@given(st.text())
def test_escaped_text_never_contains_a_live_broadcast_word(text):
    escaped = escape_mrkdwn(text).lower()
    for word in ("@channel", "@here", "@everyone"):
        assert word not in escaped


def test_plain_text_replaces_angle_brackets_with_look_alikes():
    assert plain_text_safe("<!channel> boom <@U999>") == "‹!channel› boom ‹@U999›"


def test_plain_text_neutralises_bare_broadcast_words():
    assert plain_text_safe("@here") == f"@{WORD_JOINER}here"


def test_mention_of_a_user_id_is_a_real_mention():
    assert mention("U123ABC") == "<@U123ABC>"


def test_mention_of_an_enterprise_user_id_is_a_real_mention():
    assert mention("W0123XYZ") == "<@W0123XYZ>"


def test_mention_of_a_malformed_id_is_escaped_text():
    assert mention("<!channel>") == "&lt;!channel&gt;"


def test_mention_of_a_lowercase_name_is_not_a_mention():
    assert mention("maria") == "maria"


def test_mention_of_a_system_actor_names_the_bot():
    assert mention("system:monitor") == "_crisisbot (monitor)_"


def test_mention_of_a_system_actor_escapes_its_name():
    assert mention("system:<!here>") == "_crisisbot (&lt;!here&gt;)_"


def test_mention_of_nobody_says_unknown():
    assert mention("") == "_unknown_"


def test_channel_link_of_a_channel_id_is_a_link():
    assert channel_link("C0123ABC") == "<#C0123ABC>"


def test_channel_link_of_a_name_is_escaped_text():
    assert channel_link("<!here>") == "&lt;!here&gt;"


def test_link_to_an_https_url_keeps_an_escaped_label():
    assert link("https://x.slack.com/p1", "a <b>|c") == "<https://x.slack.com/p1|a &lt;b&gt;¦c>"


def test_link_to_a_non_http_url_is_just_the_label():
    assert link("javascript:alert(1)", "original") == "original"


def test_one_line_collapses_newlines():
    assert one_line(" a\n\n b\tc ") == "a b c"


def test_truncate_keeps_short_text():
    assert truncate("short", 10) == "short"


def test_truncate_ends_with_an_ellipsis_within_the_limit():
    cut = truncate("x" * 50, 10)
    assert len(cut) <= 10 and cut.endswith("…")


def test_truncate_never_cuts_inside_an_entity():
    cut = truncate("abcdef &amp; tail", 10)
    assert cut == "abcdef …"


def test_truncate_never_cuts_inside_a_mention():
    cut = truncate("hello <@U12345678> there", 12)
    assert "<" not in cut
