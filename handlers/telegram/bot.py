"""The Telegram platform: the PTB Application's lifecycle, commands and buttons, the command menu."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import traceback
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, MaybeInaccessibleMessage, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.broadcast.pacing import Pacer
from bot.commands import dispatch, menu
from bot.models import Request
from bot.redact import redact, remember
from bot.render.telegram import render_reply_messages
from bot.services import Services
from bot.settings import Settings
from handlers.telegram.limiter import SharedRateLimiter
from handlers.telegram.sender import NO_PREVIEW, TelegramChannel, file_base_url, token_of
from handlers.telegram.updates import (
    ADMIN_STATUSES,
    ALLOWED_UPDATES,
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
from handlers.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)

COMMAND_FILTER = filters.COMMAND & (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST)
CONCURRENT_UPDATES = 16  # one slow chat (a getChatMember round trip) must not hold up the others


def build_application(settings: Settings, pacer: Pacer) -> Application:
    """A PTB Application for the configured API base; replies are paced by the token's `pacer`."""
    return (
        ApplicationBuilder()
        .token(token_of(settings))
        .base_url(settings.telegram_api_base)
        .base_file_url(file_base_url(settings.telegram_api_base))
        .rate_limiter(SharedRateLimiter(pacer, max_retries=1))
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )


class TelegramPlatform:
    """Answers commands and button presses; polls by default, or serves a webhook when configured."""

    name = "telegram"

    def __init__(
        self,
        services: Services,
        *,
        channel: TelegramChannel | None = None,
        webhook_port: int | None = None,
        listen: str = "0.0.0.0",
        poll_timeout: float = 10.0,
    ) -> None:
        self.services = services
        settings = services.settings
        self._token = token_of(settings)
        self.webhook_url = settings.telegram_webhook_url
        self.webhook_port = webhook_port or settings.telegram_webhook_port
        self.listen, self.poll_timeout = listen, poll_timeout
        self._channel = channel or TelegramChannel(settings)
        self.application = build_application(settings, self._channel.pacer)  # one budget per token
        self.application.add_handler(MessageHandler(COMMAND_FILTER, self._on_command))
        self.application.add_handler(CallbackQueryHandler(self._on_button))
        self.application.add_error_handler(self._on_error)
        self._webhook: WebhookServer | None = None

    async def start(self) -> None:
        """Check the token (getMe), publish the command menu, then take updates."""
        app = self.application
        try:
            await app.initialize()
            await self._set_menu()
            await app.start()
            await self._take_updates()
        except TelegramError as exc:  # PTB's InvalidToken message quotes the token itself
            await self.stop()
            raise RuntimeError(f"telegram: {type(exc).__name__}: {self._redact(exc.message)}") from None
        except BaseException:
            await self.stop()
            raise

    async def _take_updates(self) -> None:
        updater, allowed = self.application.updater, list(ALLOWED_UPDATES)
        assert updater is not None
        if not self.webhook_url:
            await updater.start_polling(
                timeout=dt.timedelta(seconds=self.poll_timeout),
                allowed_updates=allowed,
                error_callback=self._on_poll_error,
            )
            return
        configured = self.services.settings.telegram_webhook_secret
        # Without a configured secret a random one still keeps forged updates out.
        secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
        remember(secret)
        app = self.application
        path = urlsplit(self.webhook_url).path
        self._webhook = WebhookServer(app.bot, app.update_queue, secret, self.listen, self.webhook_port, path)
        await self._webhook.start()
        await app.bot.set_webhook(self.webhook_url, secret_token=secret, allowed_updates=allowed)

    async def stop(self) -> None:
        """Stop taking updates, finish the running handlers and close every connection."""
        app = self.application
        if self._webhook is not None:
            await self._webhook.stop()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await self._channel.aclose()

    def channel(self) -> TelegramChannel:
        """The broadcast sender."""
        return self._channel

    @property
    def mode(self) -> str:
        """Either "webhook" or "polling"."""
        return "webhook" if self.webhook_url else "polling"

    async def connected(self) -> bool:
        """True while updates are being taken (polling or the webhook server)."""
        if self._webhook is not None:
            return self.application.running and self._webhook.running
        updater = self.application.updater
        return self.application.running and updater is not None and updater.running

    async def _set_menu(self) -> None:
        commands = [BotCommand(name, description) for name, description in menu()]
        try:
            await self.application.bot.set_my_commands(commands)
        except TelegramError as exc:  # the bot works without a menu
            log.warning("telegram: setting the command menu failed: %s", self._redact(str(exc)))

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command in a private chat, a group or a channel."""
        message = update.effective_message
        if message is None or message.is_automatic_forward:  # a channel post echoed into its group
            return
        kind = chat_kind(message.chat)
        command = addressed_command(message.text, context.bot.username, kind)
        if command is None:
            return
        user_id = sender_id(message)
        admin = known_chat_admin(message)
        if admin is None:
            lookup = needs_member_lookup(command[0], kind, command[1]) and user_id is not None
            admin = lookup and await self._is_chat_admin(context.bot, message.chat_id, user_id)
        request = make_request(message.chat, user_id, command, admin)
        await self._answer(context.bot, request, message, quote=kind == "group")

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button: run its command in the chat it belongs to."""
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()  # stops the client's spinner
        except TelegramError as exc:  # e.g. "query is too old": still run the command
            log.info("telegram: answering a button press failed: %s", self._redact(str(exc)))
        command = callback_command(query)
        if command is None or query.message is None:
            return
        chat, user_id = query.message.chat, callback_user_id(query)
        kind = chat_kind(chat)
        lookup = needs_member_lookup(command[0], kind, command[1]) and user_id is not None
        admin = kind == "private" or (lookup and await self._is_chat_admin(context.bot, chat.id, user_id))
        await self._answer(context.bot, make_request(chat, user_id, command, admin), query.message)

    async def _is_chat_admin(self, bot: Bot, chat_id: int, user_id: str | None) -> bool:
        try:
            member = await bot.get_chat_member(chat_id, int(user_id or 0))
        except TelegramError as exc:
            log.warning("telegram: getChatMember failed in chat %s: %s", chat_id, self._redact(str(exc)))
            return False
        return member.status in ADMIN_STATUSES

    async def _answer(
        self, bot: Bot, request: Request, origin: MaybeInaccessibleMessage, quote: bool = False
    ) -> None:
        """Run the command and reply in the origin's chat (and forum topic), each message with its buttons."""
        reply = await asyncio.to_thread(dispatch, self.services, request)
        messages = render_reply_messages(reply)
        first = ReplyParameters(origin.message_id, allow_sending_without_reply=True) if quote else None
        thread = origin.message_thread_id if isinstance(origin, Message) and origin.is_topic_message else None
        for i, message in enumerate(messages):
            await bot.send_message(
                chat_id=request.chat_id,
                text=message.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=inline_keyboard(message.buttons),
                reply_parameters=first if i == 0 else None,
                message_thread_id=thread,
            )

    def _on_poll_error(self, exc: TelegramError) -> None:
        log.warning("telegram: polling failed, retrying: %s", self._redact(f"{type(exc).__name__}: {exc}"))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one place where handler errors end up: logged with the traceback, token masked."""
        where = f"update {update.update_id}" if isinstance(update, Update) else "a background task"
        error = context.error
        trace = "".join(traceback.format_exception(error)) if error else "no exception"
        log.error("telegram: handling %s failed\n%s", where, self._redact(trace))

    def _redact(self, text: str) -> str:
        return redact(text, [self._token])
