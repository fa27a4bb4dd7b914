"""Slack: slash commands and buttons through slack-bolt, in Socket Mode or over HTTP (POST /slack/events)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.commands import dispatch, may_use, needs_chat_admin
from bot.models import Reply, Request
from bot.render.slack import SlackMessage, render_reply_slack
from bot.services import Services
from bot.settings import ConfigError
from handlers.slack.requests import (
    ACTION_ID,
    ReplayGuard,
    action_request,
    command_request,
    invite_message,
    is_private,
    slack_user,
    slash_names,
    verify_signature,
    with_prefix,
)
from handlers.slack.sender import SlackChannel, bot_is_member, is_workspace_admin, make_client

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; aiohttp answers 413 above this
Respond = Callable[..., Awaitable[Any]]


class SlackBot:
    """Answers slash commands and button presses with the command layer."""

    def __init__(self, services: Services, client: AsyncWebClient, prefix: str = "") -> None:
        self.services, self.client, self.prefix = services, client, prefix

    def register(self, app: AsyncApp) -> None:
        """Listen for every slash command (with the configured prefix) and every command button."""
        for slash in slash_names(self.prefix):
            app.command(slash)(self.on_command)
        app.action(ACTION_ID)(self.on_action)

    async def on_command(self, ack: Respond, body: dict, respond: Respond, context: AsyncBoltContext) -> None:
        """A slash command: acknowledge at once, then answer through the response URL."""
        await ack()
        await self.answer(command_request(body, self.prefix), body, respond, context.bot_user_id)

    async def on_action(self, ack: Respond, body: dict, respond: Respond, context: AsyncBoltContext) -> None:
        """A button press: run the command in the button's value in that channel."""
        await ack()
        await self.answer(action_request(body), body, respond, context.bot_user_id)

    async def answer(self, request: Request | None, body: dict, respond: Respond, bot: str | None) -> None:
        """Run the request and post the reply; failures are logged and told to the sender."""
        if request is None:
            return
        try:
            messages, private = await self.reply(request, bot)
        except Exception:
            log.exception("slack /%s failed", request.command)
            messages, private = render_reply_slack(Reply(text=texts.INTERNAL_ERROR, error=True)), True
        try:
            await self.deliver(request, messages, private, body, respond)
        except Exception:
            log.exception("slack reply to /%s failed", request.command)

    async def reply(self, request: Request, bot: str | None) -> tuple[list[SlackMessage], bool]:
        """The reply as Slack messages, and whether only the sender may see it."""
        if (  # members may change a channel's subscription without asking Slack who they are
            request.chat_kind != "private"
            and needs_chat_admin(request.command, request.args)
            and self.services.settings.slack_subscribe == "admins"
        ):
            request = replace(
                request, is_chat_admin=await is_workspace_admin(self.client, slack_user(request))
            )
        if (
            request.chat_kind != "private"
            and request.command == "subscribe"
            and may_use(self.services, request)
        ):
            member = await bot_is_member(self.client, request.chat_id)
            if member is None:
                return render_reply_slack(Reply(text=texts.INTERNAL_ERROR, error=True)), True
            if not member:  # (a non-admin gets the command layer's refusal instead)
                return [invite_message(bot, f"/{self.prefix}subscribe")], True
        reply = await asyncio.to_thread(dispatch, self.services, request)
        return render_reply_slack(with_prefix(reply, self.prefix)), is_private(request, reply)

    async def deliver(
        self, request: Request, messages: list[SlackMessage], private: bool, body: Mapping, respond: Respond
    ) -> None:
        """Post through the payload's response URL (slash commands and message buttons have one)."""
        if not body.get("response_url"):
            log.warning("slack /%s: no response_url to answer", request.command)
            return
        response_type = "ephemeral" if private else "in_channel"
        for message in messages:
            result = await respond(
                text=message.text,
                blocks=list(message.blocks),
                response_type=response_type,
                replace_original=False,
            )
            if getattr(result, "status_code", 200) != 200:
                log.warning("slack: response_url answered %s", result.status_code)


class SlackPlatform:
    """The Slack app inside `paperbot run`: Socket Mode with an app token, else an HTTP endpoint."""

    name = "slack"

    def __init__(
        self,
        app: AsyncApp,
        sender: SlackChannel,
        *,
        app_token: str | None = None,
        signing_secret: str = "",
        host: str = "0.0.0.0",
        port: int = 3000,
    ) -> None:
        self.app, self.sender, self.app_token = app, sender, app_token
        self.signing_secret, self.host, self._port = signing_secret, host, port
        self.replays = ReplayGuard()
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None

    @property
    def mode(self) -> str:
        """Either "socket" or "http"."""
        return "socket" if self.app_token else "http"

    @property
    def port(self) -> int:
        """The HTTP port actually bound (useful with port 0)."""
        addresses = self._runner.addresses if self._runner else []
        return addresses[0][1] if addresses else self._port

    async def start(self) -> None:
        """Connect to Slack (Socket Mode) or start listening for signed HTTP requests."""
        if self.app_token:
            self._socket = AsyncSocketModeHandler(self.app, self.app_token)
            await self._socket.connect_async()
            return
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self._port).start()
        log.info("slack: listening on %s:%s%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        """Disconnect or stop listening."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def channel(self) -> SlackChannel:
        """The broadcast sender."""
        return self.sender

    async def connected(self) -> bool:
        """Socket Mode: the websocket is up; HTTP mode: the endpoint listens."""
        if self._socket is not None:
            return await self._socket.client.is_connected()
        return self._runner is not None

    def web_app(self) -> web.Application:
        """The HTTP endpoint: POST /slack/events (commands and buttons) and GET /healthz."""
        web_app = web.Application(client_max_size=MAX_BODY)
        web_app.router.add_post(EVENTS_PATH, self.handle_events)
        web_app.router.add_get(HEALTH_PATH, _health)
        return web_app

    async def handle_events(self, request: web.Request) -> web.StreamResponse:
        """Check the signature before anything parses the body; only then hand the request to Bolt."""
        body = await request.read()  # aiohttp refuses bodies over MAX_BODY with 413
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        now = time.time()
        if not verify_signature(self.signing_secret, timestamp, signature, body, now):
            return web.json_response({"error": "invalid request"}, status=401)
        if not self.replays.first_time(str(signature), now):  # a signed request sent again
            log.warning("slack: a replayed request was refused")
            return web.json_response({"error": "replayed request"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers={name: request.headers.getall(name) for name in request.headers},
            )
        except Exception as exc:  # signed by Slack but not a payload we can read
            log.warning("slack: unreadable request body (%s)", type(exc).__name__)
            return _text(400, "bad request")
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text)


async def _health(_request: web.Request) -> web.Response:
    return _text(200, "ok")


def build_platform(
    services: Services,
    *,
    sender: SlackChannel | None = None,
    host: str = "0.0.0.0",
    port: int | None = None,
) -> SlackPlatform:
    """The Slack platform from settings: Socket Mode when an app token is set, else HTTP mode."""
    settings = services.settings
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError("PAPERBOT_SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    if app_token is None and not secret.strip():
        raise ConfigError("Slack HTTP mode needs PAPERBOT_SLACK_SIGNING_SECRET (or PAPERBOT_SLACK_APP_TOKEN)")
    client = make_client(settings)
    app = AsyncApp(
        name="paperbot",
        client=client,
        signing_secret=secret,
        request_verification_enabled=app_token is None,  # Bolt checks again after our own check
    )
    SlackBot(services, client, settings.slack_command_prefix).register(app)
    return SlackPlatform(
        app,
        sender or SlackChannel(make_client(settings)),
        app_token=app_token,
        signing_secret=secret,
        host=host,
        port=settings.slack_port if port is None else port,
    )
