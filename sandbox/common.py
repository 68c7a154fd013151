"""Deterministic randomness and time helpers shared by the sandbox generators."""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np

SECONDS_PER_DAY = 86_400


def rng_for(seed: int, stream: str, day: dt.date | None = None) -> np.random.Generator:
    """A generator that depends only on the seed, the stream's name and the day.

    Each part of the sandbox draws from its own stream, so that adding a column to one source
    never changes the data of another, and `next-day` for a day is the same whenever it runs.
    """
    parts = [seed, zlib.crc32(stream.encode())]
    if day is not None:
        parts.append(day.toordinal())
    return np.random.default_rng(parts)


def hashed_uniform(ids: np.ndarray, salt: str, seed: int) -> np.ndarray:
    """A uniform draw in [0, 1) per id that never changes: splitmix64 of (id, salt, seed).

    Used for an entity's fixed fate (when an order ships, whether it is reviewed), so that the
    fate can be recomputed on any later day without storing it.
    """
    with np.errstate(over="ignore"):
        x = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        x = x + np.uint64(zlib.crc32(salt.encode()) + (seed << 32) & 0xFFFFFFFFFFFFFFFF)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def day_start(day: dt.date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "s")


def day_end(day: dt.date) -> np.datetime64:
    """The last second of a day: the sandbox's clock when that business day is over."""
    return day_start(day) + np.timedelta64(SECONDS_PER_DAY - 1, "s")


def sql_timestamps(values: np.ndarray) -> list[str | None]:
    """datetime64 values as the 'YYYY-MM-DD HH:MM:SS' text an application writes to SQLite."""
    text = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
    return [None if t == "NaT" else t.replace("T", " ") for t in text.tolist()]


def to_date(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every calendar day from first to last, both included."""
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
