"""Pure translation between Telegram updates and the neutral Request / Reply of the command layer."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.commands import TABLE, needs_chat_admin, parse_command
from bot.models import Button, ChatKind, Request

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = ("message", "channel_post", "callback_query")
# Telegram's own accounts: notifications (777000), GroupAnonymousBot, Channel_Bot. A message "from"
# one of them was sent on behalf of a chat, so it never identifies a person.
SERVICE_USER_IDS = frozenset({777000, 1087968824, 136817688})
ADMIN_STATUSES = frozenset({"creator", "administrator"})
CALLBACK_DATA_MAX = 64  # bytes, a Bot API limit
BUTTONS_PER_ROW = 2

Command = tuple[str, tuple[str, ...]]


def chat_kind(chat: Chat) -> ChatKind:
    """private, group (groups and supergroups) or channel."""
    if chat.type == Chat.PRIVATE:
        return "private"
    return "channel" if chat.type == Chat.CHANNEL else "group"


def addressed_command(text: str | None, bot_username: str | None, kind: ChatKind) -> Command | None:
    """The command in `text` if it is meant for this bot; None for other bots' commands.

    `/top@otherbot` is ignored everywhere. In groups and channels an unknown command without
    `@thisbot` is ignored as well: it is most likely another bot's.
    """
    parsed = parse_command(text or "")
    if parsed is None:
        return None
    head = (text or "").strip().split(maxsplit=1)[0]
    _, at, target = head.partition("@")
    if at and (not bot_username or target.lower() != bot_username.lower()):
        return None
    if kind != "private" and not at and parsed[0] not in TABLE:
        return None
    return parsed


def sender_id(message: Message) -> str | None:
    """The id of the person who sent `message`; None when it was sent on behalf of a chat."""
    user = message.from_user
    if message.sender_chat is not None or user is None or user.id in SERVICE_USER_IDS:
        return None
    return str(user.id)


def known_chat_admin(message: Message) -> bool | None:
    """What the message itself proves about its sender being a chat admin; None when unknown.

    Channel posts are made by channel admins, and an anonymous group admin posts as the group
    itself. A post on behalf of another chat (a linked channel) proves nothing.
    """
    kind = chat_kind(message.chat)
    if kind in ("private", "channel"):
        return True
    if message.sender_chat is not None:
        return message.sender_chat.id == message.chat.id
    return None


def needs_member_lookup(command: str, kind: ChatKind, args: Sequence[str] = ()) -> bool:
    """True when answering `command` (with `args`) requires asking Telegram for the sender's chat role."""
    return kind != "private" and needs_chat_admin(command, args)


def make_request(chat: Chat, user_id: str | None, command: Command, is_chat_admin: bool) -> Request:
    """A neutral Request for `command` in `chat`."""
    name, args = command
    return Request(
        platform=PLATFORM,
        chat_id=str(chat.id),
        user_id=user_id,
        command=name,
        args=args,
        chat_kind=chat_kind(chat),
        is_chat_admin=is_chat_admin,
        chat_title=chat.title or chat.username or chat.full_name,
    )


def callback_command(query: CallbackQuery) -> Command | None:
    """The command a pressed button carries (its callback data, e.g. "field nlp")."""
    if not query.data or query.message is None:
        return None
    return parse_command("/" + query.data)


def callback_user_id(query: CallbackQuery) -> str | None:
    """The presser's id (a button press always comes from a person, but check anyway)."""
    user = query.from_user
    return None if user is None or user.id in SERVICE_USER_IDS else str(user.id)


def inline_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard, two per row; a button whose command is too long is dropped."""
    keys = []
    for button in buttons:
        if len(button.command.encode("utf-8")) > CALLBACK_DATA_MAX:
            log.warning("button %r dropped: its command exceeds %d bytes", button.label, CALLBACK_DATA_MAX)
            continue
        keys.append(InlineKeyboardButton(button.label, callback_data=button.command))
    if not keys:
        return None
    rows = [keys[i : i + BUTTONS_PER_ROW] for i in range(0, len(keys), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)
