"""Who may run a command: anyone, the chat's admins, or the bot's admins."""

from __future__ import annotations

from enum import Enum

from bot import texts
from bot.models import Reply, Request
from bot.services import Services


class Access(Enum):
    """The rule a command declares in the command table."""

    ANYONE = "anyone"
    CHAT_ADMIN = "chat admin"  # anyone in a private chat; chat admins (or bot admins) elsewhere
    BOT_ADMIN = "bot admin"  # by numeric id in settings, never by username
    CHAT_ADMIN_TO_CHANGE = "chat admin to change"  # anyone looks; the handler checks CHAT_ADMIN for changes


def allowed(services: Services, request: Request, access: Access) -> bool:
    """True when the request's sender may run a command with this rule."""
    bot_admin = services.is_bot_admin(request.platform, request.user_id)
    if access is Access.BOT_ADMIN:
        return bot_admin
    if access is Access.CHAT_ADMIN_TO_CHANGE:
        return True
    if access is Access.CHAT_ADMIN:
        private = request.chat_kind == "private"
        return private or request.is_chat_admin or bot_admin or members_may(services, request)
    return True


def members_may(services: Services, request: Request) -> bool:
    """PAPERBOT_SLACK_SUBSCRIBE=members: any member of a Slack channel may change its subscription.

    Slack lets only a channel's members type a command in it, so the sender is one.
    """
    return request.platform == "slack" and services.settings.slack_subscribe == "members"


def refusal(access: Access) -> Reply:
    """The short Korean answer to a sender the rule leaves out."""
    text = texts.NOT_BOT_ADMIN if access is Access.BOT_ADMIN else texts.NOT_CHAT_ADMIN
    return Reply(text=text, error=True, ephemeral=True)
