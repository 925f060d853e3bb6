"""The `/crisis` parser: every subcommand, every error path, and no crash on any text."""

from dataclasses import FrozenInstanceError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.slack.commands import (
    COMMAND,
    AssignRole,
    CrisisCommand,
    Declare,
    FactAdd,
    FactConfirm,
    FactRetract,
    Help,
    Impact,
    Note,
    Postmortem,
    Resolve,
    SetSeverity,
    Stage,
    Statement,
    Status,
    TaskAdd,
    TaskAssign,
    TaskDone,
    Timeline,
    UnknownCommand,
    parse,
    parse_command,
)
from bot.domain.errors import InvalidInput
from bot.domain.roles import Role
from bot.domain.severity import Severity


def error_of(text: str) -> str:
    with pytest.raises(InvalidInput) as info:
        parse_command(text)
    return info.value.message


# ------------------------------------------------------------------ help


def test_empty_text_is_help():
    assert parse_command("") == Help()


def test_whitespace_only_is_help():
    assert parse_command("   \n ") == Help()


def test_help_word_is_help():
    assert parse_command("help") == Help()


def test_help_takes_a_topic():
    assert parse_command("help Task") == Help(topic="task")


def test_the_command_name_is_crisis():
    assert COMMAND == "/crisis"


def test_parse_is_an_alias_of_parse_command():
    assert parse("status") == Status()


# ------------------------------------------------------------------ incident reference


def test_leading_incident_reference_is_read():
    assert parse_command("INC-7 status") == Status(incident=7)


def test_incident_reference_is_case_insensitive():
    assert parse_command("inc-12 timeline") == Timeline(incident=12)


def test_incident_reference_alone_means_status():
    assert parse_command("INC-3") == Status(incident=3)


def test_commands_without_reference_have_no_incident():
    assert parse_command("status").incident is None


def test_malformed_incident_reference_is_refused_with_the_right_form():
    assert "`INC-7`" in error_of("INC-x status")


def test_incident_zero_is_refused():
    assert "not an incident id" in error_of("INC-0 status")


def test_declare_with_an_incident_reference_is_refused():
    assert "drop the incident id" in error_of("INC-7 declare Checkout down")


# ------------------------------------------------------------------ declare


def test_declare_takes_a_title():
    assert parse_command("declare Checkout failing") == Declare(title="Checkout failing")


def test_declare_reads_severity_and_type_anywhere():
    parsed = parse_command("declare sev:SS Checkout type:service_logistics failing")
    assert parsed == Declare(
        title="Checkout failing", severity=Severity.SS, crisis_type="service_logistics"
    )


def test_declare_severity_is_case_insensitive():
    assert parse_command("declare Boom sev:s").severity is Severity.S


def test_declare_accepts_a_space_after_the_option_colon():
    assert parse_command("declare Boom sev: A").severity is Severity.A


def test_declare_type_is_lowercased():
    assert parse_command("declare Boom type:Data_Security").crisis_type == "data_security"


def test_declare_without_title_opens_the_modal():
    parsed = parse_command("declare")
    assert parsed == Declare(title="") and parsed.opens_modal


def test_declare_with_only_options_still_opens_the_modal_with_them():
    parsed = parse_command("declare sev:S")
    assert parsed.opens_modal and parsed.severity is Severity.S


def test_declare_with_bad_severity_names_the_valid_ones():
    assert "use SS, S or A" in error_of("declare Boom sev:X")


def test_declare_with_empty_type_asks_for_a_playbook():
    assert "needs a playbook name" in error_of("declare Boom type:")


def test_declare_with_repeated_severity_is_refused():
    assert "only once" in error_of("declare Boom sev:S sev:A")


def test_declare_title_turns_slack_mentions_back_into_text():
    assert parse_command("declare <!channel> boom <@U999|eve>").title == "@channel boom @eve"


def test_declare_title_unescapes_slack_entities():
    assert parse_command("declare Fish &amp; chips &lt;3").title == "Fish & chips <3"


# ------------------------------------------------------------------ status, sev, role


def test_status():
    assert parse_command("status") == Status()


def test_status_with_extra_words_says_to_type_it_alone():
    assert "type just `/crisis status`" in error_of("status now")


def test_sev_takes_a_severity_and_a_reason():
    assert parse_command("sev SS trending nationwide") == SetSeverity(
        severity=Severity.SS, reason="trending nationwide"
    )


def test_sev_without_reason_has_an_empty_reason():
    assert parse_command("sev a") == SetSeverity(severity=Severity.A)


def test_severity_is_an_alias_of_sev():
    assert parse_command("severity S") == SetSeverity(severity=Severity.S)


def test_sev_without_level_shows_an_example():
    assert error_of("sev") == (
        "`/crisis sev` needs a severity (SS, S or A), e.g. "
        "`/crisis sev S customers complaining in two regions`."
    )


def test_sev_with_an_unknown_level_is_refused():
    assert "is not a severity" in error_of("sev B")


def test_role_with_an_escaped_mention_reads_the_user_id():
    assert parse_command("role comms <@U123ABC|maria>") == AssignRole(role=Role.COMMS, user="U123ABC")


def test_role_with_a_plain_mention_reads_the_user_id():
    assert parse_command("role Commander <@U123ABC>") == AssignRole(
        role=Role.COMMANDER, user="U123ABC"
    )


def test_role_accepts_the_person_before_the_role():
    assert parse_command("role <@U123ABC> legal") == AssignRole(role=Role.LEGAL, user="U123ABC")


def test_role_mention_label_with_spaces_is_one_token():
    assert parse_command("role cs <@U123ABC|maria lopez>").user == "U123ABC"


def test_role_without_arguments_shows_an_example():
    assert "`/crisis role comms @maria`" in error_of("role")


def test_role_without_person_asks_for_one():
    assert error_of("role comms") == "`/crisis role comms` needs a person, e.g. `/crisis role comms @maria`."


def test_role_with_unknown_role_lists_the_roles():
    message = error_of("role janitor <@U123ABC>")
    assert "commander" in message and "scribe" in message


def test_role_with_a_name_instead_of_a_mention_asks_for_autocomplete():
    assert "@ autocomplete" in error_of("role comms maria")


def test_role_with_extra_words_is_refused():
    assert "Unexpected" in error_of("role comms <@U123ABC> please")


# ------------------------------------------------------------------ stage


def test_stage_alone_shows_the_checklist():
    assert parse_command("stage") == Stage(advance=False, force=False)


def test_stage_next_advances():
    assert parse_command("stage next") == Stage(advance=True, force=False)


def test_stage_next_force_forces():
    assert parse_command("stage next force") == Stage(advance=True, force=True)


def test_stage_force_alone_also_advances():
    assert parse_command("stage force") == Stage(advance=True, force=True)


def test_stage_with_unknown_word_suggests_stage_next():
    assert "`/crisis stage next`" in error_of("stage later")


# ------------------------------------------------------------------ tasks


def test_task_done_takes_a_number():
    assert parse_command("task done 3") == TaskDone(no=3)


def test_task_done_accepts_a_hash_number():
    assert parse_command("task done #4") == TaskDone(no=4)


def test_task_done_without_number_says_what_to_type():
    assert error_of("task done") == (
        "`/crisis task done` needs a task number, e.g. `/crisis task done 3`."
    )


def test_task_done_with_a_word_says_to_write_a_number():
    assert "is not a task number" in error_of("task done three")


def test_task_done_zero_is_refused():
    assert "is not a task number" in error_of("task done 0")


def test_task_done_with_extra_words_is_refused():
    assert "Unexpected" in error_of("task done 3 4")


def test_task_add_keeps_the_text():
    assert parse_command("task add Call the logistics partner") == TaskAdd(
        text="Call the logistics partner"
    )


def test_task_add_keeps_line_breaks():
    assert parse_command("task add line one\nline two").text == "line one\nline two"


def test_task_add_without_text_shows_an_example():
    assert "`/crisis task add Call the logistics partner`" in error_of("task add")


def test_task_assign_reads_number_and_user():
    assert parse_command("task assign 3 <@U123ABC|maria>") == TaskAssign(no=3, user="U123ABC")


def test_task_assign_without_anything_asks_for_number_and_person():
    assert "needs a task number and a person" in error_of("task assign")


def test_task_assign_without_person_asks_for_one():
    assert error_of("task assign 3") == (
        "`/crisis task assign 3` needs a person, e.g. `/crisis task assign 3 @maria`."
    )


def test_task_assign_with_a_name_asks_for_a_mention():
    assert "is not a Slack user" in error_of("task assign 3 maria")


def test_task_alone_lists_the_task_actions():
    assert "`done &lt;n&gt;`, `add &lt;text&gt;` or `assign &lt;n&gt; &lt;@user&gt;`" in error_of("task")


def test_task_with_unknown_action_lists_the_actions():
    assert "is not a task action" in error_of("task finish 3")


# ------------------------------------------------------------------ facts, notes, impact


def test_fact_adds_the_text():
    assert parse_command("fact Batch 2024-11 is affected") == FactAdd(text="Batch 2024-11 is affected")


def test_fact_confirm_takes_a_number():
    assert parse_command("fact confirm 2") == FactConfirm(no=2)


def test_fact_retract_takes_a_number_and_a_reason():
    assert parse_command("fact retract 2 wrong batch") == FactRetract(no=2, reason="wrong batch")


def test_fact_retract_without_reason_has_an_empty_reason():
    assert parse_command("fact retract 2") == FactRetract(no=2)


def test_fact_without_text_shows_an_example():
    assert "`/crisis fact Batch 2024-11 is affected`" in error_of("fact")


def test_fact_confirm_without_number_shows_an_example():
    assert "`/crisis fact confirm 2`" in error_of("fact confirm")


def test_fact_retract_with_a_word_says_to_write_a_number():
    assert "is not a fact number" in error_of("fact retract two")


def test_fact_text_turns_mentions_into_names():
    assert parse_command("fact <@U123ABC|bob> saw it").text == "@bob saw it"


def test_note_keeps_the_text():
    assert parse_command("note lesson: pre-approve templates") == Note(
        text="lesson: pre-approve templates"
    )


def test_note_without_text_shows_an_example():
    assert "`/crisis note lesson: pre-approve templates`" in error_of("note")


def test_impact_reads_key_value_pairs():
    assert parse_command("impact orders=1200 customers=800") == Impact(
        figures={"orders": "1200", "customers": "800"}
    )


def test_impact_values_may_contain_spaces():
    parsed = parse_command("impact revenue=USD 350000 regions=east, north")
    assert parsed.figures == {"revenue": "USD 350000", "regions": "east, north"}


def test_impact_keys_are_lowercased():
    assert parse_command("impact Orders=5").figures == {"orders": "5"}


def test_impact_without_figures_shows_an_example():
    assert "orders=1200" in error_of("impact")


def test_impact_starting_without_a_key_is_refused():
    assert "`key=value` figures" in error_of("impact lots of orders")


def test_impact_with_an_empty_key_is_refused():
    assert "a name before each `=`" in error_of("impact =5")


# ------------------------------------------------------------------ the rest


def test_timeline():
    assert parse_command("timeline") == Timeline()


def test_timeline_takes_a_limit():
    assert parse_command("timeline 50") == Timeline(limit=50)


def test_timeline_with_a_word_is_refused():
    assert "is not a number of entries" in error_of("timeline all")


def test_resolve_without_summary():
    assert parse_command("resolve") == Resolve()


def test_resolve_with_summary():
    assert parse_command("resolve Carrier back on schedule") == Resolve(
        summary="Carrier back on schedule"
    )


def test_statement_passes_its_raw_arguments_on():
    parsed = parse_command("statement customers holding zh")
    assert parsed == Statement(args=("customers", "holding", "zh"), text="customers holding zh")


def test_statement_reject_keeps_the_reason_text():
    assert parse_command("statement reject 4 too  vague").text == "reject 4 too  vague"


def test_statement_publish_keeps_the_channel_sequence_whole():
    assert parse_command("statement publish 4 <#C123|news>").args == ("publish", "4", "<#C123|news>")


def test_postmortem():
    assert parse_command("postmortem") == Postmortem()


def test_postmortem_with_extra_words_is_refused():
    assert "takes nothing after it" in error_of("postmortem html")


def test_subcommands_are_case_insensitive():
    assert parse_command("STATUS") == Status()


def test_commands_are_frozen():
    with pytest.raises(FrozenInstanceError):
        TaskDone(no=1).no = 2  # type: ignore[misc]


# ------------------------------------------------------------------ unknown


def test_unknown_subcommand_raises_unknown_command():
    with pytest.raises(UnknownCommand):
        parse_command("dance")


def test_unknown_command_is_invalid_input():
    assert issubclass(UnknownCommand, InvalidInput)


def test_unknown_command_message_includes_the_help():
    assert "`/crisis stage next`" in error_of("dance")


def test_unknown_command_message_escapes_the_word():
    message = error_of("<!channel>")
    assert "<!channel>" not in message


def test_unknown_command_keeps_the_word():
    with pytest.raises(UnknownCommand) as info:
        parse_command("dance now")
    assert info.value.word == "dance"


# ------------------------------------------------------------------ never anything else

_WORDS = st.sampled_from([
    "INC-7", "inc-0", "INC-", "declare", "status", "sev", "role", "stage", "next", "force",
    "task", "done", "add", "assign", "fact", "confirm", "retract", "note", "impact",
    "statement", "timeline", "resolve", "postmortem", "help", "sev:", "type:", "sev:SS",
    "type:x", "=", "k=v", "a=", "=b", "<@U123ABC|x>", "<@U1>", "<!channel>", "<", ">", "&lt;",
    "#3", "3", "0", "99999999999", "commander", "²", "١", "ß", "\u0000", "\n",
])


@settings(max_examples=400)
@given(st.text())
def test_any_text_parses_or_raises_invalid_input(text):
    try:
        result = parse_command(text)
    except InvalidInput as exc:
        assert exc.message
    else:
        assert isinstance(result, CrisisCommand)


@settings(max_examples=400)
@given(st.lists(_WORDS | st.text(max_size=8), max_size=6).map(" ".join))
def test_error_messages_never_contain_raw_slack_sequences(text):
    try:
        parse_command(text)
    except InvalidInput as exc:
        assert "<" not in exc.message and ">" not in exc.message


@settings(max_examples=600)
@given(st.lists(_WORDS | st.text(max_size=8), max_size=8).map(" ".join))
def test_any_command_like_text_parses_or_raises_invalid_input(text):
    try:
        result = parse_command(text)
    except InvalidInput as exc:
        assert exc.message
    else:
        assert isinstance(result, CrisisCommand)


def test_nul_characters_are_dropped_from_command_text():
    # PostgreSQL refuses NUL in text; it must never reach the database as an unexpected error.
    assert parse_command("note a\x00b") == Note(text="ab")
    assert parse_command("\x00") == Help()


def test_followup_done_and_reopen_take_an_item_number_anything_else_is_an_item():
    from bot.adapters.slack.commands import Followup, FollowupDone, FollowupReopen

    assert parse_command("followup done 2") == FollowupDone(no=2)
    assert parse_command("INC-7 followup done #3") == FollowupDone(no=3, incident=7)
    assert parse_command("followup reopen 1") == FollowupReopen(no=1)
    assert parse_command("followup done with the audit") == Followup(text="done with the audit")
    assert "action item number" in error_of("followup done 0")
