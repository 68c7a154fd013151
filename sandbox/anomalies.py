"""Trouble that `next-day --anomaly KIND` injects, to prove that monitoring catches it.

Each kind changes only the days that this `next-day` adds, the way a real incident would, and
is recorded in `ground_truth/anomalies.json` (never loaded) so that a test knows what to expect.
Without `--anomaly`, `next-day` never calls into this module: its data and its random streams
are exactly what they were.

- volume: an outage; the shop and its apps get a tenth of their usual traffic and orders.
  Caught by volume_anomalies on the raw clickstream and on the facts.
- freshness: the clickstream collector stalls at 06:00 and the rest of the day never arrives.
  Caught by freshness_anomalies on the raw clickstream and on fct_sessions.
- amounts: a release records the day's prices in minor units; orders, lines and payments are
  x100. Caught by column_anomalies on the money amounts.
- schema: the shop's orders table gains a `coupon_code` column. Caught by
  schema_changes_from_baseline on the shop source.
- shift: a checkout release files every app order under `web`: the day's channel mix shifts
  while the totals stay normal. Caught by dimension_anomalies on fct_orders by channel.
- late: the collector delivers the clickstream files of the step's last day only with the next
  step (a late-arriving partition): until then the day looks empty. Caught by volume_anomalies
  on the raw clickstream and on fct_sessions; the next `next-day` delivers them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3

import numpy as np

from sandbox.common import sql_timestamps
from tributary.config import SandboxLayout

KINDS = ("volume", "freshness", "amounts", "schema", "shift", "late")

DESCRIPTIONS = {
    "volume": "outage: a tenth of the usual clickstream traffic and of the orders",
    "freshness": "the clickstream collector stalled at 06:00: later events never arrived",
    "amounts": "prices recorded in minor units: orders, order lines and payments x100",
    "schema": "the shop's orders table gained a column, coupon_code",
    "shift": "a checkout release filed every app order under web: the channel mix shifted",
    "late": "the clickstream files of the last day arrive only with the next day's",
}

# An outage that leaves a tenth of the traffic: far outside any normal day, not an empty day.
VOLUME_SHARE = 0.1
# The collector's last delivery of the day, as time of day.
COLLECTOR_STALLS_AT = dt.time(6, 0)
# Amounts written in cents (or the currency's minor unit) instead of units.
AMOUNT_FACTOR = 100
NEW_ORDER_COLUMN = "coupon_code"
COUPONS = ("WELCOME10", "AUTUMN15", "FREESHIP", "VIP20")
COUPON_SHARE = 0.3
# The channel the faulty checkout release records app orders under.
SHIFTED_CHANNEL, SHIFTED_TO = "mobile_app", "web"
# Where the late partition waits (beside the sandbox's other systems) until it is delivered.
HELD_BACK = ("systems", "held_back", "clickstream")


def check(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown anomaly {kind!r}; choose from {', '.join(KINDS)}")


def reduced(count: int) -> int:
    """The orders of an outage day: a tenth, at least one."""
    return max(1, round(count * VOLUME_SHARE))


def collected_until(day: dt.date) -> np.datetime64:
    """The moment the stalled collector delivered its last event of `day`."""
    return np.datetime64(dt.datetime.combine(day, COLLECTOR_STALLS_AT), "ms")


def inflate_amounts(
    connection: sqlite3.Connection, first: np.datetime64, last: np.datetime64
) -> int:
    """Multiply the amounts of the orders placed between `first` and `last`, their lines and
    their payments, as the faulty release wrote them; returns the orders changed."""
    start, end = sql_timestamps(np.array([first, last]))
    orders = "select order_id from orders where ordered_at between ? and ?"
    connection.execute(
        f"update order_items set unit_price = unit_price * {AMOUNT_FACTOR} "
        f"where order_id in ({orders})",
        (start, end),
    )
    connection.execute(
        f"update payments set amount = amount * {AMOUNT_FACTOR} where order_id in ({orders})",
        (start, end),
    )
    changed = connection.execute(
        f"update orders set total_amount = total_amount * {AMOUNT_FACTOR} "
        "where ordered_at between ? and ?",
        (start, end),
    ).rowcount
    return int(changed)


def add_order_column(
    connection: sqlite3.Connection, rng: np.random.Generator, first_order_id: int
) -> int:
    """Add `coupon_code` to the shop's orders (once) and fill it for a share of the orders from
    `first_order_id` on, the orders placed since the feature shipped; returns those coupons."""
    columns = {row[1] for row in connection.execute("pragma table_info(orders)")}
    if NEW_ORDER_COLUMN not in columns:
        connection.execute(f"alter table orders add column {NEW_ORDER_COLUMN} text")
    order_ids = [
        row[0]
        for row in connection.execute(
            "select order_id from orders where order_id >= ? order by order_id", (first_order_id,)
        )
    ]
    chosen = [
        o
        for o, draw in zip(order_ids, rng.random(len(order_ids)), strict=True)
        if draw < COUPON_SHARE
    ]
    codes = rng.choice(COUPONS, size=len(chosen)).tolist()
    connection.executemany(
        f"update orders set {NEW_ORDER_COLUMN} = ? where order_id = ?",
        zip(codes, chosen, strict=True),
    )
    return len(chosen)


def record(layout: SandboxLayout, kind: str, days: list[dt.date], details: dict[str, int]) -> None:
    """Append what was injected to `ground_truth/anomalies.json` (never loaded)."""
    path = layout.ground_truth / "anomalies.json"
    entries = json.loads(path.read_text()) if path.exists() else []
    entries.append(
        {
            "kind": kind,
            "description": DESCRIPTIONS[kind],
            "days": [day.isoformat() for day in days],
            **details,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, indent=2) + "\n")


def shift_channel(connection: sqlite3.Connection, first: np.datetime64, last: np.datetime64) -> int:
    """File the app orders placed between `first` and `last` under web, as the faulty release
    did; returns the orders changed."""
    start, end = sql_timestamps(np.array([first, last]))
    return int(
        connection.execute(
            "update orders set channel = ? where channel = ? and ordered_at between ? and ?",
            (SHIFTED_TO, SHIFTED_CHANNEL, start, end),
        ).rowcount
    )


def hold_back_partition(layout: SandboxLayout, day: dt.date) -> int:
    """Take the clickstream files that arrived on `day` out of the landing zone, as a collector
    that has not delivered them yet; returns the files held back."""
    partition = layout.clickstream_dir / f"date={day.isoformat()}"
    if not partition.exists():  # nothing arrived that day: nothing to hold back
        return 0
    held = layout.root.joinpath(*HELD_BACK) / partition.name
    held.parent.mkdir(parents=True, exist_ok=True)
    files = sum(1 for path in partition.rglob("*") if path.is_file())
    shutil.move(partition, held)
    return files


def deliver_held_back(layout: SandboxLayout) -> int:
    """Deliver every held-back partition into the landing zone, written now (a late delivery
    is a new file to the loader); returns the files delivered."""
    held_root = layout.root.joinpath(*HELD_BACK)
    delivered = 0
    for held in sorted(held_root.glob("date=*")) if held_root.exists() else []:
        target = layout.clickstream_dir / held.name
        for path in sorted(p for p in held.rglob("*") if p.is_file()):
            destination = target / path.relative_to(held)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, destination)
            os.utime(destination)
            delivered += 1
        shutil.rmtree(held)
    return delivered
