"""Telegram update → neutral Request translation, over recorded-shape payloads (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import Message, Update

from bot.models import Button
from handlers.telegram.updates import (
    CALLBACK_DATA_MAX,
    addressed_command,
    callback_command,
    callback_user_id,
    chat_kind,
    inline_keyboard,
    known_chat_admin,
    make_request,
    needs_member_lookup,
    sender_id,
)
from tests.fakes.telegram_server import (
    BOT_USER,
    channel_chat,
    group_chat,
    message_payload,
    private_chat,
    user,
)
from tests.paths import FIXTURES

PAYLOADS = FIXTURES / "telegram"
BOT = BOT_USER["username"]


def load(name: str) -> Update:
    update = Update.de_json(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")), None)
    assert update is not None
    return update


def message_of(name: str) -> Message:
    message = load(name).effective_message
    assert message is not None
    return message


def test_private_command_becomes_a_request() -> None:
    message = message_of("private_command")
    command = addressed_command(message.text, BOT, chat_kind(message.chat))
    request = make_request(message.chat, sender_id(message), command, known_chat_admin(message))
    assert request.platform == "telegram"
    assert (request.chat_id, request.user_id, request.chat_kind) == ("5012345678", "5012345678", "private")
    assert (request.command, request.args) == ("top", ("3", "2025-02-11"))


def test_group_command_addressed_to_this_bot() -> None:
    message = message_of("group_command_addressed")
    assert chat_kind(message.chat) == "group"  # a supergroup is a group
    assert addressed_command(message.text, BOT, "group") == ("field", ("자연어", "처리", "3"))
    assert addressed_command(message.text, BOT.upper(), "group") is not None  # usernames ignore case
    assert known_chat_admin(message) is None  # only Telegram can tell
    assert sender_id(message) == "6023456789"


def test_commands_for_other_bots_are_ignored() -> None:
    message = message_of("group_command_other_bot")
    assert addressed_command(message.text, BOT, "group") is None
    assert addressed_command("/top@another_bot", BOT, "private") is None
    assert addressed_command("/ban", BOT, "group") is None  # unknown and unaddressed: not ours
    assert addressed_command(f"/ban@{BOT}", BOT, "group") == ("ban", ())
    assert addressed_command("/ban", BOT, "private") == ("ban", ())  # a DM is always for us
    assert addressed_command("hello", BOT, "private") is None


def test_anonymous_admin_is_a_chat_admin_without_a_user_id() -> None:
    message = message_of("group_anonymous_admin")
    assert sender_id(message) is None  # never a bot admin
    assert known_chat_admin(message) is True  # posting as the group itself proves it


def test_automatic_forward_is_marked() -> None:
    message = message_of("group_automatic_forward")
    assert message.is_automatic_forward
    assert sender_id(message) is None
    assert known_chat_admin(message) is False  # on behalf of another chat


def test_channel_post_is_from_a_channel_admin_without_a_user() -> None:
    message = message_of("channel_post")
    command = addressed_command(message.text, BOT, chat_kind(message.chat))
    request = make_request(message.chat, sender_id(message), command, known_chat_admin(message))
    assert (request.chat_kind, request.user_id, request.is_chat_admin) == ("channel", None, True)
    assert (request.command, request.args) == ("subscribe", ("비전",))
    assert request.chat_title == "논문 채널"


@pytest.mark.parametrize("service_id", [777000, 1087968824, 136817688])
def test_telegram_service_accounts_never_identify_a_person(service_id: int) -> None:
    payload = message_payload(1, group_chat(-100123), user(service_id), "/stats")
    message = Message.de_json(payload, None)
    assert sender_id(message) is None


def test_member_lookup_only_for_subscription_commands_outside_private_chats() -> None:
    assert needs_member_lookup("subscribe", "group") and needs_member_lookup("unsubscribe", "channel")
    assert not needs_member_lookup("subscribe", "private")
    assert not any(needs_member_lookup(c, "group") for c in ("top", "field", "settings", "stats"))
    assert needs_member_lookup("settings", "group", ("time", "07:30"))  # looking is free, changing is not


def test_callback_query_runs_its_command_in_its_chat() -> None:
    query = load("callback_query").callback_query
    assert query is not None
    assert callback_command(query) == ("field", ("nlp",))
    assert callback_user_id(query) == "5012345678"
    assert query.message is not None and query.message.chat.id == 5012345678


def test_keyboard_has_two_buttons_per_row_and_drops_oversized_data() -> None:
    buttons = [Button(f"분야 {i}", f"field f{i}") for i in range(5)]
    buttons.append(Button("too long", "field " + "x" * CALLBACK_DATA_MAX))
    markup = inline_keyboard(buttons)
    assert markup is not None
    rows = markup.inline_keyboard
    assert [len(r) for r in rows] == [2, 2, 1]
    assert rows[0][1].callback_data == "field f1"
    assert inline_keyboard([]) is None


def test_fake_server_payloads_have_the_recorded_shape() -> None:
    """The fake's update builders produce the same keys as the recorded payloads."""

    def keys(data: dict[str, Any]) -> set[str]:
        return {k for k in data if k not in {"forward_origin", "is_automatic_forward"}}

    recorded = json.loads((PAYLOADS / "private_command.json").read_text(encoding="utf-8"))["message"]
    built = message_payload(1, private_chat(5), user(5), "/top")
    assert keys(built) == keys(recorded)
    recorded_post = json.loads((PAYLOADS / "channel_post.json").read_text(encoding="utf-8"))["channel_post"]
    assert keys(message_payload(1, channel_chat(-100), None, "/top", channel_chat(-100))) == keys(
        recorded_post
    )
