"""`GET /healthz` and `GET /metrics` on PAPERBOT_HEALTH_PORT, beside every mode of `paperbot run`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aiohttp import web

from bot import metrics
from bot.health import HealthCheck
from bot.lifecycle import Lifecycle as Platform
from bot.services import Services

log = logging.getLogger(__name__)


class HealthServer:
    """A small aiohttp server, started and stopped like the other parts of `paperbot run`."""

    name = "health"

    def __init__(self, check: HealthCheck, port: int, host: str = "0.0.0.0") -> None:
        self.check, self.host, self._port = check, host, port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        addresses = self._runner.addresses if self._runner else []
        return addresses[0][1] if addresses else self._port

    def web_app(self) -> web.Application:
        """The two routes."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def start(self) -> None:
        """Listen."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self._port).start()
        log.info("health: listening on %s:%s (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 with the report while the database answers, 503 otherwise."""
        healthy, body = await self.check.report()
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        """Every metric in the Prometheus text format."""
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = metrics.CONTENT_TYPE
        return response


def health_parts(
    services: Services, is_leader: Callable[[], bool], platforms: Sequence[Platform]
) -> list[HealthServer]:
    """The health server as a part list for `serve()`: empty when PAPERBOT_HEALTH_PORT is 0."""
    port = services.settings.health_port
    if not port:
        return []
    return [HealthServer(HealthCheck(services.db, is_leader, platforms), port)]
