"""The event loop of the long-running commands: PAPERBOT_EVENT_LOOP picks it."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator

import pytest

from bot import eventloop


@pytest.fixture(autouse=True)
def restore_gc() -> Iterator[None]:
    """The runner tunes the collector of the whole process: put this test process's back."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


async def loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_asyncio_runs_on_the_standard_loop() -> None:
    assert eventloop.run(loop_module(), "asyncio").startswith("asyncio")


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is a dependency everywhere but Windows")
def test_uvloop_and_auto_run_on_uvloop() -> None:
    assert eventloop.run(loop_module(), "uvloop").startswith("uvloop")
    assert eventloop.run(loop_module(), "auto").startswith("uvloop")


def test_the_setting_defaults_to_auto() -> None:
    from bot.settings import Settings

    assert Settings(_env_file=None).event_loop == "auto"


async def young_threshold() -> int:
    return gc.get_threshold()[0]


def test_the_runner_calms_the_collector() -> None:
    gc.set_threshold(700, 10, 10)
    assert eventloop.run(young_threshold(), "asyncio") == eventloop.GC_YOUNG_THRESHOLD
    assert gc.get_freeze_count() > 0  # what existed at start is no longer walked
