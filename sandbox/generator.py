"""The sandbox's two verbs: `generate` a history, and advance it by one business day.

Scale 1 is about 5,000 customers, 50,000 orders over a year, and 1,000,000 clickstream events
over the last 30 days; everything scales linearly. The state file remembers the seed, the scale
and the sandbox's "today", so `next-day` continues exactly where the last step stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sandbox import anomalies, api_store, clickstream, crm, shop, telemetry
from sandbox.common import day_end, day_start, days_between, rng_for
from sandbox.demand import Demand, moments_on
from sandbox.fx import next_business_day
from tributary.config import SandboxLayout
from tributary.errors import NotReadyError

DEFAULT_AS_OF = dt.date(2026, 10, 30)  # a Friday; fixed so that a seed always means the same data
HISTORY_DAYS = 730  # customers signed up over two years
ORDER_DAYS = 365  # orders over the last year
WINDOW_DAYS = 30  # clickstream, telemetry and CRM exports over the last 30 days
FX_DAYS = 420  # enough rates to convert every order
CUSTOMERS_PER_SCALE = 5_000
ORDERS_PER_SCALE = 50_000
PRODUCTS_PER_SCALE = 500

Progress = Callable[[str], None]


@dataclass
class SandboxState:
    seed: int
    scale: float
    as_of: str  # the sandbox's "today": the last business day generated
    window_start: str  # first day of clickstream, telemetry and CRM files
    new_field_from: str  # the day `utm_campaign` first appears in the clickstream
    steps: int = 0  # how many `next-day` steps have run

    @property
    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    @property
    def demand(self) -> Demand:
        """The curve of the generated history (its last day is the window's), continued."""
        history_end = dt.date.fromisoformat(self.window_start) + dt.timedelta(days=WINDOW_DAYS - 1)
        return Demand(history_end, ORDER_DAYS)


def load_state(layout: SandboxLayout) -> SandboxState:
    if not layout.state_file.exists():
        raise NotReadyError(
            f"no sandbox at {layout.root}", "run `tributary sandbox generate` first"
        )
    return SandboxState(**json.loads(layout.state_file.read_text()))


def _save(layout: SandboxLayout, state: SandboxState, defects: Counter) -> None:
    layout.state_file.write_text(json.dumps(asdict(state), indent=2) + "\n")
    path = layout.ground_truth / "defects.json"
    previous = Counter(json.loads(path.read_text())) if path.exists() else Counter()
    previous.update(defects)
    path.write_text(json.dumps(dict(sorted(previous.items())), indent=2) + "\n")


def _append_identity(layout: SandboxLayout, customers: pa.Table, contacts: pa.Table) -> None:
    """Who is who: the ground truth of entity resolution, never loaded into the warehouse."""
    path = layout.ground_truth / "identity.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [] if path.exists() else ["system,record_id,person_id"]
    lines += [f"shop,{c},{c}" for c in customers["customer_id"].to_pylist()]
    lines += [
        f"crm,CRM-{contact:07d},{person}"
        for contact, person in zip(
            contacts["contact_id"].to_pylist(), contacts["person_id"].to_pylist(), strict=True
        )
    ]
    with path.open("a") as handle:
        handle.write("\n".join(lines) + "\n")


def _scaled(base: float, scale: float) -> int:
    return max(1, round(base * scale))


def generate(
    root: Path,
    seed: int = 42,
    scale: float = 1.0,
    as_of: dt.date = DEFAULT_AS_OF,
    progress: Progress = print,
) -> SandboxState:
    """Write a fresh sandbox under `root` (replacing one that is there)."""
    layout = SandboxLayout(root)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    state = SandboxState(
        seed=seed,
        scale=scale,
        as_of=as_of.isoformat(),
        window_start=window_start.isoformat(),
        new_field_from=(window_start + dt.timedelta(days=WINDOW_DAYS // 2)).isoformat(),
    )
    now = day_end(as_of)
    defects: Counter = Counter()
    started = time.perf_counter()

    def step(message: str) -> None:
        progress(f"  [{time.perf_counter() - started:6.1f}s] {message}")

    connection = shop.connect(layout.shop_db)
    with connection:
        shop.add_products(
            connection,
            rng_for(seed, "products"),
            _scaled(PRODUCTS_PER_SCALE, scale),
            day_start(as_of - dt.timedelta(days=HISTORY_DAYS + 30)),
        )
        customers = shop.add_customers(
            connection,
            rng_for(seed, "customers"),
            _scaled(CUSTOMERS_PER_SCALE, scale),
            day_start(as_of - dt.timedelta(days=HISTORY_DAYS)),
            now,
        )
        step(f"shop: {customers.num_rows:,} customers")
        order_rng = rng_for(seed, "orders")
        moments = state.demand.history_moments(order_rng, _scaled(ORDERS_PER_SCALE, scale))
        defects += shop.add_orders(connection, order_rng, seed, moments, now)
        # A shop with a history has had erasure requests before: a few, some weeks ago.
        erased = shop.erase_customers(
            connection,
            rng_for(seed, "erasures"),
            as_of - dt.timedelta(days=40),
            _scaled(10, scale),
        )
        defects["shop.customers_erased"] += len(erased)
        step("shop: orders, items, payments, shipments and past erasure requests")

    contacts = _crm_history(layout, state, customers, defects)
    _append_identity(layout, customers, contacts)
    step(f"crm: {contacts.num_rows:,} contacts, {WINDOW_DAYS} daily exports")

    days = days_between(window_start, as_of)
    defects += _clickstream(layout, state, connection, days)
    step(f"clickstream: {defects['web.events_written']:,} events")
    defects += _telemetry(layout, state, connection, days)
    step(f"telemetry: {defects['telemetry.readings_written']:,} readings")

    store = api_store.connect(layout.api_db)
    with store:
        api_store.write_rates(store, seed, as_of - dt.timedelta(days=FX_DAYS), as_of)
        defects += api_store.write_reviews(
            store, connection, rng_for(seed, "reviews"), seed, None, now
        )
    step(f"api: fx rates and {defects['reviews.written']:,} reviews")
    store.close()
    connection.close()
    _save(layout, state, defects)
    return state


def _crm_history(
    layout: SandboxLayout, state: SandboxState, customers: pa.Table, defects: Counter
) -> pa.Table:
    seed, today = state.seed, state.today
    latest = dt.datetime.combine(today, dt.time(23, 59, 59))
    rng = rng_for(seed, "crm")
    linked, counts = crm.contacts_for_customers(rng, customers, 1, latest)
    defects += counts
    leads, counts = crm.new_leads(
        rng,
        _scaled(CUSTOMERS_PER_SCALE * crm.LEAD_SHARE, state.scale),
        linked.num_rows + 1,
        1,
        day_start(today - dt.timedelta(days=HISTORY_DAYS)),
        day_end(today),
        customers,
    )
    defects += counts
    contacts = pa.concat_tables([linked, leads])
    crm.save_contacts(layout.root / "systems" / "crm_contacts.parquet", contacts)
    window_start = dt.date.fromisoformat(state.window_start)
    for day in days_between(window_start, today):
        _, counts = crm.write_export(
            rng_for(seed, "crm_export", day), contacts, day, layout.crm_dir, day == window_start
        )
        defects += counts
    return contacts


def _clickstream(
    layout: SandboxLayout,
    state: SandboxState,
    connection: sqlite3.Connection,
    days: list[dt.date],
    anomaly: str | None = None,
) -> Counter:
    customers = pa.table(
        dict(
            zip(
                ("customer_id", "country_code"),
                zip(
                    *connection.execute(
                        "select customer_id, country_code from customers where deleted_at is null"
                    ).fetchall(),
                    strict=True,
                ),
                strict=True,
            )
        )
    )
    product_ids = np.array([r[0] for r in connection.execute("select product_id from products")])
    new_field_from = dt.date.fromisoformat(state.new_field_from)
    batches = []
    for day in days:
        start, end = shop.sql_timestamps(np.array([day_start(day), day_end(day)]))
        orders = connection.execute(
            "select order_id, customer_id, channel, ordered_at from orders "
            "where ordered_at between ? and ? and channel in ('web', 'mobile_app')",
            (start, end),
        ).fetchall()
        orders_table = pa.table(
            {
                "order_id": pa.array([o[0] for o in orders], pa.int64()),
                "customer_id": pa.array([o[1] for o in orders], pa.int64()),
                "channel": pa.array([o[2] for o in orders], pa.string()),
                "ordered_at": pa.array(
                    np.array([o[3].replace(" ", "T") for o in orders], dtype="datetime64[s]")
                ),
            }
        )
        rng = rng_for(state.seed, "clickstream", day)
        # Browsing follows demand, scaled to the generated window's average day; an outage
        # (anomaly "volume") brings a tenth of the usual traffic.
        traffic = state.scale * state.demand.window_index(day, WINDOW_DAYS)
        if anomaly == "volume":
            traffic *= anomalies.VOLUME_SHARE
        sessions = clickstream.sessions_for_day(
            rng, state.seed, day, traffic, customers, orders_table
        )
        events = clickstream.events_for_sessions(rng, sessions, product_ids, day, new_field_from)
        if anomaly == "freshness":
            stalled = pa.scalar(anomalies.collected_until(day), pa.timestamp("ms"))
            events = events.filter(pc.less(events["occurred_at"], stalled))
        batches.append(events)
    return clickstream.write_batch(
        rng_for(state.seed, "clickstream_arrival", days[-1]),
        pa.concat_tables(batches),
        layout.clickstream_dir,
        day_end(days[-1]),
        new_field_from,
    )


def _telemetry(
    layout: SandboxLayout, state: SandboxState, connection: sqlite3.Connection, days: list[dt.date]
) -> Counter:
    defects: Counter = Counter()
    for day in days:
        table, counts = telemetry.readings_for_day(
            rng_for(state.seed, "telemetry", day), state.seed, connection, day
        )
        telemetry.write_day(table, layout.telemetry_dir, day)
        defects += counts
    return defects


def next_day(root: Path, progress: Progress = print, anomaly: str | None = None) -> SandboxState:
    """Advance the sandbox to the next business day, the way a business day changes things.

    Every calendar day in between (a weekend too: the shop sells on Sundays) gets new customers,
    orders and events, status changes, price changes, address and email changes and a few
    erasure requests; the CRM exports a file, the FX API publishes the new rate.

    `anomaly` (one of `anomalies.KINDS`) injects an incident into these days, for monitoring to
    catch; without it nothing differs from a normal day.
    """
    anomalies.check(anomaly)
    layout = SandboxLayout(root)
    state = load_state(layout)
    previous_end = day_end(state.today)
    new_today = next_business_day(state.today)
    days = days_between(state.today + dt.timedelta(days=1), new_today)
    seed, scale = state.seed, state.scale
    defects: Counter = Counter()
    connection = shop.connect(layout.shop_db)
    contacts_path = layout.root / "systems" / "crm_contacts.parquet"
    contacts = crm.load_contacts(contacts_path)
    first_new_order = shop.next_id(connection, "orders", "order_id")
    injected: Counter = Counter()
    # A partition held back by the last step (anomaly "late") arrives now, before today's files.
    delivered_late = anomalies.deliver_held_back(layout)
    if delivered_late:
        defects["web.late_files_delivered"] += delivered_late
    for day in days:
        rng = rng_for(seed, "next_day", day)
        end = day_end(day)
        with connection:
            customers = shop.add_customers(
                connection,
                rng,
                _scaled(CUSTOMERS_PER_SCALE / HISTORY_DAYS * 1.2, scale),
                day_start(day),
                end,
            )
            changes = shop.change_customers(connection, rng, day, share=0.002)
            erased = shop.erase_customers(connection, rng, day, _scaled(1.5, scale))
            repriced = shop.change_prices(connection, rng, day, share=0.02)
            orders = state.demand.day_count(rng, day, ORDERS_PER_SCALE / ORDER_DAYS * scale)
            if anomaly == "volume":
                orders = anomalies.reduced(orders)
            defects += shop.add_orders(connection, rng, seed, moments_on(rng, day, orders), end)
            if anomaly == "amounts":
                injected["orders_inflated"] += anomalies.inflate_amounts(
                    connection, day_start(day), end
                )
            if anomaly == "shift":
                injected["orders_shifted"] += anomalies.shift_channel(
                    connection, day_start(day), end
                )
            injected["orders_placed"] += orders
            shop.write_order_lifecycle(connection, seed, shop.open_orders(connection, end), end)
        defects["shop.customers_added"] += customers.num_rows
        defects["shop.customers_erased"] += len(erased)
        defects["shop.address_changes"] += changes["address"]
        defects["shop.email_changes"] += changes["email"]
        defects["shop.price_changes"] += repriced
        latest = dt.datetime.combine(day, dt.time(23, 59, 59))
        linked, counts = crm.contacts_for_customers(rng, customers, _next_contact(contacts), latest)
        defects += counts
        contacts = pa.concat_tables([contacts, linked]) if linked.num_rows else contacts
        contacts, edited = crm.update_contacts(rng, contacts, day, share=0.003)
        _append_identity(layout, customers, linked)
        _, counts = crm.write_export(
            rng_for(seed, "crm_export", day), contacts, day, layout.crm_dir, full=False
        )
        defects += counts
        defects["crm.contacts_edited"] += edited
        progress(f"  {day}: {customers.num_rows} new customers, {len(erased)} erased")
    crm.save_contacts(contacts_path, contacts)
    state.as_of = new_today.isoformat()
    if anomaly == "schema":
        with connection:
            injected["orders_with_coupon"] += anomalies.add_order_column(
                connection, rng_for(seed, "anomaly_coupons", new_today), first_new_order
            )
    clicks = _clickstream(layout, state, connection, days, anomaly)
    defects += clicks
    injected["events_written"] += clicks["web.events_written"]
    if anomaly == "late":
        injected["files_held_back"] += anomalies.hold_back_partition(layout, new_today)
    defects += _telemetry(layout, state, connection, days)
    store = api_store.connect(layout.api_db)
    with store:
        api_store.write_rates(store, seed, days[0], new_today)
        defects += api_store.write_reviews(
            store,
            connection,
            rng_for(seed, "reviews", new_today),
            seed,
            previous_end,
            day_end(new_today),
        )
    store.close()
    connection.close()
    state.steps += 1
    _save(layout, state, defects)
    if anomaly is not None:
        anomalies.record(layout, anomaly, days, dict(injected))
        progress(f"  injected anomaly {anomaly!r}: {anomalies.DESCRIPTIONS[anomaly]}")
    progress(f"  sandbox is now at {new_today} ({len(days)} day(s) advanced)")
    return state


def _next_contact(contacts: pa.Table) -> int:
    return int(np.max(contacts["contact_id"].to_numpy())) + 1
