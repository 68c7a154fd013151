"""Where things live and how they are configured.

Paths are relative to the repository root (the directory the commands run from) unless an
environment variable or `.dlt/config.toml` says otherwise, so that the same code runs on a laptop,
in CI, and against real sources and warehouses by configuration alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dlt

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
    return Path(os.environ.get("TRIBUTARY_SANDBOX_DIR", "data/sandbox"))


def warehouse_path() -> Path:
    """The DuckDB warehouse file shared by dlt and dbt's `dev` target."""
    return Path(os.environ.get("TRIBUTARY_WAREHOUSE_PATH", "warehouse/tributary.duckdb"))


def pipelines_dir() -> Path:
    """dlt's working folders, kept beside the warehouse so that they are reset together."""
    return warehouse_path().parent / ".dlt_pipelines"


@dataclass(frozen=True)
class SandboxLayout:
    """The files the generator writes under one sandbox root."""

    root: Path

    @property
    def shop_db(self) -> Path:
        return self.root / "shop" / "shop.sqlite"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def crm_dir(self) -> Path:
        return self.landing / "crm"

    @property
    def clickstream_dir(self) -> Path:
        return self.landing / "clickstream"

    @property
    def telemetry_dir(self) -> Path:
        return self.landing / "telemetry"

    @property
    def api_db(self) -> Path:
        return self.root / "api" / "api.sqlite"

    @property
    def ground_truth(self) -> Path:
        return self.root / "ground_truth"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"


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
