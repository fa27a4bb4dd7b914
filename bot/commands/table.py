"""The command table: every chat command's handler, access rule, menu entry and help line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import texts
from bot.commands import admin, chat_settings, papers, search, subscriptions
from bot.commands.access import Access
from bot.models import Reply, Request
from bot.services import Services

Handler = Callable[[Services, Request], Reply]


@dataclass(frozen=True)
class Command:
    """One chat command as every platform offers it."""

    name: str  # ASCII, as typed after "/" (Telegram allows nothing else)
    handler: Handler
    access: Access = Access.ANYONE
    in_menu: bool = True  # Telegram's command menu and the Slack manifest's slash commands
    private_reply: bool = False  # on Slack only the sender sees the answer

    @property
    def usage(self) -> str:
        """The arguments as the help text shows them (e.g. "[개수] [날짜]")."""
        return texts.COMMAND_TEXTS[self.name][0]

    @property
    def summary(self) -> str:
        """One Korean line on what the command does."""
        return texts.COMMAND_TEXTS[self.name][1]

    @property
    def examples(self) -> tuple[str, ...]:
        """Example invocations for the help text."""
        return texts.COMMAND_TEXTS[self.name][2]

    @property
    def menu_text(self) -> str:
        """The description in Telegram's menu and the Slack manifest."""
        return texts.COMMAND_TEXTS[self.name][3]


def help_reply(_services: Services, _request: Request) -> Reply:
    """`/start`, `/help`: what the bot does and every command with an example."""
    return Reply(text=help_text())


TABLE: dict[str, Command] = {
    c.name: c
    for c in (
        Command("top", papers.top),
        Command("field", papers.field),
        Command("fields", papers.fields),
        Command("paper", papers.paper, private_reply=True),
        Command("search", search.search),
        Command("subscribe", subscriptions.subscribe, Access.CHAT_ADMIN),
        Command("unsubscribe", subscriptions.unsubscribe, Access.CHAT_ADMIN),
        Command("settings", chat_settings.settings, Access.CHAT_ADMIN_TO_CHANGE, private_reply=True),
        Command("help", help_reply, private_reply=True),
        Command("start", help_reply, in_menu=False, private_reply=True),
        Command("rebroadcast", admin.rebroadcast, Access.BOT_ADMIN, private_reply=True),
        Command("stats", admin.stats, Access.BOT_ADMIN, private_reply=True),
    )
}


def _help_line(command: Command) -> str:
    usage = f" {command.usage}" if command.usage else ""
    line = texts.HELP_LINE.format(name=command.name, usage=usage, summary=command.summary)
    if command.examples:
        line += texts.HELP_EXAMPLES.format(examples=", ".join(command.examples))
    return line


def help_text() -> str:
    """The help text, generated from the table: public commands, then the bot admins' ones."""
    shown = [c for c in TABLE.values() if c.name != "start"]
    public = [_help_line(c) for c in shown if c.access is not Access.BOT_ADMIN]
    admins = [_help_line(c) for c in shown if c.access is Access.BOT_ADMIN]
    sections = [texts.HELP_INTRO, "\n".join([texts.HELP_COMMANDS, *public])]
    return "\n\n".join([*sections, "\n".join([texts.HELP_ADMIN_COMMANDS, *admins])])


def menu() -> list[tuple[str, str]]:
    """(name, description) of the commands a chat menu offers everyone: Telegram's setMyCommands."""
    return [(c.name, c.menu_text) for c in TABLE.values() if c.in_menu and c.access is not Access.BOT_ADMIN]


def needs_chat_admin(name: str, args: Sequence[str] = ()) -> bool:
    """True when answering `name` (with `args`) outside a private chat depends on the sender's chat role.

    A command that anyone may run to look (`/settings`) needs it only to change something."""
    command = TABLE.get(name)
    if command is None:
        return False
    return command.access is Access.CHAT_ADMIN or (
        command.access is Access.CHAT_ADMIN_TO_CHANGE and bool(args)
    )
