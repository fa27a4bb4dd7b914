"""How the long-running commands run: uvloop when it is installed (PAPERBOT_EVENT_LOOP), a calmer GC."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]

# Container objects allocated (net) between two young collections; CPython's default is 700. A
# broadcast allocates and frees dozens per message, and at 700 the collector took about an eighth
# of a sender's CPU time, mostly walking objects that were alive anyway.
GC_YOUNG_THRESHOLD = 20_000


def loop_factory(choice: str = "auto") -> LoopFactory | None:
    """uvloop's loop for `auto` (when installed) and `uvloop`; None (asyncio's own) for `asyncio`."""
    if choice == "asyncio" or (choice == "auto" and importlib.util.find_spec("uvloop") is None):
        return None
    import uvloop  # (ImportError for `uvloop` without it installed: the setting asks for it)

    return uvloop.new_event_loop


def calm_gc() -> None:
    """Collect young objects less often, and never walk again what exists at start (modules, settings)."""
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), middle, old)


def run(main: Coroutine[Any, Any, T], choice: str = "auto") -> T:
    """`asyncio.run(main)` on the chosen loop, with the collector calmed."""
    calm_gc()
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)
