"""The shop's OLTP database (SQLite): schema, first fill, and one business day of changes.

An order's whole life (payment, shipping, delivery, cancellation or return) is a fixed fate drawn
from its id, so the database's state at any moment can be recomputed: the first fill writes the
state at the sandbox's "today", and `next-day` writes only what changed since.

Like many application databases, this one declares foreign keys but never switched SQLite's
enforcement on, so a few legacy rows break them; those are injected on purpose and counted.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from sandbox.common import (
    SECONDS_PER_DAY,
    day_start,
    hashed_uniform,
    sql_timestamps,
    to_date,
)
from sandbox.fx import daily_rates
from sandbox.people import make_email, new_customers, street_address
from sandbox.reference import (
    COUNTRY_BY_CODE,
    CURRENCY_DECIMALS,
    PRODUCT_ADJECTIVES,
    PRODUCT_CATEGORIES,
    PRODUCT_NOUNS,
)

SCHEMA = """
create table if not exists customers (
    customer_id integer primary key,
    email text,
    first_name text,
    last_name text,
    phone text,
    birth_date date,
    street text,
    city text,
    postcode text,
    country_code text not null,
    marketing_opt_in boolean,
    created_at datetime not null,
    updated_at datetime not null,
    deleted_at datetime
);
create table if not exists products (
    product_id integer primary key,
    sku text not null unique,
    name text not null,
    category text,
    price numeric(12, 2) not null,
    currency_code text not null,
    created_at datetime not null,
    updated_at datetime not null,
    deleted_at datetime
);
create table if not exists orders (
    order_id integer primary key,
    customer_id integer not null references customers (customer_id),
    channel text not null,
    status text not null,
    currency_code text not null,
    total_amount numeric(12, 2) not null,
    ordered_at datetime not null,
    created_at datetime not null,
    updated_at datetime not null,
    deleted_at datetime
);
create table if not exists order_items (
    order_item_id integer primary key,
    order_id integer not null references orders (order_id),
    product_id integer references products (product_id),
    quantity integer not null,
    unit_price numeric(12, 2) not null,
    created_at datetime not null,
    updated_at datetime not null
);
create table if not exists payments (
    payment_id integer primary key,
    order_id integer references orders (order_id),
    method text not null,
    status text not null,
    amount numeric(12, 2) not null,
    currency_code text not null,
    card_last4 text,
    paid_at datetime,
    created_at datetime not null,
    updated_at datetime not null
);
create table if not exists shipments (
    shipment_id integer primary key,
    order_id integer not null references orders (order_id),
    carrier text not null,
    tracking_number text not null,
    vehicle_id text not null,
    status text not null,
    ship_to_street text,
    ship_to_city text,
    ship_to_postcode text,
    ship_to_country text,
    shipped_at datetime not null,
    delivered_at datetime,
    created_at datetime not null,
    updated_at datetime not null
);
create table if not exists erasure_requests (
    request_id integer primary key,
    customer_id integer not null references customers (customer_id),
    requested_at datetime not null,
    created_at datetime not null,
    updated_at datetime not null
);
create index if not exists customers_updated_at on customers (updated_at);
create index if not exists products_updated_at on products (updated_at);
create index if not exists orders_updated_at on orders (updated_at);
create index if not exists order_items_updated_at on order_items (updated_at);
create index if not exists payments_updated_at on payments (updated_at);
create index if not exists shipments_updated_at on shipments (updated_at);
create index if not exists erasure_requests_updated_at on erasure_requests (updated_at);
create index if not exists orders_ordered_at on orders (ordered_at);
create index if not exists order_items_order_id on order_items (order_id);
create index if not exists shipments_shipped_at on shipments (shipped_at);
"""

CHANNELS = ("web", "mobile_app", "marketplace")
CARRIERS = ("DHL", "UPS", "FedEx", "Royal Mail", "Correios", "Yamato")
PAYMENT_METHODS = {
    "BR": ("card", "boleto", "pix"),
    "JP": ("card", "konbini"),
    "DE": ("card", "paypal", "sepa_debit"),
    "NL": ("card", "ideal"),
}
DEFAULT_PAYMENT_METHODS = ("card", "paypal")
VEHICLES_PER_SCALE = 40
# Defect rates: small, as in a real legacy database, but enough to exercise every rule.
NEGATIVE_QUANTITY_RATE = 0.001
ORPHAN_PRODUCT_RATE = 0.0005
UNKNOWN_CURRENCY_RATE = 0.0005
MISSING_ORDER_KEY_RATE = 0.0005
UNKNOWN_CURRENCY = "BTC"  # a short-lived crypto checkout, long since removed from the app


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    return connection


def insert_rows(connection: sqlite3.Connection, table: str, columns: dict[str, list]) -> int:
    """Insert or update rows given as columns; returns the number of rows written."""
    names = list(columns)
    key = names[0]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
    sql = (
        f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))}) "
        f"on conflict ({key}) do update set {updates}"
    )
    rows = list(zip(*columns.values(), strict=True))
    connection.executemany(sql, rows)
    return len(rows)


def next_id(connection: sqlite3.Connection, table: str, key: str) -> int:
    return int(connection.execute(f"select coalesce(max({key}), 0) + 1 from {table}").fetchone()[0])


# ---------------------------------------------------------------- customers and products


def add_customers(
    connection: sqlite3.Connection,
    rng: np.random.Generator,
    count: int,
    created_from: np.datetime64,
    created_to: np.datetime64,
) -> pa.Table:
    customers = new_customers(
        rng,
        next_id(connection, "customers", "customer_id"),
        count,
        created_from,
        created_to,
    )
    created = sql_timestamps(customers["created_at"].to_numpy())
    insert_rows(
        connection,
        "customers",
        {
            "customer_id": customers["customer_id"].to_pylist(),
            "email": customers["email"].to_pylist(),
            "first_name": customers["first_name"].to_pylist(),
            "last_name": customers["last_name"].to_pylist(),
            "phone": customers["phone"].to_pylist(),
            "birth_date": [d.isoformat() for d in customers["birth_date"].to_pylist()],
            "street": customers["street"].to_pylist(),
            "city": customers["city"].to_pylist(),
            "postcode": customers["postcode"].to_pylist(),
            "country_code": customers["country_code"].to_pylist(),
            "marketing_opt_in": customers["marketing_opt_in"].to_pylist(),
            "created_at": created,
            "updated_at": created,
        },
    )
    return customers


def add_products(
    connection: sqlite3.Connection,
    rng: np.random.Generator,
    count: int,
    created_at: np.datetime64,
) -> None:
    first = next_id(connection, "products", "product_id")
    ids = list(range(first, first + count))
    names, categories = [], []
    for _ in ids:
        canonical, spellings = PRODUCT_CATEGORIES[rng.integers(0, len(PRODUCT_CATEGORIES))]
        nouns = PRODUCT_NOUNS[canonical]
        adjective = PRODUCT_ADJECTIVES[rng.integers(0, len(PRODUCT_ADJECTIVES))]
        names.append(f"{adjective} {nouns[rng.integers(0, len(nouns))]}")
        categories.append(spellings[rng.integers(0, len(spellings))])
    prices = np.round(np.exp(rng.normal(3.3, 0.8, size=count)), 2).clip(2.5, 900)
    stamp = sql_timestamps(np.full(count, created_at))
    insert_rows(
        connection,
        "products",
        {
            "product_id": ids,
            "sku": [f"SKU-{i:06d}" for i in ids],
            "name": names,
            "category": categories,
            "price": prices.tolist(),
            "currency_code": ["USD"] * count,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )


# ---------------------------------------------------------------- orders and their fate


@dataclass
class OrderFate:
    """When each order's events happen; NaT where an event never happens."""

    paid_at: np.ndarray
    failed_payment_at: np.ndarray
    shipped_at: np.ndarray
    delivered_at: np.ndarray
    cancelled_at: np.ndarray
    returned_at: np.ndarray


def order_fate(order_ids: np.ndarray, ordered_at: np.ndarray, seed: int) -> OrderFate:
    def draw(salt: str) -> np.ndarray:
        return hashed_uniform(order_ids, salt, seed)

    def seconds(low: float, high: float, salt: str) -> np.ndarray:
        return (low + draw(salt) * (high - low)).astype("timedelta64[s]")

    nat = np.full(len(order_ids), np.datetime64("NaT"), dtype="datetime64[s]")
    outcome = draw("outcome")
    cancelled = outcome < 0.04
    returned = (outcome >= 0.04) & (outcome < 0.08)
    failed_first = draw("failed_payment") < 0.03
    paid_at = ordered_at + seconds(60, 1800, "paid")
    failed_at = np.where(failed_first, ordered_at + np.timedelta64(30, "s"), nat)
    shipped_at = ordered_at + seconds(12 * 3600, 48 * 3600, "shipped")
    delivered_at = shipped_at + seconds(4 * 3600, 72 * 3600, "transit")
    cancelled_at = ordered_at + seconds(2 * 3600, 11 * 3600, "cancelled")
    returned_at = delivered_at + seconds(3 * SECONDS_PER_DAY, 10 * SECONDS_PER_DAY, "returned")
    return OrderFate(
        paid_at=paid_at,
        failed_payment_at=failed_at,
        shipped_at=np.where(cancelled, nat, shipped_at),
        delivered_at=np.where(cancelled, nat, delivered_at),
        cancelled_at=np.where(cancelled, cancelled_at, nat),
        returned_at=np.where(returned, returned_at, nat),
    )


def _happened(moments: np.ndarray, now: np.datetime64) -> np.ndarray:
    return ~np.isnat(moments) & (moments <= now)


def order_status(fate: OrderFate, ordered_at: np.ndarray, now: np.datetime64):
    """(status, time of the last change) of each order at `now`."""
    status = np.full(len(ordered_at), "placed", dtype=object)
    changed = ordered_at.copy()
    for name, moments in (
        ("paid", fate.paid_at),
        ("shipped", fate.shipped_at),
        ("delivered", fate.delivered_at),
        ("cancelled", fate.cancelled_at),
        ("returned", fate.returned_at),
    ):
        happened = _happened(moments, now)
        status[happened] = name
        changed = np.where(happened, moments, changed)
    return status, changed


def customers_signed_up(
    rng: np.random.Generator, created: np.ndarray, activity: np.ndarray, moments: np.ndarray
) -> np.ndarray:
    """For each moment, the index of a customer who had signed up by then, drawn by activity.

    Customers sorted by sign-up form a growing prefix; a draw below the prefix's cumulative
    activity picks one of them, so that no order predates its customer.
    """
    by_signup = np.argsort(created, kind="stable")
    cumulative = np.cumsum(activity[by_signup])
    signed_up = np.searchsorted(created[by_signup], moments.astype("datetime64[s]"), side="right")
    signed_up = signed_up.clip(min=1)  # before the first sign-up: the first customer
    draws = rng.random(len(moments)) * cumulative[signed_up - 1]
    picked = np.searchsorted(cumulative, draws, side="right").clip(max=signed_up - 1)
    return by_signup[picked]


def add_orders(
    connection: sqlite3.Connection,
    rng: np.random.Generator,
    seed: int,
    moments: np.ndarray,
    now: np.datetime64,
) -> Counter:
    """Place an order at each of the sorted `moments` (sandbox.demand draws them), with items,
    by a customer who had signed up by then; returns the defects injected."""
    count = len(moments)
    if count == 0:
        return Counter()
    customers = connection.execute(
        "select customer_id, country_code, created_at from customers where deleted_at is null"
    ).fetchall()
    products = connection.execute(
        "select product_id, price from products where deleted_at is null"
    ).fetchall()
    customer_ids = np.array([c[0] for c in customers])
    countries = np.array([c[1] for c in customers])
    created = np.array([c[2].replace(" ", "T") for c in customers], dtype="datetime64[s]")
    # A few loyal customers order far more often than most: a heavy-tailed activity weight.
    activity = hashed_uniform(customer_ids, "activity", seed) ** 3 + 0.02
    chosen = customers_signed_up(rng, created, activity, moments)
    # An order placed before the first sign-up waits for it (never happens past a day's start).
    ordered_at = np.maximum(moments.astype("datetime64[s]"), created[chosen])
    by_time = np.argsort(ordered_at, kind="stable")
    chosen, ordered_at = chosen[by_time], ordered_at[by_time]
    first_order = next_id(connection, "orders", "order_id")
    order_ids = np.arange(first_order, first_order + count, dtype=np.int64)
    order_countries = countries[chosen]
    currencies = np.array([COUNTRY_BY_CODE[c].currency for c in order_countries], dtype=object)
    defects: Counter = Counter()
    unknown_currency = rng.random(count) < UNKNOWN_CURRENCY_RATE
    currencies[unknown_currency] = UNKNOWN_CURRENCY
    defects["shop.orders.unknown_currency"] += int(unknown_currency.sum())

    # Items: one to five lines per order, priced in the order's currency at that day's rate.
    lines = rng.geometric(0.55, size=count).clip(max=5)
    item_orders = np.repeat(np.arange(count), lines)
    product_pick = rng.integers(0, len(products), size=len(item_orders))
    product_ids = np.array([p[0] for p in products])[product_pick]
    usd_prices = np.array([float(p[1]) for p in products])[product_pick]
    quantity = rng.geometric(0.7, size=len(item_orders)).clip(max=4)
    first_day, last_day = to_date(ordered_at[0]), to_date(ordered_at[-1])
    rates = daily_rates(seed, first_day, last_day)
    day_index = ((ordered_at.astype("datetime64[D]") - np.datetime64(first_day)).astype(np.int64))[
        item_orders
    ]
    item_currency = currencies[item_orders]
    unit_price = np.empty(len(item_orders))
    for currency in set(item_currency.tolist()):
        mask = item_currency == currency
        rate = rates.get(currency, rates["USD"])  # an unknown currency was priced as USD
        per_usd = rate[day_index[mask]] / rates["USD"][day_index[mask]]
        decimals = CURRENCY_DECIMALS.get(currency, 2)
        unit_price[mask] = np.round(usd_prices[mask] * per_usd, decimals)
    negative = rng.random(len(item_orders)) < NEGATIVE_QUANTITY_RATE
    quantity = np.where(negative, -quantity, quantity)
    defects["shop.order_items.negative_quantity"] += int(negative.sum())
    orphan = rng.random(len(item_orders)) < ORPHAN_PRODUCT_RATE
    product_ids = np.where(orphan, 900_000 + np.arange(len(item_orders)), product_ids)
    defects["shop.order_items.orphan_product"] += int(orphan.sum())
    totals = np.round(np.bincount(item_orders, weights=unit_price * quantity, minlength=count), 2)

    fate = order_fate(order_ids, ordered_at, seed)
    status, changed = order_status(fate, ordered_at, now)
    channels = rng.choice(CHANNELS, size=count, p=[0.55, 0.35, 0.10])
    placed = sql_timestamps(ordered_at)
    insert_rows(
        connection,
        "orders",
        {
            "order_id": order_ids.tolist(),
            "customer_id": customer_ids[chosen].tolist(),
            "channel": channels.tolist(),
            "status": status.tolist(),
            "currency_code": currencies.tolist(),
            "total_amount": totals.tolist(),
            "ordered_at": placed,
            "created_at": placed,
            "updated_at": sql_timestamps(changed),
        },
    )
    first_item = next_id(connection, "order_items", "order_item_id")
    item_times = sql_timestamps(ordered_at[item_orders])
    insert_rows(
        connection,
        "order_items",
        {
            "order_item_id": list(range(first_item, first_item + len(item_orders))),
            "order_id": order_ids[item_orders].tolist(),
            "product_id": product_ids.tolist(),
            "quantity": quantity.tolist(),
            "unit_price": unit_price.tolist(),
            "created_at": item_times,
            "updated_at": item_times,
        },
    )
    defects += write_order_lifecycle(connection, seed, order_ids, now)
    return defects


def write_order_lifecycle(
    connection: sqlite3.Connection, seed: int, order_ids: np.ndarray, now: np.datetime64
) -> Counter:
    """Bring orders, payments and shipments of these orders to their state at `now`.

    Writes only rows that are new or whose status changed, with `updated_at` set to the moment
    of the change, as the application would. Payment and shipment ids derive from the order id
    (payment 2n is a failed first attempt, 2n+1 the payment; shipment n ships order n), so the
    same state is never written twice.
    """
    if len(order_ids) == 0:
        return Counter()
    orders = read_stored_orders(connection, order_ids)
    # The fate is recomputed from each order's id and time, never stored: the state at `now`
    # follows from it, and comparing with what is stored says what changed since the last write.
    fate = order_fate(orders.order_id, orders.ordered_at, seed)
    update_order_status(connection, orders, fate, now)
    defects = write_payments(connection, orders, fate, seed, now)
    write_shipments(connection, orders, fate, seed, now)
    return defects


class StoredOrderRow(NamedTuple):
    """One row of STORED_ORDERS_SQL, in its column order (read_stored_orders checks that)."""

    order_id: int
    ordered_at: str
    status: str
    total_amount: float
    currency_code: str
    country_code: str
    street: str | None
    city: str | None
    postcode: str | None
    payment_status: str | None  # None: the order's payment (id 2n+1) is not written yet
    shipment_status: str | None  # None: the order has not shipped yet
    failed_payment_status: str | None  # None: no failed first attempt (id 2n) written yet


# Each order as stored, with what a payment or shipment copies from it (the amount, the
# customer's country and address) and the status of the rows it already has: the ids of those
# rows derive from the order id, so a left join on them says what exists.
STORED_ORDERS_SQL = """
select o.order_id, o.ordered_at, o.status, o.total_amount, o.currency_code,
       c.country_code, c.street, c.city, c.postcode,
       p.status as payment_status, s.status as shipment_status,
       f.status as failed_payment_status
from orders o
join customers c using (customer_id)
left join payments p on p.payment_id = o.order_id * 2 + 1
left join payments f on f.payment_id = o.order_id * 2
left join shipments s on s.shipment_id = o.order_id
where o.order_id in ({placeholders})
"""


@dataclass(frozen=True)
class StoredOrders:
    """The orders of STORED_ORDERS_SQL column by column (element i of each is the i-th order):
    the fate and the status rules are numpy array arithmetic over all orders at once."""

    order_id: np.ndarray  # int64
    ordered_at: np.ndarray  # datetime64[s]
    status: np.ndarray  # object (str)
    total_amount: np.ndarray  # float64
    currency_code: np.ndarray  # object (str)
    country_code: np.ndarray  # object (str)
    street: np.ndarray  # object (str or None); likewise city and postcode
    city: np.ndarray
    postcode: np.ndarray
    payment_status: np.ndarray  # object (str or None), as in StoredOrderRow
    shipment_status: np.ndarray
    failed_payment_status: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[StoredOrderRow]) -> StoredOrders:
        def objects(field: str) -> np.ndarray:
            return np.array([getattr(row, field) for row in rows], dtype=object)

        return cls(
            order_id=np.array([row.order_id for row in rows], dtype=np.int64),
            # SQLite keeps "YYYY-MM-DD HH:MM:SS"; numpy reads the ISO form with a T
            ordered_at=np.array(
                [row.ordered_at.replace(" ", "T") for row in rows], dtype="datetime64[s]"
            ),
            status=objects("status"),
            # numeric affinity: SQLite returns a whole amount as an int
            total_amount=np.array([float(row.total_amount) for row in rows]),
            currency_code=objects("currency_code"),
            country_code=objects("country_code"),
            street=objects("street"),
            city=objects("city"),
            postcode=objects("postcode"),
            payment_status=objects("payment_status"),
            shipment_status=objects("shipment_status"),
            failed_payment_status=objects("failed_payment_status"),
        )


def read_stored_orders(connection: sqlite3.Connection, order_ids: np.ndarray) -> StoredOrders:
    """These orders as the database holds them now (an order whose customer row is missing is
    left out: it has no country to pay or ship in)."""
    placeholders = ",".join("?" * len(order_ids))
    cursor = connection.execute(
        STORED_ORDERS_SQL.format(placeholders=placeholders), order_ids.tolist()
    )
    # The rows are read by name: the query and the NamedTuple must list the same columns.
    selected = tuple(column[0] for column in cursor.description)
    if selected != StoredOrderRow._fields:
        raise AssertionError(f"STORED_ORDERS_SQL selects {selected}, not StoredOrderRow's fields")
    return StoredOrders.from_rows([StoredOrderRow(*row) for row in cursor.fetchall()])


def update_order_status(
    connection: sqlite3.Connection, orders: StoredOrders, fate: OrderFate, now: np.datetime64
) -> None:
    """Orders whose status at `now` differs from the stored one move to it, stamped with the
    moment of the change."""
    status, changed = order_status(fate, orders.ordered_at, now)
    moved = status != orders.status
    connection.executemany(
        "update orders set status = ?, updated_at = ? where order_id = ?",
        zip(
            status[moved].tolist(),
            sql_timestamps(changed[moved]),
            orders.order_id[moved].tolist(),
            strict=True,
        ),
    )


@dataclass(frozen=True)
class PaymentDetails:
    """What every payment row of an order carries, whichever attempt it is (one per order)."""

    method: np.ndarray  # object: card, paypal, pix, ... (the country's usual means)
    card_last4: np.ndarray  # object: four digits for a card, None otherwise
    order_key: np.ndarray  # object: the order id, or None where the app lost it (a defect)
    missing_order_key: np.ndarray  # bool: order_key is None


def payment_details(orders: StoredOrders, seed: int) -> PaymentDetails:
    # Hashed draws from the order id, not the generator's stream: the same order gets the same
    # method and card on the day it is paid and on the day it is refunded.
    method_draw = hashed_uniform(orders.order_id, "method", seed)
    method = np.array(
        [
            _pick(PAYMENT_METHODS.get(country, DEFAULT_PAYMENT_METHODS), draw)
            for country, draw in zip(orders.country_code, method_draw, strict=True)
        ],
        dtype=object,
    )
    last4 = (hashed_uniform(orders.order_id, "card", seed) * 10_000).astype(int)
    card = np.array([f"{digits:04d}" for digits in last4], dtype=object)
    card[method != "card"] = None
    missing = hashed_uniform(orders.order_id, "missing_order_key", seed) < MISSING_ORDER_KEY_RATE
    return PaymentDetails(
        method=method,
        card_last4=card,
        order_key=np.where(missing, None, orders.order_id.astype(object)),
        missing_order_key=missing,
    )


def write_payments(
    connection: sqlite3.Connection,
    orders: StoredOrders,
    fate: OrderFate,
    seed: int,
    now: np.datetime64,
) -> Counter:
    """Payments: a failed first attempt for a few orders, the payment, and its refund when the
    order is cancelled or returned; returns the defects injected (payments without order key)."""
    refund_at = np.where(np.isnat(fate.cancelled_at), fate.returned_at, fate.cancelled_at)
    refunded = _happened(refund_at, now)
    payment_status = np.where(refunded, "refunded", "succeeded")
    payment_changed = np.where(refunded, refund_at, fate.paid_at)
    # a payment row is (re)written when it is due and its status is not the stored one
    write_payment = _happened(fate.paid_at, now) & (payment_status != orders.payment_status)
    # a failed attempt never changes: written once
    write_failed = _happened(fate.failed_payment_at, now) & _is_none(orders.failed_payment_status)
    details = payment_details(orders, seed)
    new_payment = write_payment & _is_none(orders.payment_status)
    # Both the failed attempt and the payment of such an order lack the key: count each row.
    defects: Counter = Counter()
    defects["shop.payments.missing_order_key"] += int(
        (details.missing_order_key & new_payment).sum()
    ) + int((details.missing_order_key & write_failed).sum())
    never = np.full(len(orders.order_id), np.datetime64("NaT"), dtype="datetime64[s]")
    insert_payments(
        connection,
        orders,
        details,
        write_failed,
        payment_ids=orders.order_id * 2,
        status="failed",
        paid_at=never,
        created_at=fate.failed_payment_at,
        updated_at=fate.failed_payment_at,
    )
    insert_payments(
        connection,
        orders,
        details,
        write_payment,
        payment_ids=orders.order_id * 2 + 1,
        status=payment_status,
        paid_at=fate.paid_at,
        created_at=fate.paid_at,
        updated_at=payment_changed,
    )
    return defects


def insert_payments(
    connection: sqlite3.Connection,
    orders: StoredOrders,
    details: PaymentDetails,
    selected: np.ndarray,
    *,
    payment_ids: np.ndarray,
    status: str | np.ndarray,
    paid_at: np.ndarray,
    created_at: np.ndarray,
    updated_at: np.ndarray,
) -> None:
    """Insert or update the payment rows of the `selected` orders (a boolean mask); every array
    argument holds one value per order, `status` one for all or one per order."""
    if not selected.any():
        return
    insert_rows(
        connection,
        "payments",
        {
            "payment_id": payment_ids[selected].tolist(),
            "order_id": details.order_key[selected].tolist(),
            "method": details.method[selected].tolist(),
            "status": np.broadcast_to(np.asarray(status), selected.shape)[selected].tolist(),
            "amount": orders.total_amount[selected].tolist(),
            "currency_code": orders.currency_code[selected].tolist(),
            "card_last4": details.card_last4[selected].tolist(),
            "paid_at": sql_timestamps(paid_at[selected]),
            "created_at": sql_timestamps(created_at[selected]),
            "updated_at": sql_timestamps(updated_at[selected]),
        },
    )


def write_shipments(
    connection: sqlite3.Connection,
    orders: StoredOrders,
    fate: OrderFate,
    seed: int,
    now: np.datetime64,
) -> None:
    """Shipments: created when the order ships, updated when it is delivered; shipped to the
    customer's address as it is when the row is written."""
    shipped = _happened(fate.shipped_at, now)
    delivered = _happened(fate.delivered_at, now)
    status = np.where(delivered, "delivered", "in_transit")
    write = shipped & (status != orders.shipment_status)
    if not write.any():
        return
    pick = np.flatnonzero(write)
    ids = orders.order_id
    carrier_draw = hashed_uniform(ids, "carrier", seed)
    vehicles = vehicle_ids(ids, seed)
    insert_rows(
        connection,
        "shipments",
        {
            "shipment_id": ids[pick].tolist(),
            "order_id": ids[pick].tolist(),
            "carrier": [CARRIERS[int(carrier_draw[i] * len(CARRIERS))] for i in pick],
            "tracking_number": [f"TRK{ids[i]:010d}" for i in pick],
            "vehicle_id": vehicles[pick].tolist(),
            "status": status[pick].tolist(),
            "ship_to_street": orders.street[pick].tolist(),
            "ship_to_city": orders.city[pick].tolist(),
            "ship_to_postcode": orders.postcode[pick].tolist(),
            "ship_to_country": orders.country_code[pick].tolist(),
            "shipped_at": sql_timestamps(fate.shipped_at[pick]),
            "delivered_at": sql_timestamps(
                np.where(delivered, fate.delivered_at, np.datetime64("NaT"))[pick]
            ),
            "created_at": sql_timestamps(fate.shipped_at[pick]),
            "updated_at": sql_timestamps(
                np.where(delivered, fate.delivered_at, fate.shipped_at)[pick]
            ),
        },
    )


def vehicle_ids(
    order_ids: np.ndarray, seed: int, fleet_size: int = VEHICLES_PER_SCALE
) -> np.ndarray:
    vehicle = (hashed_uniform(order_ids, "vehicle", seed) * fleet_size).astype(int) + 1
    return np.array([f"VAN-{v:04d}" for v in vehicle], dtype=object)


# ---------------------------------------------------------------- a business day's changes


def change_customers(
    connection: sqlite3.Connection, rng: np.random.Generator, day: dt.date, share: float
) -> dict[str, int]:
    """Some customers move house and some change email, during the day."""
    active = [
        row[0]
        for row in connection.execute(
            "select customer_id from customers where deleted_at is null order by customer_id"
        )
    ]
    changes = {"address": 0, "email": 0}
    for kind in changes:
        count = rng.binomial(len(active), share)
        for customer_id in rng.choice(active, size=count, replace=False).tolist():
            moment = sql_timestamps(
                np.array([day_start(day) + np.timedelta64(int(rng.integers(0, 86_399)), "s")])
            )[0]
            first, last, country = connection.execute(
                "select first_name, last_name, country_code from customers where customer_id = ?",
                (customer_id,),
            ).fetchone()
            if kind == "address":
                street, city, code = street_address(rng, COUNTRY_BY_CODE[country])
                connection.execute(
                    "update customers set street = ?, city = ?, postcode = ?, updated_at = ? "
                    "where customer_id = ?",
                    (street, city, code, moment, customer_id),
                )
            else:
                email = make_email(rng, first, last, customer_id).replace("@", ".new@")
                connection.execute(
                    "update customers set email = ?, updated_at = ? where customer_id = ?",
                    (email, moment, customer_id),
                )
            changes[kind] += 1
    return changes


def erase_customers(
    connection: sqlite3.Connection, rng: np.random.Generator, day: dt.date, count: int
) -> list[int]:
    """Customers who asked to be forgotten: the app records the request, blanks their personal
    data and soft-deletes the account. Copies elsewhere are the data platform's to erase."""
    moment = sql_timestamps(np.array([day_start(day) + np.timedelta64(10 * 3600, "s")]))[0]
    # Only someone who had an account by then can ask for its erasure.
    candidates = [
        row[0]
        for row in connection.execute(
            "select customer_id from customers where deleted_at is null and created_at < ? "
            "order by customer_id",
            (moment,),
        )
    ]
    erased = sorted(
        rng.choice(candidates, size=min(count, len(candidates)), replace=False).tolist()
    )
    first_request = next_id(connection, "erasure_requests", "request_id")
    for offset, customer_id in enumerate(erased):
        connection.execute(
            "update customers set email = null, first_name = null, last_name = null, "
            "phone = null, birth_date = null, street = null, city = null, postcode = null, "
            "deleted_at = ?, updated_at = ? where customer_id = ?",
            (moment, moment, customer_id),
        )
        connection.execute(
            "insert into erasure_requests values (?, ?, ?, ?, ?)",
            (first_request + offset, customer_id, moment, moment, moment),
        )
    return erased


def change_prices(
    connection: sqlite3.Connection, rng: np.random.Generator, day: dt.date, share: float
) -> int:
    products = [
        row
        for row in connection.execute(
            "select product_id, price from products where deleted_at is null order by product_id"
        )
    ]
    count = rng.binomial(len(products), share)
    picked = rng.choice(len(products), size=count, replace=False)
    moment = sql_timestamps(np.array([day_start(day) + np.timedelta64(6 * 3600, "s")]))[0]
    for index in picked.tolist():
        product_id, price = products[index]
        new_price = round(float(price) * float(rng.uniform(0.85, 1.15)), 2)
        connection.execute(
            "update products set price = ?, updated_at = ? where product_id = ?",
            (new_price, moment, product_id),
        )
    return count


def open_orders(connection: sqlite3.Connection, since: np.datetime64) -> np.ndarray:
    """Orders young enough that their fate may still move them (every fate ends within 16 days)."""
    cutoff = sql_timestamps(np.array([since - np.timedelta64(20 * SECONDS_PER_DAY, "s")]))[0]
    return np.array(
        [
            r[0]
            for r in connection.execute(
                "select order_id from orders where ordered_at > ?", (cutoff,)
            )
        ],
        dtype=np.int64,
    )


def _is_none(values: np.ndarray) -> np.ndarray:
    return np.array([value is None for value in values], dtype=bool)


def _pick(options: tuple[str, ...], draw: float) -> str:
    return options[min(int(draw * len(options)), len(options) - 1)]
