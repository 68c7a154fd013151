"""Foreign-exchange rates: a deterministic random walk per currency, on business days only.

The series starts at a fixed epoch so that every run, and every later `next-day`, sees the same
rate for the same day. Rates are units of the currency per 1 EUR, as the ECB (and so the
Frankfurter API) publishes them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sandbox.common import days_between, rng_for
from sandbox.reference import FX_START_RATES

FX_EPOCH = dt.date(2023, 1, 2)
DAILY_VOLATILITY = 0.004


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def target_holidays(year: int) -> set[dt.date]:
    """Days the ECB publishes no reference rate (TARGET2 closing days)."""
    easter = _easter(year)
    return {
        dt.date(year, 1, 1),
        easter - dt.timedelta(days=2),
        easter + dt.timedelta(days=1),
        dt.date(year, 5, 1),
        dt.date(year, 12, 25),
        dt.date(year, 12, 26),
    }


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in target_holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in days_between(first, last) if is_business_day(d)]


def rate_table(seed: int, first: dt.date, last: dt.date) -> dict[str, dict[dt.date, float]]:
    """{currency: {business day: rate per EUR}} for business days between first and last."""
    days = business_days(FX_EPOCH, last)
    rng = rng_for(seed, "fx")
    table: dict[str, dict[dt.date, float]] = {}
    for currency, start in FX_START_RATES.items():
        steps = rng.normal(0.0, DAILY_VOLATILITY, size=len(days))
        steps[0] = 0.0
        rates = start * np.exp(np.cumsum(steps))
        table[currency] = {
            day: round(float(rate), 4 if rate < 100 else 2)
            for day, rate in zip(days, rates, strict=True)
            if day >= first
        }
    return table


def daily_rates(seed: int, first: dt.date, last: dt.date) -> dict[str, np.ndarray]:
    """{currency: rate per EUR for every calendar day first..last}, carrying the last business
    day's rate over weekends and holidays, as a shop's checkout does."""
    lookback = first - dt.timedelta(days=10)
    table = rate_table(seed, lookback, last)
    calendar = days_between(first, last)
    result: dict[str, np.ndarray] = {"EUR": np.ones(len(calendar))}
    for currency, by_day in table.items():
        known = sorted(by_day)
        values, cursor, current = [], 0, by_day[known[0]]
        for day in calendar:
            while cursor < len(known) and known[cursor] <= day:
                current = by_day[known[cursor]]
                cursor += 1
            values.append(current)
        result[currency] = np.array(values)
    return result
