"""A sliding-window log of the latest send times: the hard cap that pacing never goes over."""

from __future__ import annotations

import math
from collections import deque

# Count a window a little longer than the limit's second, so that network jitter never lets the
# server count more messages in one of its seconds than the limit allows.
SAFETY = 0.97


class SendWindow:
    """At most `cap` sends in any `span` seconds, counted over the times the requests actually left."""

    def __init__(self, per_second: float) -> None:
        rate = max(per_second, 0.001)
        self.cap = max(1, math.floor(rate))
        self.span = self.cap / rate / SAFETY  # a second and a margin (longer for rates under 1/s)
        self._times: deque[float] = deque(maxlen=self.cap)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 when it fits now)."""
        if len(self._times) < self.cap:
            return 0.0
        return max(0.0, self._times[0] + self.span - now)

    def add(self, at: float) -> None:
        """Count a send that leaves at `at` (monotonic)."""
        self._times.append(at)
