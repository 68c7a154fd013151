"""The sandbox API and the fx and reviews sources, end to end: a real HTTP server on 127.0.0.1
reading a real SQLite store, real dlt runs into a real DuckDB file. No mocks.

The store is built here, small: about 60 business days of rates (March to May 2026, so Good
Friday, Easter Monday and Labour Day are missing as they are from the ECB's series) and 300
reviews. Retries are made fast through dlt's `[runtime]` settings, set in the environment.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dlt
import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.sources.errors import explain_api_error
from ingestion.sources.fx import fx_source
from ingestion.sources.reviews import reviews_source
from sandbox.api import ApiBehaviour, RunningApi, frankfurter_round, start_api_server

TOKEN = "test-token"
CURRENCIES = {"USD": 1.08, "GBP": 0.85, "JPY": 160.0, "BRL": 5.9}
FIRST_DAY, LAST_DAY = dt.date(2026, 3, 2), dt.date(2026, 5, 22)  # a Monday, a Friday
HOLIDAYS = {dt.date(2026, 4, 3), dt.date(2026, 4, 6), dt.date(2026, 5, 1)}  # TARGET closed
NEXT_BUSINESS_DAY = dt.date(2026, 5, 25)
REVIEW_COUNT = 300
REVIEWS_START = dt.datetime(2026, 3, 1, 8, 0, 0)

STORE_SCHEMA = """
create table fx_rates (
    rate_date text not null, currency text not null, rate_per_eur real not null,
    primary key (rate_date, currency)
);
create table reviews (
    review_id integer primary key, product_id integer, customer_id integer, order_id integer,
    rating integer, title text, body text, language text, verified_purchase integer,
    created_at text not null, updated_at text not null
);
"""


def business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5 and day not in HOLIDAYS]


def rates_on(day: dt.date) -> dict[str, float]:
    """A deterministic rate per EUR for each currency on `day`, at ECB-like precision."""
    drift = 1 + 0.0007 * ((day - FIRST_DAY).days % 17 - 8)
    return {c: round(r * drift, 2 if r > 100 else 4) for c, r in CURRENCIES.items()}


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def insert_rates(store: Path, days: list[dt.date]) -> None:
    with sqlite3.connect(store) as connection:
        connection.executemany(
            "insert into fx_rates values (?, ?, ?)",
            [(d.isoformat(), c, r) for d in days for c, r in rates_on(d).items()],
        )


def review_row(review_id: int, written: dt.datetime) -> tuple[Any, ...]:
    rating = 1 + review_id % 5
    return (
        review_id,
        100 + review_id % 37,
        1000 + review_id % 91,
        5000 + review_id,
        rating,
        f"Title {rating}",
        f"Review text number {review_id}.",
        ("en", "de", "fr")[review_id % 3],
        review_id % 4 != 0,
        iso(written),
        iso(written),
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "api.sqlite"
    with sqlite3.connect(path) as connection:
        connection.executescript(STORE_SCHEMA)
        connection.executemany(
            "insert into reviews values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                review_row(n, REVIEWS_START + dt.timedelta(hours=5 * n))
                for n in range(1, REVIEW_COUNT + 1)
            ],
        )
    insert_rates(path, business_days(FIRST_DAY, LAST_DAY))
    return path


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """dlt's HTTP retry settings ([runtime] section), read when a source is created."""
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "10")
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.01")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "0.5")  # caps Retry-After: 1 too
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")


@pytest.fixture
def start_api(store: Path) -> Iterator[Callable[..., RunningApi]]:
    running: list[RunningApi] = []

    def start(**behaviour: Any) -> RunningApi:
        api = start_api_server(store, ApiBehaviour(token=TOKEN, **behaviour))
        running.append(api)
        return api

    yield start
    for api in running:
        api.stop()


def make_pipeline(tmp_path: Path, name: str, dataset: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        dataset_name=dataset,
        pipelines_dir=str(tmp_path / "pipelines"),
    )


def query(pipeline: dlt.Pipeline, sql: str) -> list[tuple[Any, ...]]:
    with pipeline.sql_client() as client:
        return [tuple(row) for row in client.execute_sql(sql)]


def rows_normalized(pipeline: dlt.Pipeline, table: str) -> int:
    """Rows the last run normalized (and so loaded) into `table`."""
    return pipeline.last_trace.last_normalize_info.row_counts.get(table, 0)


# ---------------------------------------------------------------------------------------------
# FX


def test_fx_loads_every_business_day_then_only_what_is_new(
    tmp_path: Path, store: Path, start_api: Callable[..., RunningApi]
) -> None:
    api = start_api(error_rate=0.0)
    days = business_days(FIRST_DAY, LAST_DAY)
    pipeline = make_pipeline(tmp_path, "fx_test", "raw_fx")

    def load() -> None:
        source = fx_source(f"{api.url}/v1/", start_date=FIRST_DAY.isoformat())
        pipeline.run(source, loader_file_format="parquet")

    load()
    assert rows_normalized(pipeline, "rates") == len(days) * len(CURRENCIES)
    assert query(pipeline, "select count(*), count(distinct rate_date) from rates") == [
        (len(days) * len(CURRENCIES), len(days))
    ]
    loaded_days = {row[0] for row in query(pipeline, "select distinct rate_date from rates")}
    assert loaded_days == set(days)
    assert not loaded_days & HOLIDAYS
    assert query(
        pipeline,
        "select base_currency, rate from rates "
        f"where rate_date = '{LAST_DAY}' and quote_currency = 'JPY'",
    ) == [("EUR", rates_on(LAST_DAY)["JPY"])]

    load()  # nothing new: the last day is asked again and dropped by the incremental
    assert rows_normalized(pipeline, "rates") == 0
    assert query(pipeline, "select count(*) from rates") == [(len(days) * len(CURRENCIES),)]

    insert_rates(store, [NEXT_BUSINESS_DAY])  # the server reads the store on every request
    load()
    assert rows_normalized(pipeline, "rates") == len(CURRENCIES)
    assert query(pipeline, "select count(*), max(rate_date) from rates") == [
        ((len(days) + 1) * len(CURRENCIES), NEXT_BUSINESS_DAY)
    ]
    assert query(
        pipeline,
        "select count(*) from (select rate_date, base_currency, quote_currency from rates "
        "group by all having count(*) > 1)",
    ) == [(0,)]


def test_fx_endpoints_answer_like_frankfurter(
    store: Path, start_api: Callable[..., RunningApi]
) -> None:
    api = start_api()

    def get(path: str) -> tuple[int, Any]:
        response = requests.get(f"{api.url}{path}", timeout=10)
        assert response.headers["Content-Type"].startswith("application/json")
        return response.status_code, response.json()

    status, latest = get("/v1/latest")
    assert status == 200
    assert latest == {
        "amount": 1.0,
        "base": "EUR",
        "date": LAST_DAY.isoformat(),
        "rates": dict(sorted(rates_on(LAST_DAY).items())),
    }
    assert list(latest["rates"]) == sorted(latest["rates"])

    # a historical weekend date resolves to the Friday before; a holiday to the day before it
    assert get("/v1/2026-03-14")[1]["date"] == "2026-03-13"
    assert get("/v1/2026-04-06")[1]["date"] == "2026-04-02"

    # cross rates for a non-EUR base, computed from the EUR rates and rounded as Frankfurter
    status, usd = get("/v1/2026-03-13?base=usd&symbols=EUR,GBP&amount=10")
    eur_rates = rates_on(dt.date(2026, 3, 13))
    assert status == 200
    assert usd == {
        "amount": 10.0,
        "base": "USD",
        "date": "2026-03-13",
        "rates": {
            "EUR": frankfurter_round(10 * 10 / frankfurter_round(10 * eur_rates["USD"])),
            "GBP": frankfurter_round(
                10
                * frankfurter_round(10 * eur_rates["GBP"])
                / frankfurter_round(10 * eur_rates["USD"])
            ),
        },
    }

    # a time series holds business days only, and starts on the business day before a weekend
    status, series = get("/v1/2026-03-28..2026-04-08?symbols=USD")
    assert status == 200
    assert set(series) == {"amount", "base", "start_date", "end_date", "rates"}
    expected_days = [
        "2026-03-27",
        *(d.isoformat() for d in business_days(dt.date(2026, 3, 28), dt.date(2026, 4, 8))),
    ]
    assert list(series["rates"]) == expected_days
    assert (series["start_date"], series["end_date"]) == ("2026-03-27", "2026-04-08")
    assert all(set(rates) == {"USD"} for rates in series["rates"].values())

    status, open_ended = get("/v1/2026-05-18..")
    assert (status, open_ended["end_date"], len(open_ended["rates"])) == (200, "2026-05-22", 5)

    status, currencies = get("/v1/currencies")
    assert status == 200 and set(currencies) == {"EUR", *CURRENCIES}
    assert currencies["USD"] == "United States Dollar"

    assert get("/v1/latest?symbols=XYZ") == (404, {"message": "not found"})
    assert get("/v1/latest?base=XYZ") == (404, {"message": "not found"})
    assert get("/v1/2026-05-23")[0] == 404  # after the store's last day: the future
    assert get("/v1/2026-02-27")[0] == 404  # before the first day: no rates on or before it
    assert get("/v1/latest?amount=0") == (422, {"message": "invalid amount"})
    assert get("/v1/latest?from=GBP&to=GBP") == (422, {"message": "bad currency pair"})
    assert get("/v1/2026-02-30")[0] == 422

    assert get("/health") == (200, {"status": "ok"})
    assert get("/no/such/path")[0] == 404


# ---------------------------------------------------------------------------------------------
# Reviews


def test_reviews_load_everything_despite_429s_and_500s_then_merge_changes(
    tmp_path: Path, store: Path, start_api: Callable[..., RunningApi]
) -> None:
    api = start_api(error_rate=0.2, rate_limit_per_second=5.0, burst=2)
    pipeline = make_pipeline(tmp_path, "reviews_test", "raw_reviews")

    def load() -> None:
        pipeline.run(reviews_source(api.url, TOKEN, page_size=25), loader_file_format="parquet")

    load()
    assert query(pipeline, "select count(*), count(distinct review_id) from reviews") == [
        (REVIEW_COUNT, REVIEW_COUNT)
    ]
    assert api.counters.rate_limited > 0, "the rate limit was never hit"
    assert api.counters.server_errors > 0, "no server error was injected"

    # a day passes: ten reviews are edited, fifteen are written
    edited_at = REVIEWS_START + dt.timedelta(days=90)
    with sqlite3.connect(store) as connection:
        for review_id in range(10, 110, 10):
            connection.execute(
                "update reviews set rating = 1, body = body || ' (edited)', updated_at = ? "
                "where review_id = ?",
                (iso(edited_at + dt.timedelta(minutes=review_id)), review_id),
            )
        connection.executemany(
            "insert into reviews values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                review_row(n, edited_at + dt.timedelta(hours=n - REVIEW_COUNT))
                for n in range(REVIEW_COUNT + 1, REVIEW_COUNT + 16)
            ],
        )

    load()
    assert rows_normalized(pipeline, "reviews") == 25  # only the edited and the new ones
    assert query(pipeline, "select count(*), count(distinct review_id) from reviews") == [
        (REVIEW_COUNT + 15, REVIEW_COUNT + 15)
    ]
    edited = query(
        pipeline,
        "select review_id, rating, body from reviews where body like '%(edited)' order by 1",
    )
    assert [row[0] for row in edited] == list(range(10, 110, 10))
    assert all(row[1] == 1 for row in edited)
    assert query(pipeline, "select body from reviews where review_id = 20") == [
        ("Review text number 20. (edited)",)
    ]


def test_reviews_with_a_wrong_token_fail_at_once_with_a_clear_message(
    tmp_path: Path, start_api: Callable[..., RunningApi]
) -> None:
    api = start_api(error_rate=0.0)
    pipeline = make_pipeline(tmp_path, "reviews_denied", "raw_reviews")

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(reviews_source(api.url, "not-the-token"), loader_file_format="parquet")

    message = explain_api_error(failure.value)
    assert message is not None
    assert "rejected the bearer token" in message and "401" in message
    assert "not-the-token" not in message
    # one request, no retries, although request_max_attempts is 10
    assert (api.counters.requests, api.counters.unauthorized) == (1, 1)


def test_explain_api_error_leaves_other_failures_alone() -> None:
    assert explain_api_error(ValueError("not an HTTP failure")) is None
