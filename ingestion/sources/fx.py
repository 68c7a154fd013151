"""Foreign-exchange rates from a Frankfurter v1 API, one row per day and currency pair.

The sandbox API serves Frankfurter's v1 format, so the same source reads the public service:
`fx_source("https://api.frankfurter.dev/v1/")` is a configuration change only (the base URL
comes from `sources.fx.base_url` / `SOURCES__FX__BASE_URL` in the pipelines).

It asks the time-series endpoint `GET {start}..?base=EUR&symbols=USD,GBP,...`, which answers
one object `{"amount", "base", "start_date", "end_date", "rates": {date: {currency: rate}}}`.
A `yield_map` processing step explodes that object into rows `(rate_date, base_currency,
quote_currency, rate)`, with `rate` always a float: Frankfurter rounds quotes above 5000 to whole
numbers, and a JSON integer would otherwise be a second data type for the same column.

Where the incremental sits matters, and it is not where one might guess: rest_api appends the
`processing_steps` to the pipe first and dlt adds the incremental step after them (dlt 1.30:
`paginate_resource -> YieldMapItem -> IncrementalResourceWrapper`). So the incremental sees the
exploded rows, its cursor is the rows' `rate_date`, and its boundary deduplication works on the
resource's primary key. A re-run asks for `{last rate_date}..`: the last day comes back, the
incremental drops its already-loaded rows, and only newer days are loaded (the merge would absorb
a repeat anyway). If a later dlt moved the incremental before the `yield_map`, the cursor would
be missing from the response object and the first run would fail loudly, not load wrongly.

Schema contract `{"tables": "evolve", "columns": "freeze", "data_type": "freeze"}`: the table is
created on the first load (a new table takes all its columns), and afterwards a new field or a
changed type in the API's answer fails the load instead of silently changing the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dlt.common.schema.typing import TColumnSchema
from dlt.sources import DltSource
from dlt.sources.rest_api import rest_api_source

FRANKFURTER_V1_URL = "https://api.frankfurter.dev/v1/"
DEFAULT_SYMBOLS = ("USD", "GBP", "JPY", "BRL")
# The sandbox's FX series starts well before this; the real ECB series begins on 1999-01-04.
DEFAULT_START_DATE = "2023-01-02"

RATE_COLUMNS: dict[str, TColumnSchema] = {
    "rate_date": {"data_type": "date", "nullable": False},
    "base_currency": {"data_type": "text", "nullable": False},
    "quote_currency": {"data_type": "text", "nullable": False},
    "rate": {"data_type": "double", "nullable": False},
}


def explode_rates(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per (day, quote currency) from a Frankfurter time-series response."""
    base = response["base"]
    amount = float(response.get("amount", 1.0))
    for day, rates in response.get("rates", {}).items():
        for quote, rate in rates.items():
            yield {
                "rate_date": day,
                "base_currency": base,
                "quote_currency": quote,
                "rate": float(rate) / amount,  # per 1 unit of base, whatever `amount` was asked
            }


def fx_source(
    base_url: str,
    base_currency: str = "EUR",
    symbols: Sequence[str] = DEFAULT_SYMBOLS,
    start_date: str = DEFAULT_START_DATE,
) -> DltSource:
    """Daily reference rates of `symbols` against `base_currency`, from `start_date` onwards."""
    return rest_api_source(
        {
            "client": {"base_url": base_url},
            "resource_defaults": {
                "write_disposition": "merge",
                "primary_key": ["rate_date", "base_currency", "quote_currency"],
            },
            "resources": [
                {
                    "name": "rates",
                    "columns": RATE_COLUMNS,
                    "schema_contract": {
                        "tables": "evolve",
                        "columns": "freeze",
                        "data_type": "freeze",
                    },
                    "endpoint": {
                        "path": "{incremental.start_value}..",
                        "params": {
                            "base": base_currency.upper(),
                            "symbols": ",".join(s.upper() for s in symbols),
                        },
                        "paginator": "single_page",
                        "data_selector": "$",
                        "incremental": {
                            "cursor_path": "rate_date",
                            "initial_value": start_date,
                        },
                    },
                    "processing_steps": [{"yield_map": explode_rates}],
                },
            ],
        },
        name="fx",
    )
