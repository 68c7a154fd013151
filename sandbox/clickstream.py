"""Web and mobile clickstream: gzipped JSON lines, one file per delivery and hour of arrival.

Sessions are drawn per day with NumPy; every web or app order the shop took that day gets the
session that led to it, ending in its `purchase` event. The collector writes each event into the
file of the hour it *arrived*, so late events (a phone offline on a train) sit in a later hour's
file, and client retries deliver a few events twice with the same `event_id`. Web clients send
UTC with a `Z`, the app sends local time with an offset, and the oldest app version sends no
offset at all (its clock is UTC). `utm_campaign` only exists from the day marketing started
tagging links: the field appears mid-period.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.common import day_start, hashed_uniform
from sandbox.people import draw_countries
from sandbox.reference import COUNTRY_BY_CODE

EVENTS_PER_DAY_PER_SCALE = 1_000_000 / 30
MEAN_EVENTS_PER_SESSION = 6.0
MEAN_SECONDS_BETWEEN_EVENTS = 45.0
DEVICES = ("desktop", "mobile_web", "ios", "android")
APP_VERSIONS_BEFORE = ("3.4.1", "3.5.0")  # before the mid-period release
APP_VERSIONS_AFTER = ("3.5.0", "4.0.0")
NO_OFFSET_APP_VERSION = "3.4.1"  # sends timestamps without an offset (UTC)
DUPLICATE_RATE = 0.005
LATE_RATE = 0.01
CAMPAIGNS = ("autumn_sale", "newsletter_w44", "retargeting", "influencer_q4")
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 6, 6, 6, 6, 7, 8, 9, 9, 8, 5, 3], dtype=float
)


def sessions_for_day(
    rng: np.random.Generator,
    seed: int,
    day: dt.date,
    scale: float,
    customers: pa.Table,
    orders: pa.Table,
) -> pa.Table:
    """One row per session: who, on what device, when it starts, and the order it ends in."""
    target_events = EVENTS_PER_DAY_PER_SCALE * scale
    total = max(int(target_events / MEAN_EVENTS_PER_SESSION), len(orders) + 1)
    browse = total - len(orders)
    known = rng.random(browse) < 0.45
    customer_ids = customers["customer_id"].to_numpy()
    activity = hashed_uniform(customer_ids, "activity", seed) ** 3 + 0.02
    browse_customer = np.where(
        known, rng.choice(customer_ids, size=browse, p=activity / activity.sum()), -1
    )
    anonymous_pool = max(int(len(customer_ids) * 3), 100)
    visitor = rng.integers(0, anonymous_pool, size=browse)
    hours = rng.choice(24, size=browse, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    start = (
        day_start(day)
        + (hours * 3600 + rng.integers(0, 3600, size=browse)).astype("timedelta64[s]")
    ).astype("datetime64[ms]")
    browse_device = rng.choice(DEVICES, size=browse, p=[0.45, 0.2, 0.2, 0.15])

    order_channel = orders["channel"].to_numpy(zero_copy_only=False)
    order_device = np.where(
        order_channel == "mobile_app",
        np.where(rng.random(len(orders)) < 0.55, "ios", "android"),
        np.where(rng.random(len(orders)) < 0.7, "desktop", "mobile_web"),
    )
    country_by_customer = dict(
        zip(customer_ids.tolist(), customers["country_code"].to_pylist(), strict=True)
    )
    session_customer = np.concatenate([browse_customer, orders["customer_id"].to_numpy()])
    devices = np.concatenate([browse_device, order_device])
    visitor_countries = draw_countries(rng, len(session_customer))
    countries = np.array(
        [
            country_by_customer.get(customer, visitor_country)
            for customer, visitor_country in zip(
                session_customer.tolist(), visitor_countries.tolist(), strict=True
            )
        ]
    )
    # A known customer keeps one anonymous id per device; an unknown visitor's id is drawn
    # from a pool (numbers above 2e9 never collide with the customers' device keys).
    device_index = np.searchsorted(np.array(sorted(DEVICES)), devices)
    anonymous = np.where(
        session_customer >= 0,
        hashed_uniform(np.abs(session_customer) * 8 + device_index, "device", seed) * 1e9,
        2_000_000_000 + np.concatenate([visitor, np.zeros(len(orders), dtype=np.int64)]),
    ).astype(np.int64)
    return pa.table(
        {
            "customer_id": session_customer,
            "anonymous_key": anonymous,
            "device": devices,
            "country_code": countries,
            "order_id": np.concatenate([np.full(browse, -1), orders["order_id"].to_numpy()]),
            "purchase_at": np.concatenate(
                [
                    np.full(browse, np.datetime64("NaT"), dtype="datetime64[ms]"),
                    orders["ordered_at"].to_numpy().astype("datetime64[ms]"),
                ]
            ),
            "browse_start": np.concatenate(
                [start, np.full(len(orders), np.datetime64("NaT"), dtype="datetime64[ms]")]
            ),
        }
    )


def events_for_sessions(
    rng: np.random.Generator,
    sessions: pa.Table,
    product_ids: np.ndarray,
    day: dt.date,
    new_field_from: dt.date,
) -> pa.Table:
    """Expand sessions into events (vectorized: one array per column, no Python row loop)."""
    count = sessions.num_rows
    purchase = ~np.isnat(sessions["purchase_at"].to_numpy())
    browse_events = rng.geometric(1 / MEAN_EVENTS_PER_SESSION, size=count).clip(max=40)
    lengths = np.where(purchase, browse_events + 3, browse_events)
    session_index = np.repeat(np.arange(count), lengths)
    first_of_session = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(len(session_index)) - np.repeat(first_of_session, lengths)
    from_end = np.repeat(lengths, lengths) - position  # 1 for the last event

    gaps = rng.exponential(MEAN_SECONDS_BETWEEN_EVENTS * 1000, size=len(session_index))
    gaps[first_of_session] = 0
    elapsed = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first_of_session], lengths)
    purchase_at = sessions["purchase_at"].to_numpy()
    start = np.where(
        purchase,
        purchase_at - (elapsed[np.cumsum(lengths) - 1]).astype("timedelta64[ms]"),
        sessions["browse_start"].to_numpy(),
    )
    occurred = start[session_index] + elapsed.astype("timedelta64[ms]")

    kinds = rng.choice(
        ["page_view", "product_view", "add_to_cart"], size=len(session_index), p=[0.5, 0.42, 0.08]
    ).astype(object)
    kinds[position == 0] = "page_view"
    in_purchase = purchase[session_index]
    abandon = (rng.random(count) < 0.03)[session_index] & ~in_purchase
    kinds[(in_purchase | abandon) & (from_end == 3)] = "add_to_cart"
    kinds[(in_purchase | abandon) & (from_end == 2)] = "checkout"
    kinds[in_purchase & (from_end == 1)] = "purchase"

    customer = sessions["customer_id"].to_numpy()[session_index]
    logs_in_at = np.where(purchase, 1, rng.integers(0, 8, size=count))[session_index]
    logged_in = (
        (customer >= 0)
        & (position >= logs_in_at)
        & (
            in_purchase
            | (hashed_uniform(np.arange(count), "login", int(day.toordinal())) < 0.5)[session_index]
        )
    )
    product = np.where(
        np.isin(kinds, ["product_view", "add_to_cart"]),
        rng.choice(product_ids, size=len(session_index)),
        -1,
    )
    order_id = np.where(kinds == "purchase", sessions["order_id"].to_numpy()[session_index], -1)
    device = sessions["device"].to_numpy(zero_copy_only=False)[session_index]
    is_app = np.isin(device, ["ios", "android"])
    versions = APP_VERSIONS_AFTER if day >= new_field_from else APP_VERSIONS_BEFORE
    app_version = np.where(is_app, rng.choice(versions, size=len(session_index)), None)
    pages = np.array(
        ["/", "/category/new-in", "/category/sale", "/search?q=gift", "/account"], dtype=object
    )
    url = pages[rng.integers(0, len(pages), size=len(session_index))]
    url = np.where(product >= 0, "/product/" + product.astype(str), url)
    url = np.where(kinds == "checkout", "/checkout", url)
    url = np.where(kinds == "purchase", "/order/confirmation", url)

    event_ids = rng.integers(0, 2**63 - 1, size=(len(session_index), 2), dtype=np.int64)
    table = pa.table(
        {
            "event_id": pa.array([f"{a:016x}{b:016x}" for a, b in event_ids.tolist()], pa.string()),
            "event_type": pa.array(kinds, pa.string()),
            "occurred_at": pa.array(occurred, pa.timestamp("ms")),
            "anonymous_id": pa.array(
                [
                    "anon-" + format(k, "x")
                    for k in sessions["anonymous_key"].to_numpy()[session_index].tolist()
                ],
                pa.string(),
            ),
            "user_id": pa.array(np.where(logged_in, customer, None), pa.int64()),
            "device_type": pa.array(device, pa.string()),
            "app_version": pa.array(app_version, pa.string()),
            "country_code": pa.array(
                sessions["country_code"].to_numpy(zero_copy_only=False)[session_index],
                pa.string(),
            ),
            "page_url": pa.array(url, pa.string()),
            "product_id": pa.array(np.where(product >= 0, product, None), pa.int64()),
            "order_id": pa.array(np.where(order_id >= 0, order_id, None), pa.int64()),
            "utm_campaign": pa.array(
                np.where(
                    (position == 0) & (rng.random(len(session_index)) < 0.3),
                    rng.choice(CAMPAIGNS, size=len(session_index)),
                    None,
                ),
                pa.string(),
            ),
        }
    )
    return table


def timestamp_text(table: pa.Table) -> pa.Array:
    """The timestamp each client writes: web in UTC with Z, the app in local time with an
    offset, and the oldest app version in UTC without any offset."""
    occurred = table["occurred_at"]
    device = table["device_type"].to_numpy(zero_copy_only=False)
    version = table["app_version"].to_numpy(zero_copy_only=False)
    country = table["country_code"].to_numpy(zero_copy_only=False)
    codes, index = np.unique(country, return_inverse=True)
    code_offsets = [COUNTRY_BY_CODE[code].utc_offset for code in codes.tolist()]
    offsets = np.array(code_offsets, dtype=object)[index]
    minutes = np.array(
        [(-1 if o[0] == "-" else 1) * (int(o[1:3]) * 60 + int(o[4:6])) for o in code_offsets]
    )[index]
    local = pa.array(
        occurred.to_numpy() + (minutes * 60_000).astype("timedelta64[ms]"), pa.timestamp("ms")
    )
    utc_text = pc.strftime(occurred, format="%Y-%m-%dT%H:%M:%S")
    local_text = pc.strftime(local, format="%Y-%m-%dT%H:%M:%S")
    is_app = np.isin(device, ["ios", "android"])
    no_offset = is_app & (version == NO_OFFSET_APP_VERSION)
    utc_z = pc.binary_join_element_wise(utc_text, "Z", "")
    with_offset = pc.binary_join_element_wise(local_text, pa.array(offsets, pa.string()), "")
    bare = pc.replace_substring(utc_text, "T", " ")
    return pa.array(
        np.where(
            no_offset,
            bare.to_numpy(zero_copy_only=False),
            np.where(
                is_app,
                with_offset.to_numpy(zero_copy_only=False),
                utc_z.to_numpy(zero_copy_only=False),
            ),
        ),
        pa.string(),
    )


def write_batch(
    rng: np.random.Generator,
    events: pa.Table,
    directory: Path,
    batch_end: np.datetime64,
    new_field_from: dt.date,
) -> Counter:
    """Add duplicates and arrival delays, then write one gzipped JSON-lines file per hour of
    arrival, named by the delivery (`batch_end`'s day)."""
    count = events.num_rows
    duplicate = np.flatnonzero(rng.random(count) < DUPLICATE_RATE)
    events = pa.concat_tables([events, events.take(duplicate)])
    occurred = events["occurred_at"].to_numpy()
    late = rng.random(events.num_rows) < LATE_RATE
    delay_ms = (
        np.where(
            late,
            rng.uniform(3600, 30 * 3600, size=events.num_rows),
            rng.uniform(0.2, 90, size=events.num_rows),
        )
        * 1000
    )
    retry = np.zeros(events.num_rows)
    retry[count:] = (
        np.where(
            rng.random(len(duplicate)) < 0.5, 0, rng.uniform(600, 3 * 3600, size=len(duplicate))
        )
        * 1000
    )
    arrival = occurred + (delay_ms + retry).astype("timedelta64[ms]")
    arrival = np.minimum(arrival, batch_end.astype("datetime64[ms]"))
    arrival_hour = arrival.astype("datetime64[h]")
    events = events.append_column("event_timestamp", timestamp_text(events))
    order = np.argsort(arrival, kind="stable")
    events = events.take(order)
    arrival_hour = arrival_hour[order]
    columns = [
        "event_id",
        "event_type",
        "event_timestamp",
        "anonymous_id",
        "user_id",
        "device_type",
        "app_version",
        "page_url",
        "product_id",
        "order_id",
    ]
    defects: Counter = Counter()
    defects["web.events_written"] += events.num_rows
    defects["web.duplicate_events"] += len(duplicate)
    defects["web.late_events"] += int(
        (arrival_hour > events["occurred_at"].to_numpy().astype("datetime64[h]")).sum()
    )
    lines = json_lines(events.select(columns), events["utm_campaign"], arrival_hour, new_field_from)
    hours, starts = np.unique(arrival_hour, return_index=True)
    bounds = [*starts.tolist(), events.num_rows]
    # One file per delivery and hour, named by the delivery: a session that leads to an order
    # just after midnight starts the evening before, so a delivery may add to an hour that an
    # earlier one wrote, and must not overwrite it.
    name = f"events_{batch_end.astype('datetime64[D]').item():%Y%m%d}.jsonl.gz"
    for index, hour in enumerate(hours.astype("datetime64[s]").tolist()):
        folder = directory / f"date={hour.date().isoformat()}" / f"hour={hour.hour:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = "\n".join(lines[bounds[index] : bounds[index + 1]]) + "\n"
        # Level 1: the collector favours speed; the files stay valid gzip either way.
        (folder / name).write_bytes(gzip.compress(text.encode(), compresslevel=1))
    defects["web.files_written"] += len(hours)
    return defects


def json_lines(
    events: pa.Table,
    campaign: pa.ChunkedArray,
    arrival_hour: np.ndarray,
    new_field_from: dt.date,
) -> list[str]:
    """Serialize every event to one JSON line in DuckDB (in bulk, not a Python dict per row).

    Lines of files before `new_field_from` lack the `utm_campaign` key altogether, as the
    collector's payloads did before marketing tagged links.
    """
    cutoff = np.datetime64(new_field_from.isoformat(), "h")
    table = events.append_column("utm_campaign", campaign).append_column(
        "has_campaign_field", pa.array(arrival_hour >= cutoff)
    )
    fields = ", ".join(f"{name} := {name}" for name in events.column_names)
    connection = duckdb.connect()
    connection.register("events", table)
    lines = connection.execute(
        f"""
        select case
            when has_campaign_field
                then to_json(struct_pack({fields}, utm_campaign := utm_campaign))
            else to_json(struct_pack({fields}))
        end as line
        from events
        """
    ).to_arrow_table()
    connection.close()
    return lines["line"].to_pylist()
