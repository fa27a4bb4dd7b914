"""Slack chats through the real Bolt app over HTTP: signed slash commands, the fake Slack API behind it."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import aiohttp
from pydantic import SecretStr

from bot.services import Services
from handlers.slack.app import EVENTS_PATH, SlackPlatform, build_platform
from handlers.slack.requests import sign
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.fakes.slack_server import FakeSlack
from tests.transcripts.base import Role
from tests.transcripts.visible import slack_visible

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-1-test-token"
# (channel, user) per role: U1 is the bot admin (T1:U1), U3 only a workspace admin, U2 neither.
ROLE_SEATS = {
    Role.PRIVATE_USER: ("D7001", "U2"),
    Role.BOT_ADMIN: ("D42", "U1"),
    Role.MEMBER: ("C1", "U2"),
    Role.CHAT_ADMIN: ("C1", "U3"),
}


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Slack API with channel C1 (the bot is in it), C2 (it is not) and users U1–U3."""
    with FakeSlack(token=TOKEN) as server:
        server.channels["C1"] = {"id": "C1", "name": "general", "is_member": True}
        server.channels["C2"] = {"id": "C2", "name": "random", "is_member": False}
        server.users["U1"] = {"id": "U1", "is_admin": True}
        server.users["U2"] = {"id": "U2", "is_admin": False}
        server.users["U3"] = {"id": "U3", "is_admin": True}
        yield server


def slack_services(services: Services, fake: FakeSlack, **overrides: Any) -> Services:
    """`services` with Slack configured against the fake API and T1:U1 as bot admin."""
    values = {
        "slack_bot_token": SecretStr(TOKEN),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_base": fake.api_base,
        "slack_admin_ids": ["T1:U1"],
    }
    configured = services.settings.model_copy(update=values | overrides)
    admins = frozenset(configured.admin_ids())
    return replace(services, settings=configured, admins=admins, broadcaster=RecordingBroadcaster())


@dataclass
class SlackHarness:
    """The running app, the fake Slack API behind it and a way to post signed requests to it."""

    platform: SlackPlatform
    fake: FakeSlack
    services: Services
    http: aiohttp.ClientSession

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.platform.port}{EVENTS_PATH}"

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> int:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        async with self.http.post(self.events_url, data=io.BytesIO(body), headers=headers) as response:
            await response.read()
            return response.status

    async def signed(self, body: bytes, timestamp: int | None = None) -> int:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SECRET, ts, body)}
        return await self.post(body, headers)

    async def command(
        self, line: str, channel: str = "C1", user: str = "U1", team: str = "T1"
    ) -> list[dict[str, Any]]:
        """Run "/top 3" as a signed slash command; the messages posted to its response URL."""
        name, _, text = line.partition(" ")
        key = uuid.uuid4().hex
        form = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": "someone",
            "command": name,
            "text": text,
            "api_app_id": "A1",
            "response_url": self.fake.response_url(key),
            "trigger_id": "1.2.3",
        }
        assert await self.signed(urlencode(form).encode()) == 200
        return await self.fake.wait_for(lambda: self.fake.posts(key))

    async def press(self, value: str, action_id: str = "run_command_0", channel: str = "C1") -> list[dict]:
        """Press a button carrying `value` as user U1 of team T1."""
        key = uuid.uuid4().hex
        payload = {
            "type": "block_actions",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": "U1", "team_id": "T1", "username": "someone"},
            "api_app_id": "A1",
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.1"},
            "channel": {"id": channel, "name": "general"},
            "trigger_id": "1.2.3",
            "response_url": self.fake.response_url(key),
            "actions": [
                {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1"}
            ],
        }
        assert await self.signed(urlencode({"payload": json.dumps(payload)}).encode()) == 200
        return await self.fake.wait_for(lambda: self.fake.posts(key))


@asynccontextmanager
async def running_app(services: Services, fake: FakeSlack) -> AsyncIterator[SlackHarness]:
    """The Bolt app in HTTP mode on a free loopback port, answering with `services`."""
    platform = build_platform(services, host="127.0.0.1", port=0)
    await platform.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield SlackHarness(platform, fake, services, http)
    finally:
        await platform.stop()


@dataclass
class SlackChat:
    """One user typing slash commands in one channel of workspace T1."""

    harness: SlackHarness
    channel: str
    user: str

    async def say(self, line: str) -> str:
        """Run `line` as a slash command; what the user reads of the messages posted back."""
        return slack_visible(await self.harness.command(line, channel=self.channel, user=self.user))


@dataclass
class SlackTranscripts:
    """The running Slack app and its chats by role."""

    harness: SlackHarness

    @property
    def services(self) -> Services:
        return self.harness.services

    def chat(self, role: Role) -> SlackChat:
        """The channel and user playing `role`; a workspace admin is one by the fake's users.info."""
        channel, user = ROLE_SEATS[role]
        return SlackChat(self.harness, channel, user)


@asynccontextmanager
async def slack_transcripts(services: Services, **settings: Any) -> AsyncIterator[SlackTranscripts]:
    """The Slack app against a fresh fake Slack API (with `settings` changed), for the length of the block."""
    with fake_slack() as fake:
        async with running_app(slack_services(services, fake, **settings), fake) as harness:
            yield SlackTranscripts(harness)
