"""What the sandbox API serves: FX rates and product reviews, in a small SQLite store.

The generator writes here; the API server reads it on every request, so `next-day` changes are
served without a restart. Reviews are written by customers some days after delivery; a few are
edited later (their `updated_at` moves), and a few mention a phone number or an email address in
their text, as real reviews do.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np

from sandbox.common import SECONDS_PER_DAY, hashed_uniform
from sandbox.fx import rate_table
from sandbox.shop import order_fate

SCHEMA = """
create table if not exists fx_rates (
    rate_date text not null,
    currency text not null,
    rate_per_eur real not null,
    primary key (rate_date, currency)
);
create table if not exists reviews (
    review_id integer primary key,
    product_id integer,
    customer_id integer,
    order_id integer,
    rating integer,
    title text,
    body text,
    language text,
    verified_purchase integer,
    created_at text not null,
    updated_at text not null
);
create index if not exists reviews_updated on reviews (updated_at, review_id);
"""
REVIEW_SHARE = 0.2
LANGUAGES = {"DE": "de", "FR": "fr", "ES": "es", "IT": "it", "NL": "nl", "JP": "ja", "BR": "pt"}
TITLES = {
    1: "Very disappointed",
    2: "Not great",
    3: "It's okay",
    4: "Good value",
    5: "Love it!",
}
BODIES = {
    1: "Broke after two days and support never answered.",
    2: "Smaller than the pictures suggest.",
    3: "Does the job, nothing special.",
    4: "Works well, delivery was quick.",
    5: "Exactly what I wanted, would buy again.",
}


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    return connection


def iso(moment: np.datetime64) -> str:
    return f"{np.datetime_as_string(moment.astype('datetime64[s]'), unit='s')}Z"


def write_rates(store: sqlite3.Connection, seed: int, first: dt.date, last: dt.date) -> int:
    rows = [
        (day.isoformat(), currency, rate)
        for currency, by_day in rate_table(seed, first, last).items()
        for day, rate in by_day.items()
    ]
    store.executemany("insert or replace into fx_rates values (?, ?, ?)", rows)
    return len(rows)


def write_reviews(
    store: sqlite3.Connection,
    shop: sqlite3.Connection,
    rng: np.random.Generator,
    seed: int,
    since: np.datetime64 | None,
    now: np.datetime64,
) -> Counter:
    """Reviews written in (since, now], then a few older ones edited during the period."""
    counts: Counter = Counter()
    floor = "0000" if since is None else str(since - np.timedelta64(30 * SECONDS_PER_DAY, "s"))
    rows = shop.execute(
        """
        select o.order_id, o.customer_id, o.ordered_at, c.country_code,
               (select min(product_id) from order_items i where i.order_id = o.order_id)
        from orders o join customers c using (customer_id)
        where o.status in ('delivered', 'returned') and o.ordered_at >= ?
        """,
        (floor.replace("T", " "),),
    ).fetchall()
    if rows:
        order_ids = np.array([r[0] for r in rows], dtype=np.int64)
        ordered_at = np.array([r[2].replace(" ", "T") for r in rows], dtype="datetime64[s]")
        fate = order_fate(order_ids, ordered_at, seed)
        lag = (1 + hashed_uniform(order_ids, "review_lag", seed) * 9) * SECONDS_PER_DAY
        written_at = fate.delivered_at + lag.astype("timedelta64[s]")
        reviewed = hashed_uniform(order_ids, "reviewed", seed) < REVIEW_SHARE
        due = reviewed & ~np.isnat(written_at) & (written_at <= now)
        if since is not None:
            due &= written_at > since
        rating_draw = hashed_uniform(order_ids, "rating", seed)
        ratings = np.searchsorted([0.06, 0.12, 0.25, 0.55], rating_draw) + 1
        new_rows = []
        for i in np.flatnonzero(due).tolist():
            rating = int(ratings[i])
            body = BODIES[rating]
            if hashed_uniform(order_ids[i : i + 1], "pii_in_text", seed)[0] < 0.01:
                body += f" Call me on +44 7700 9{order_ids[i] % 100000:05d} if you need details."
                counts["reviews.pii_in_text"] += 1
            new_rows.append(
                (
                    int(order_ids[i]),
                    rows[i][4],
                    rows[i][1],
                    int(order_ids[i]),
                    rating,
                    TITLES[rating],
                    body,
                    LANGUAGES.get(rows[i][3], "en"),
                    1,
                    iso(written_at[i]),
                    iso(written_at[i]),
                )
            )
        store.executemany("insert or ignore into reviews values (?,?,?,?,?,?,?,?,?,?,?)", new_rows)
        counts["reviews.written"] += len(new_rows)
    if since is not None:
        counts["reviews.edited"] += edit_reviews(store, rng, since, now)
    return counts


def edit_reviews(
    store: sqlite3.Connection, rng: np.random.Generator, since: np.datetime64, now: np.datetime64
) -> int:
    """About 1% of older reviews edited: the customer changed their mind about the rating."""
    ids = [
        r[0]
        for r in store.execute(
            "select review_id from reviews where created_at <= ? order by review_id", (iso(since),)
        )
    ]
    edited = rng.choice(ids, size=int(len(ids) * 0.01), replace=False) if ids else []
    span = int((now - since) / np.timedelta64(1, "s"))
    for review_id in list(edited):
        moment = since + np.timedelta64(int(rng.integers(1, span)), "s")
        store.execute(
            "update reviews set rating = max(1, rating - 1), body = body || ' (edited)', "
            "updated_at = ? where review_id = ?",
            (iso(moment), int(review_id)),
        )
    return len(edited)
