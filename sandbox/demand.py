"""How busy the shop is on a day: one demand curve for the history and for every next day.

A retailer's days are not alike: the business grows, and it sells more on some weekdays than on
others. The generated history and `next-day` draw their orders and their browsing traffic from
the same curve, so that a normal next day continues the history's trend and weekly rhythm and
looks, to a monitor, like the days before it; only an injected incident stands out.

The curve is relative: 1.0 is the average day of the generated order history, and a scale
multiplies it. Orders are counted by a multinomial draw over the history (its total is exact) and
by a Poisson draw on a next day (a real day's count is never exactly its expectation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sandbox.common import SECONDS_PER_DAY, day_start, days_between

# The shop grows by 40 % a year: steady, so that a month-long monitor window sees a few percent.
ANNUAL_GROWTH = 0.40
# Monday to Sunday, averaging 1: an online shop sells most on Sunday evenings and Mondays, and
# least on Friday and Saturday, when people are out.
WEEKDAY_FACTORS = (1.08, 1.02, 1.00, 0.98, 0.92, 0.90, 1.10)


@dataclass(frozen=True)
class Demand:
    """The demand curve of a sandbox whose generated history ends on `history_end`."""

    history_end: dt.date  # the last day of the generated history (its first "today")
    history_days: int  # the days of the order history, ending on history_end

    def weight(self, day: dt.date) -> float:
        """Demand on `day` relative to the history's last day without its weekday effect."""
        years = (day - self.history_end).days / 365.25
        return (1 + ANNUAL_GROWTH) ** years * WEEKDAY_FACTORS[day.weekday()]

    @cached_property
    def history(self) -> list[dt.date]:
        first = self.history_end - dt.timedelta(days=self.history_days - 1)
        return days_between(first, self.history_end)

    @cached_property
    def _history_mean(self) -> float:
        return float(np.mean([self.weight(day) for day in self.history]))

    def index(self, day: dt.date) -> float:
        """Demand on `day` relative to the average day of the history (1.0)."""
        return self.weight(day) / self._history_mean

    def window_index(self, day: dt.date, window_days: int) -> float:
        """Demand on `day` relative to the average day of the history's last `window_days`."""
        first = self.history_end - dt.timedelta(days=window_days - 1)
        window = days_between(first, self.history_end)
        return self.weight(day) / float(np.mean([self.weight(d) for d in window]))

    def history_moments(self, rng: np.random.Generator, total: int) -> np.ndarray:
        """`total` moments spread over the history by the curve, sorted (datetime64[s])."""
        weights = np.array([self.weight(day) for day in self.history])
        per_day = rng.multinomial(total, weights / weights.sum())
        return _moments(rng, self.history, per_day)

    def day_count(self, rng: np.random.Generator, day: dt.date, per_average_day: float) -> int:
        """How many of something happen on `day` when the history's average day had
        `per_average_day` of them: a Poisson draw around the curve's expectation."""
        return int(rng.poisson(per_average_day * self.index(day)))


def moments_on(rng: np.random.Generator, day: dt.date, count: int) -> np.ndarray:
    """`count` moments spread uniformly over `day`, sorted (datetime64[s])."""
    return _moments(rng, [day], np.array([count]))


def _moments(rng: np.random.Generator, days: list[dt.date], per_day: np.ndarray) -> np.ndarray:
    starts = np.repeat(np.array([day_start(day) for day in days]), per_day)
    offsets = rng.integers(0, SECONDS_PER_DAY, size=len(starts)).astype("timedelta64[s]")
    return np.sort(starts + offsets)
