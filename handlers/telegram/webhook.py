"""The Telegram webhook endpoint: checks the secret header, refuses malformed bodies with 400."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Bot, Update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # updates are a few kB; aiohttp answers 413 above this


def parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body; None when it is not a JSON object PTB can read."""
    try:
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return None
        return Update.de_json(data, bot)
    except Exception:  # any malformed body: invalid UTF-8 or JSON, wrong types, missing fields
        return None


class WebhookServer:
    """Serves POST `path` and hands each valid update to the PTB application's queue."""

    def __init__(self, bot: Bot, queue: object, secret: str, listen: str, port: int, path: str) -> None:
        self.bot, self.queue, self.secret = bot, queue, secret
        self.listen, self.port, self.path = listen, port, "/" + path.strip("/")
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        """One update: 403 without the secret, 400 for a body that is not an update, else 200."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        update = parse_update(await request.read(), self.bot)
        if update is None:
            log.warning("telegram webhook: a body that is not an update was refused")
            return web.Response(status=400)
        await self.queue.put(update)  # type: ignore[attr-defined]
        return web.Response(status=200)

    async def start(self) -> None:
        """Listen for updates."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def running(self) -> bool:
        """True while the endpoint listens."""
        return self._runner is not None
