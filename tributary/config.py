"""Every path, default and environment variable of Tributary, in one place.

Relative paths are relative to the project directory (the repository root, or DBT_PROJECT_DIR
when set), where dbt runs too, so that a command gives the same answer from any folder. An
environment variable or `.dlt/config.toml` overrides each default, so that the same code runs
on a laptop, in CI, and against real sources and warehouses by configuration alone.

This module is the bottom layer: of the project's own code it imports only the error types.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dlt

from tributary.errors import NotReadyError

if TYPE_CHECKING:
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]

# The defaults of the environment variables below. profiles.yml repeats the warehouse's (dbt
# cannot import Python): change both together.
DEFAULT_WAREHOUSE = "warehouse/tributary.duckdb"
DEFAULT_SANDBOX = "data/sandbox"


def project_dir() -> Path:
    """The dbt project (DBT_PROJECT_DIR, else this repository): dbt runs here, and relative
    paths are read from here."""
    return Path(os.environ.get("DBT_PROJECT_DIR") or REPOSITORY_ROOT).resolve()


def in_project(path: str | Path) -> Path:
    """`path` as given when absolute, else below the project directory."""
    path = Path(path)
    return path if path.is_absolute() else project_dir() / path


def target_dir(*parts: str) -> Path:
    """dbt's target folder, or a folder below it that one command keeps its artefacts in."""
    return in_project(Path("target", *parts))


def reports_dir() -> Path:
    """Where the reports go: quality.md, the Elementary report, the governance catalog."""
    return in_project("reports")


def packages_dir() -> Path:
    """Where dbt finds packages (dbt_project.yml's packages-install-path): only Elementary's
    live there, and the core build needs none."""
    return in_project(os.environ.get("TRIBUTARY_DBT_PACKAGES_PATH") or "dbt_packages")


def elementary_project_dir() -> Path:
    """Elementary's dependency project (dbt Hub's package names) and edr's settings."""
    return project_dir() / "elementary"


# The sandbox API's default address. The fx and reviews sources point here unless
# `.dlt/config.toml` (or SOURCES__FX__BASE_URL / SOURCES__REVIEWS__BASE_URL) says otherwise.
SANDBOX_API_HOST = "127.0.0.1"
SANDBOX_API_PORT = 8765

# The datasets (DuckDB schemas) that dlt writes, one per source system.
RAW_DATASETS = {
    "shop": "raw_shop",
    "crm": "raw_crm",
    "web": "raw_web",
    "telemetry": "raw_telemetry",
    "fx": "raw_fx",
    "reviews": "raw_reviews",
}
SOURCE_NAMES = tuple(RAW_DATASETS)


def config_value(key: str, default: str) -> str:
    """A value from `.dlt/config.toml` or the environment, or `default` when unset."""
    value = dlt.config.get(key)
    return str(value) if value not in (None, "") else default


def sandbox_dir() -> Path:
    """Root of the sandbox: shop database, landing zone, API store and ground truth."""
    return in_project(os.environ.get("TRIBUTARY_SANDBOX_DIR") or DEFAULT_SANDBOX)


def warehouse_path() -> Path:
    """The DuckDB warehouse file shared by dlt and dbt's `dev` target."""
    return in_project(os.environ.get("TRIBUTARY_WAREHOUSE_PATH") or DEFAULT_WAREHOUSE)


def restricted_warehouse_path(warehouse: Path | None = None) -> Path:
    """The PII vault's DuckDB file: TRIBUTARY_RESTRICTED_WAREHOUSE_PATH, else beside the
    warehouse as `<name>_restricted.duckdb` (the rule profiles.yml applies for dbt)."""
    explicit = os.environ.get("TRIBUTARY_RESTRICTED_WAREHOUSE_PATH")
    if explicit and warehouse is None:
        return in_project(explicit)
    main = warehouse or warehouse_path()
    return main.with_name(main.name.replace(".duckdb", "_restricted.duckdb"))


def archive_dir() -> Path:
    """The Parquet cold archive of rows past retention: TRIBUTARY_ARCHIVE_DIR, else `archive/`
    beside the warehouse file."""
    explicit = os.environ.get("TRIBUTARY_ARCHIVE_DIR")
    return in_project(explicit) if explicit else warehouse_path().parent / "archive"


def pipelines_dir() -> Path:
    """dlt's working folders, kept beside the warehouse so that they are reset together.

    On PostgreSQL, one folder per server and database: the pipelines' local state (which files
    and which `updated_at` were loaded) belongs to the database it describes.
    """
    if destination_name() == "postgres":
        credentials = postgres_credentials()
        server = f"{credentials.host}_{credentials.port}_{credentials.database}"
        return warehouse_path().parent / ".dlt_pipelines_postgres" / server
    return warehouse_path().parent / ".dlt_pipelines"


# ---------------------------------------------------------------- the destination

DESTINATIONS = ("duckdb", "postgres")

# The local PostgreSQL server of the sandbox (`make postgres-up` creates this role and database).
# Not a secret: it guards only generated data on 127.0.0.1. A real server's credentials go in
# the environment or .dlt/secrets.toml, never in the repository.
POSTGRES_DEFAULTS = {
    "host": "127.0.0.1",
    "port": "5432",
    "username": "tributary",
    "password": "tributary",
    "database": "tributary",
}
POSTGRES_DEFAULT_URL = "postgresql://{username}:{password}@{host}:{port}/{database}".format(
    **POSTGRES_DEFAULTS
)


def destination_name() -> str:
    """Where dlt loads: `duckdb` (the default: the warehouse file) or `postgres`.

    `TRIBUTARY_DESTINATION` in the environment, else `[tributary] destination` in
    `.dlt/config.toml`, else duckdb.
    """
    name = os.environ.get("TRIBUTARY_DESTINATION") or config_value("tributary.destination", "")
    name = (name or "duckdb").strip().lower()
    if name not in DESTINATIONS:
        raise NotReadyError(
            f"TRIBUTARY_DESTINATION={name!r} is not a destination",
            f"choose one of {', '.join(DESTINATIONS)}",
        )
    return name


def postgres_credentials() -> PostgresCredentials:
    """The PostgreSQL server dlt loads into, configured the dlt way.

    In order, each overriding the one before: the local sandbox server
    (`POSTGRES_DEFAULT_URL`); a connection URL in `DESTINATION__POSTGRES__CREDENTIALS` or
    `[destination.postgres] credentials = "postgresql://..."` in `.dlt/secrets.toml` (or a
    `[destination.postgres.credentials]` table); single parts in
    `DESTINATION__POSTGRES__CREDENTIALS__HOST`, `__PORT`, `__USERNAME`, `__PASSWORD` and
    `__DATABASE`. dbt's `postgres` target (profiles.yml) reads the same single parts, so
    setting those points dlt and dbt at the same database.
    """
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials(POSTGRES_DEFAULT_URL)
    configured = dlt.secrets.get("destination.postgres.credentials")
    if isinstance(configured, str) and configured:
        credentials.parse_native_representation(configured)
    elif configured:
        for key, value in dict(configured).items():
            setattr(credentials, key, value)
    for part in POSTGRES_DEFAULTS:
        value = dlt.secrets.get(f"destination.postgres.credentials.{part}")
        if value not in (None, ""):
            setattr(credentials, part, value)
    credentials.port = int(credentials.port)
    return credentials


def postgres_location() -> str:
    """The server and database, password left out, for messages."""
    credentials = postgres_credentials()
    return (
        f"postgresql://{credentials.username}@{credentials.host}:{credentials.port}/"
        f"{credentials.database}"
    )


def postgres_seen_by_dbt() -> dict[str, str]:
    """The server, user and database that dbt's `postgres` target connects to (profiles.yml)."""
    return {
        part: os.environ.get(f"DESTINATION__POSTGRES__CREDENTIALS__{part.upper()}") or default
        for part, default in POSTGRES_DEFAULTS.items()
        if part != "password"
    }


def destination_location() -> str:
    """Where the loads go, for messages: the DuckDB file or the PostgreSQL database."""
    if destination_name() == "postgres":
        return postgres_location()
    return str(warehouse_path())


def _under_root(*parts: str) -> property:
    """A path under the layout's root, read like an attribute."""
    return property(lambda layout: layout.root.joinpath(*parts))


@dataclass(frozen=True)
class SandboxLayout:
    """The files the generator writes under one sandbox root."""

    root: Path

    shop_db = _under_root("shop", "shop.sqlite")
    landing = _under_root("landing")
    crm_dir = _under_root("landing", "crm")
    clickstream_dir = _under_root("landing", "clickstream")
    telemetry_dir = _under_root("landing", "telemetry")
    api_db = _under_root("api", "api.sqlite")
    ground_truth = _under_root("ground_truth")
    state_file = _under_root("state.json")


def sandbox_layout() -> SandboxLayout:
    return SandboxLayout(sandbox_dir())


def landing_url() -> str:
    """The landing zone the file sources read: a local folder or any fsspec URL (s3://...)."""
    return os.environ.get("SOURCES__LANDING__BUCKET_URL") or config_value(
        "sources.landing.bucket_url", str(sandbox_layout().landing)
    )


def shop_credentials() -> str:
    """SQLAlchemy URL of the shop database."""
    return os.environ.get("SOURCES__SHOP__CREDENTIALS") or config_value(
        "sources.shop.credentials", f"sqlite:///{sandbox_layout().shop_db}"
    )


def sandbox_api_url() -> str:
    return f"http://{SANDBOX_API_HOST}:{sandbox_api_port()}"


def sandbox_api_port() -> int:
    return int(os.environ.get("TRIBUTARY_SANDBOX_API_PORT", SANDBOX_API_PORT))


def sandbox_api_token() -> str:
    """The token the sandbox API accepts. Not a secret: it guards only generated data."""
    return os.environ.get("TRIBUTARY_SANDBOX_API_TOKEN", "sandbox-token")
