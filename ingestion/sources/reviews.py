"""Product reviews from the review API: incremental on `updated_at`, merged on `review_id`.

`GET /api/v1/reviews?updated_since=<ISO>&limit=<n>&cursor=<opaque>` with a bearer token answers
`{"data": [...], "next_cursor": "..." | null}`, rows ordered by (updated_at, review_id).

- Incremental: `updated_since` is bound to an incremental on `updated_at` (last value = the
  greatest `updated_at` loaded). The API's `updated_since` is inclusive, so a re-run asks again
  for the rows at the last timestamp; dlt's incremental drops those it has already seen (by
  `review_id`, the primary key), so only new and edited reviews are loaded. An edited review
  comes back with a later `updated_at` and replaces its old version through the merge.
- Pagination: the cursor paginator follows `next_cursor` into the `cursor` query parameter
  until it is null.
- Retries: 429 (honouring `Retry-After`) and 5xx are retried by dlt's HTTP client, tuned by the
  `[runtime]` settings `request_max_attempts`, `request_backoff_factor` and
  `request_max_retry_delay` (env `RUNTIME__REQUEST_MAX_ATTEMPTS`, ...). They are read when the
  source is created, so set them before calling `reviews_source`. A 401 is not retried: it
  fails the extract step at once; `ingestion.sources.errors.explain_api_error` turns that
  failure into a message saying that the token was rejected.
- Schema contract `{"tables": "evolve", "columns": "evolve", "data_type": "freeze"}`: reviews
  may grow fields (they are kept), but a field changing type fails the load.
"""

from __future__ import annotations

from dlt.common.schema.typing import TColumnSchema
from dlt.sources import DltSource
from dlt.sources.rest_api import rest_api_source

REVIEWS_PATH = "api/v1/reviews"
EPOCH = "1970-01-01T00:00:00Z"

REVIEW_COLUMNS: dict[str, TColumnSchema] = {
    "review_id": {"data_type": "bigint", "nullable": False},
    "created_at": {"data_type": "timestamp"},
    "updated_at": {"data_type": "timestamp", "nullable": False},
}


def reviews_source(
    base_url: str,
    token: str,
    page_size: int = 500,
    initial_updated_since: str = EPOCH,
) -> DltSource:
    """Reviews created or edited since the last run (all of them on the first run)."""
    return rest_api_source(
        {
            "client": {
                "base_url": base_url,
                "auth": {"type": "bearer", "token": token},
            },
            "resources": [
                {
                    "name": "reviews",
                    "write_disposition": "merge",
                    "primary_key": "review_id",
                    "columns": REVIEW_COLUMNS,
                    "schema_contract": {
                        "tables": "evolve",
                        "columns": "evolve",
                        "data_type": "freeze",
                    },
                    "endpoint": {
                        "path": REVIEWS_PATH,
                        "params": {
                            "limit": page_size,
                            "updated_since": {
                                "type": "incremental",
                                "cursor_path": "updated_at",
                                "initial_value": initial_updated_since,
                            },
                        },
                        "data_selector": "data",
                        "paginator": {
                            "type": "cursor",
                            "cursor_path": "next_cursor",
                            "cursor_param": "cursor",
                        },
                    },
                },
            ],
        },
        name="reviews",
    )
