"""The `transcript` fixture: one running platform (console, Telegram or Slack) over the sample day."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from functools import partial

import pytest

from bot.services import Services
from tests.transcripts.base import Transcripts
from tests.transcripts.console import console_transcripts
from tests.transcripts.slack import slack_transcripts
from tests.transcripts.telegram import telegram_transcripts

DRIVERS: dict[str, Callable[[Services], AbstractAsyncContextManager[Transcripts]]] = {
    "console": console_transcripts,
    "telegram": telegram_transcripts,
    "slack": slack_transcripts,
}
# Only for tests that ask for them by name (parametrize(..., indirect=True)).
VARIANTS = {"slack-admins": partial(slack_transcripts, slack_subscribe="admins")}


@pytest.fixture(params=list(DRIVERS))
async def transcript(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[Transcripts]:
    """Chats by role on one platform; narrow the platforms with parametrize(..., indirect=True)."""
    async with (DRIVERS | VARIANTS)[request.param](services) as driver:
        yield driver
