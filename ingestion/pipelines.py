"""Run the dlt pipelines: one pipeline per source system, each into its own raw dataset.

dlt and dbt share one DuckDB file, and DuckDB allows one writer at a time: sources load one after
another, and dbt runs after them. Every load is recorded in `audit.ingestion_runs`, failed ones
too, and a failure in one source does not stop the others from loading.

The destination is configuration (`config.destination_name()`): the DuckDB warehouse file by
default, or PostgreSQL (`TRIBUTARY_DESTINATION=postgres`), where the same datasets become
schemas of the configured database and dbt's `postgres` target builds on them.

The API sources read whatever server their base URL names; when that is the sandbox's address,
the command line starts the sandbox API for them (`points_at_sandbox_api`): ingestion never
imports the sandbox, which stands in for the company's systems.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import dlt
from dlt.common.destination import Destination
from dlt.common.pipeline import LoadInfo
from dlt.sources import DltSource

from ingestion import audit
from ingestion.sources.files import crm_source, telemetry_source, web_source
from ingestion.sources.shop import shop_source
from tributary import config

Progress = Callable[[str], None]


def fx_base_url() -> str:
    return config.config_value("sources.fx.base_url", f"{config.sandbox_api_url()}/v1/")


def reviews_base_url() -> str:
    return config.config_value("sources.reviews.base_url", f"{config.sandbox_api_url()}/")


def reviews_token() -> str:
    """The API token from the environment or `.dlt/secrets.toml`; the sandbox's own token
    only when the source points at the sandbox."""
    token = dlt.secrets.get("sources.reviews.token")
    if token:
        return str(token)
    if _is_sandbox(reviews_base_url()):
        return config.sandbox_api_token()
    raise RuntimeError(
        "reviews: no API token. Set SOURCES__REVIEWS__TOKEN or [sources.reviews] token in "
        ".dlt/secrets.toml (see .dlt/secrets.toml.example)."
    )


def build_source(name: str) -> DltSource:
    """The dlt source for one system, configured from `.dlt/config.toml` and the environment."""
    if name == "shop":
        return shop_source(config.shop_credentials())
    if name in ("crm", "web", "telemetry"):
        landing = config.landing_url()
        if "://" not in landing and not Path(landing).is_dir():
            raise FileNotFoundError(
                f"{name}: the landing zone {landing} does not exist. Run "
                "`tributary sandbox generate`, or set SOURCES__LANDING__BUCKET_URL."
            )
        factory = {"crm": crm_source, "web": web_source, "telemetry": telemetry_source}[name]
        return factory(landing)
    if name == "fx":
        from ingestion.sources.fx import fx_source

        symbols = config.config_value("sources.fx.symbols", "USD,GBP,JPY,BRL").split(",")
        return fx_source(
            base_url=fx_base_url(),
            base_currency=config.config_value("sources.fx.base_currency", "EUR"),
            symbols=[s.strip() for s in symbols if s.strip()],
            start_date=config.config_value("sources.fx.start_date", "2025-09-01"),
        )
    if name == "reviews":
        from ingestion.sources.reviews import reviews_source

        return reviews_source(
            base_url=reviews_base_url(),
            token=reviews_token(),
            page_size=int(config.config_value("sources.reviews.page_size", "500")),
        )
    raise ValueError(f"unknown source {name!r}; choose from {', '.join(config.SOURCE_NAMES)}")


# The load files each destination takes fastest. DuckDB reads Parquet natively. dlt copies Parquet
# into PostgreSQL only through an ADBC driver (not a dependency here), so there the Arrow sources
# go in as CSV (dlt writes it from Arrow, PostgreSQL reads it with COPY), and the REST API
# sources, which yield dicts, as dlt's INSERT files: dlt 1.30 counts each dict row written to CSV
# once per column (dlt-hub/dlt#4461), which would inflate the row counts of the audit log.
DICT_SOURCES = ("fx", "reviews")


def loader_file_format(name: str) -> str:
    if config.destination_name() == "postgres":
        return "insert_values" if name in DICT_SOURCES else "csv"
    return "parquet"


def make_destination(warehouse: Path) -> Destination:
    """The configured destination: the DuckDB file `warehouse`, or the PostgreSQL database."""
    if config.destination_name() == "postgres":
        return dlt.destinations.postgres(credentials=config.postgres_credentials())
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dlt.destinations.duckdb(str(warehouse))


def make_pipeline(name: str, warehouse: Path) -> dlt.Pipeline:
    destination = make_destination(warehouse)
    return dlt.pipeline(
        pipeline_name=f"tributary_{name}",
        destination=destination,
        dataset_name=config.RAW_DATASETS[name],
        pipelines_dir=str(config.pipelines_dir()),
    )


def _rows_by_table(pipeline: dlt.Pipeline) -> dict[str, int]:
    trace = pipeline.last_trace
    info = trace.last_normalize_info if trace else None
    if not info:
        return {}
    return {t: n for t, n in info.row_counts.items() if not t.startswith("_dlt")}


def load_source(name: str, warehouse: Path, progress: Progress = print) -> audit.LoadResult:
    """Load one source into its raw dataset, and record the run in the audit log."""
    pipeline = make_pipeline(name, warehouse)
    started = datetime.now(UTC)
    result = audit.LoadResult(
        run_id=str(uuid.uuid4()),
        pipeline_name=pipeline.pipeline_name,
        source_name=name,
        dataset_name=pipeline.dataset_name,
        started_at=started,
        finished_at=started,
        outcome="failed",
    )
    clock = time.perf_counter()
    progress(f"  {name}: loading into {pipeline.dataset_name} ...")
    try:
        info: LoadInfo = pipeline.run(
            build_source(name), loader_file_format=loader_file_format(name)
        )
        result.rows_by_table = _rows_by_table(pipeline)
        result.load_ids = list(info.loads_ids)
        result.outcome = "loaded" if result.rows_loaded else "no_new_data"
    except Exception as exc:  # recorded in the audit log, then reported to the caller
        result.error_message = explain_failure(exc)
    result.finished_at = datetime.now(UTC)
    try:
        audit.record(warehouse, result, pipeline)
    except Exception as exc:
        if config.destination_name() == "duckdb":
            raise
        # A server that refused the load refuses its audit row too: the run then fails, and
        # says both why it failed and that the audit log does not have it.
        result.outcome = "failed"
        result.error_message = "; ".join(
            m for m in (result.error_message, f"audit row not written: {explain_failure(exc)}") if m
        )
    state = result.error_message or f"{result.rows_loaded:,} rows"
    progress(f"  {name}: {result.outcome} in {time.perf_counter() - clock:.1f}s ({state})")
    return result


def explain_failure(exc: BaseException) -> str:
    """The message that says what went wrong: ours when we raised one (it names the file or
    the setting), else the innermost cause (dlt wraps causes in step exceptions)."""
    from ingestion.sources.errors import explain_api_error

    explained = explain_api_error(exc)
    if explained:
        return explained
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__
    ours = [e for e in chain if type(e).__module__.startswith("ingestion")]
    chosen = ours[0] if ours else chain[-1]
    return f"{type(chosen).__name__}: {chosen}"[:4000]


def _is_sandbox(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.hostname == config.SANDBOX_API_HOST and (parsed.port == config.sandbox_api_port())


def points_at_sandbox_api(name: str) -> bool:
    """Whether source `name` reads the sandbox API (an API source at the sandbox's address)."""
    url = {"fx": fx_base_url, "reviews": reviews_base_url}.get(name, lambda: "")()
    return bool(url) and _is_sandbox(url)


def load(names: list[str], warehouse: Path, progress: Progress = print) -> list[audit.LoadResult]:
    return [load_source(name, warehouse, progress) for name in names]
