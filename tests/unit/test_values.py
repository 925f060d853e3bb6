"""Value parsing: durations, impact figures, roles and severities."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.durations import format_duration, parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.impact import parse_impact
from bot.domain.roles import ROLE_LABELS, Actor, Role
from bot.domain.severity import ApprovalRule, Severity
from bot.domain.text import Lang, LocalText

# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    "text, expected",
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("1h", timedelta(hours=1)),
        ("2h30m", timedelta(hours=2, minutes=30)),
        ("3d", timedelta(days=3)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        (" 2H 30M ", timedelta(hours=2, minutes=30)),
        ("72h", timedelta(hours=72)),
        ("0h15m", timedelta(minutes=15)),
    ],
)
def test_parse_duration_reads_compact_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "30", "h", "1.5h", "1w", "-1h", "abc", "1h-", "ten minutes"]
)
def test_parse_duration_refuses_malformed_text_showing_the_syntax(text):
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert "2h30m" in str(info.value)


@pytest.mark.parametrize("text", ["0m", "0h0m", "0s"])
def test_parse_duration_refuses_zero(text):
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert "longer than zero" in str(info.value)


@pytest.mark.parametrize(
    "delta, expected",
    [
        (timedelta(seconds=0), "0s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(seconds=90), "1m"),
        (timedelta(minutes=30), "30m"),
        (timedelta(hours=1, minutes=5), "1h5m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=1, hours=2, minutes=3), "1d2h3m"),
        (timedelta(days=1, minutes=1), "1d1m"),
        (timedelta(minutes=-15), "-15m"),
        (timedelta(seconds=-30), "-30s"),
        (-timedelta(hours=1, minutes=30), "-1h30m"),
    ],
)
def test_format_duration_is_compact(delta, expected):
    assert format_duration(delta) == expected


# Over a minute, seconds are deliberately dropped (90s formats as 1m, see above).
@pytest.mark.parametrize("text", ["45s", "30m", "1h", "2h30m", "3d", "1d2h3m"])
def test_formatting_a_parsed_duration_gives_back_an_equivalent_duration(text):
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)


# ------------------------------------------------------------------ impact


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("1_200", 1200),
        ("1.2k", 1200),
        ("2.5K", 2500),
        ("3m", 3_000_000),
        ("0", 0),
        (" 42 ", 42),
    ],
)
def test_counts_accept_plain_grouped_and_suffixed_whole_numbers(value, expected):
    assert parse_impact({"orders": value}) == {"orders": expected}
    assert parse_impact({"customers": value}) == {"customers": expected}


@pytest.mark.parametrize("value", ["-5", "1.5", "many", "k", "1.2.3", "12x"])
def test_counts_refuse_negative_fractional_and_non_numbers(value):
    with pytest.raises(InvalidInput) as info:
        parse_impact({"orders": value})
    assert f"`orders={value}`" in info.value.message


@pytest.mark.parametrize(
    "value, expected",
    [
        ("350000", 350000),
        ("1.2m", 1_200_000),
        ("12.5", 12.5),
        ("USD 12000", {"amount": 12000, "currency": "USD"}),
        ("usd12000", {"amount": 12000, "currency": "USD"}),
        ("12000 eur", {"amount": 12000, "currency": "EUR"}),
        ("$1.5k", {"amount": 1500, "currency": "$"}),
        ("¥2,000,000", {"amount": 2_000_000, "currency": "¥"}),
        ("€ 99.5", {"amount": 99.5, "currency": "€"}),
    ],
)
def test_revenue_accepts_amounts_with_optional_currency(value, expected):
    assert parse_impact({"revenue": value}) == {"revenue": expected}


@pytest.mark.parametrize("value", ["-100", "lots", "USD", "12 dollars", "1.2.3", "US 100"])
def test_revenue_refuses_what_is_not_an_amount(value):
    with pytest.raises(InvalidInput) as info:
        parse_impact({"revenue": value})
    assert "revenue" in info.value.message


def test_regions_are_a_comma_separated_list():
    assert parse_impact({"regions": " east, north ,,west "}) == {
        "regions": ["east", "north", "west"]
    }


def test_regions_need_at_least_one_region():
    with pytest.raises(InvalidInput) as info:
        parse_impact({"regions": ", ,"})
    assert "at least one region" in info.value.message


def test_other_keys_are_kept_as_numbers_when_they_read_as_numbers_else_as_text():
    assert parse_impact({"refunds": "3.5k", "ratio": "0.25", "carrier": "SF Express"}) == {
        "refunds": 3500,
        "ratio": 0.25,
        "carrier": "SF Express",
    }


def test_keys_are_lowercased_and_trimmed():
    assert parse_impact({" Orders ": "5"}) == {"orders": 5}


@pytest.mark.parametrize("key", ["1orders", "order-count", "_x", "a" * 41, "订单"])
def test_invalid_keys_are_refused(key):
    with pytest.raises(InvalidInput) as info:
        parse_impact({key: "5"})
    assert "not a valid key" in info.value.message


def test_a_key_without_a_value_is_refused():
    with pytest.raises(InvalidInput) as info:
        parse_impact({"orders": "  "})
    assert "`orders` has no value" in info.value.message


def test_no_figures_at_all_is_refused_with_an_example():
    with pytest.raises(InvalidInput) as info:
        parse_impact({})
    assert "orders=1200" in info.value.message


def test_every_bad_pair_is_named_in_one_refusal():
    with pytest.raises(InvalidInput) as info:
        parse_impact({"orders": "-1", "revenue": "lots", "regions": ",", "ok": "1"})
    message = info.value.message
    assert message.startswith("Impact not recorded: ")
    for fragment in ("`orders=-1`", "`revenue=lots`", "`regions=,`"):
        assert fragment in message
    assert "`ok" not in message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"orders": "2.05m"}, {"orders": 2_050_000}),
        ({"customers": "4.02k"}, {"customers": 4020}),
        ({"revenue": "1.001k"}, {"revenue": 1001}),
    ],
)
def test_suffixed_figures_are_read_exactly(raw, expected):
    assert parse_impact(raw) == expected


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize(
    "text, role",
    [
        ("commander", Role.COMMANDER),
        ("Comms", Role.COMMS),
        ("  LEGAL ", Role.LEGAL),
        ("cs", Role.CS),
        ("exec", Role.EXEC),
        ("Spokesperson", Role.SPOKESPERSON),
    ],
)
def test_role_parse_is_case_and_space_insensitive(text, role):
    assert Role.parse(text) is role


@pytest.mark.parametrize("text", ["", "boss", "executive", "comms lead"])
def test_role_parse_refuses_unknown_roles_listing_the_known_ones(text):
    with pytest.raises(ValueError) as info:
        Role.parse(text)
    message = str(info.value)
    assert f"`{text}`" in message
    for role in Role:
        assert role.value in message


def test_there_are_nine_roles_each_with_labels_in_both_languages():
    assert len(Role) == 9
    assert set(ROLE_LABELS) == set(Role)
    assert all(en and zh for en, zh in ROLE_LABELS.values())


def test_system_actors_are_recognised_by_their_id_prefix():
    monitor = Actor.system("monitor")
    assert monitor.id == "system:monitor"
    assert monitor.is_system
    assert not Actor("U123").is_system
    assert Actor("U123").roles == frozenset()


# ------------------------------------------------------------------ severities


@pytest.mark.parametrize(
    "text, severity",
    [
        ("SS", Severity.SS),
        ("ss", Severity.SS),
        (" s ", Severity.S),
        ("a", Severity.A),
        ("A", Severity.A),
    ],
)
def test_severity_parse_is_case_and_space_insensitive(text, severity):
    assert Severity.parse(text) is severity


@pytest.mark.parametrize("text", ["", "B", "SSS", "high", "1"])
def test_severity_parse_refuses_unknown_levels(text):
    with pytest.raises(ValueError) as info:
        Severity.parse(text)
    assert "use SS, S or A" in str(info.value)


def test_severity_rank_orders_ss_above_s_above_a():
    assert (Severity.SS.rank, Severity.S.rank, Severity.A.rank) == (3, 2, 1)
    assert sorted(Severity, key=lambda s: s.rank, reverse=True) == [
        Severity.SS,
        Severity.S,
        Severity.A,
    ]


def test_approval_rule_describes_roles_or_a_head_count():
    assert ApprovalRule(roles=(Role.COMMS, Role.LEGAL)).describe() == "comms + legal"
    assert ApprovalRule(people=2).describe() == "2 different people"


# ------------------------------------------------------------------ local text


def test_local_text_picks_the_language_and_defaults_to_english():
    text = LocalText("Team assembled", "团队集结")
    assert text.get() == "Team assembled"
    assert text.get(Lang.ZH) == "团队集结"
    assert text.get("zh") == "团队集结"
    assert text.get("en") == "Team assembled"
    assert str(text) == "Team assembled"


def test_a_long_impact_value_is_refused_with_a_clear_message():
    with pytest.raises(InvalidInput) as info:
        parse_impact({"comment": "&" * 8100})
    assert "`comment` is 8100 characters long" in info.value.message
    assert "/crisis note" in info.value.message
    assert parse_impact({"comment": "x" * 500}) == {"comment": "x" * 500}
