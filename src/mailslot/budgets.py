"""Budget: `"<burst>, <count>/<period>"`, `burst` events at once, then `count` more per
period (`s`, `min`, `h`). Settings parse it once (config.py); the limiters spend it
(ratelimit.py)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_PERIODS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0, "hour": 3600.0}
_BUDGET = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([a-z]+)\s*$")


@dataclass(frozen=True, slots=True)
class Budget:
    """`burst` events at once, then one more every `interval` seconds."""

    burst: float  # an int as parsed; `times` divides it
    interval: float

    @classmethod
    def parse(cls, text: str) -> Budget:
        match = _BUDGET.match(text.lower())
        if not match:
            raise ValueError(f"{text!r} is not a budget like '10, 90/h'")
        burst, count, amount, unit = match.groups()
        if unit not in _PERIODS:
            raise ValueError(f"{unit!r} is not a period: use s, min or h")
        period = float(amount or 1) * _PERIODS[unit]
        if int(burst) < 1 or int(count) < 1 or period <= 0:
            raise ValueError(f"{text!r}: burst, count and period must be positive")
        return cls(burst=int(burst), interval=period / int(count))

    def ceiling(self, window: float) -> int:
        """The most events this budget lets through in any window of `window` seconds."""
        return math.floor(self.burst) + math.floor(window / self.interval)

    def times(self, cost: int) -> Budget:
        """The budget as one event costing `cost` of these sees it: GCRA spends `cost`
        intervals at once, with the same ceiling (burst x interval) of time in advance.
        The burst is a millionth of an event wider, so that rounding (Redis keeps
        milliseconds) never refuses a cost that fits exactly."""
        return Budget(burst=self.burst / cost + 1e-6, interval=self.interval * cost)
