"""The shop's OLTP database, read with dlt's `sql_database` source and the pyarrow backend.

Every table is loaded incrementally on `updated_at` and merged on its primary key, so that an
update replaces the row it updates and a soft delete (`deleted_at` set, personal data blanked by
the application on an erasure request) arrives as the update it is. The shop never hard-deletes.

Schema contract: new tables and columns evolve (the application team ships migrations without
asking us); a column changing type is frozen, so that a key turning from integer to text fails
the load loudly instead of silently creating a variant column.
"""

from __future__ import annotations

import dlt
from dlt.common.schema.typing import TSchemaContract
from dlt.sources import DltSource
from dlt.sources.sql_database import sql_database

PRIMARY_KEYS = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_items": "order_item_id",
    "payments": "payment_id",
    "shipments": "shipment_id",
    "erasure_requests": "request_id",
}
CONTRACT: TSchemaContract = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


def shop_source(credentials: str, chunk_size: int = 50_000) -> DltSource:
    """All shop tables as Arrow batches, incremental on `updated_at`, merged on primary keys."""
    source = sql_database(
        credentials=credentials,
        table_names=list(PRIMARY_KEYS),
        backend="pyarrow",
        chunk_size=chunk_size,
        reflection_level="full_with_precision",
    ).clone(with_name="shop")
    for table, key in PRIMARY_KEYS.items():
        source.resources[table].apply_hints(
            primary_key=key,
            write_disposition={"disposition": "merge", "strategy": "delete-insert"},
            incremental=dlt.sources.incremental("updated_at"),
        )
    source.schema_contract = CONTRACT
    return source
