"""The dbt manifest as the governance check and the catalog need it: the project's models, seeds,
snapshots and sources, each with its merged `meta`, its columns and where it lives."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GOVERNED_TYPES = ("model", "seed", "snapshot", "source")


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    meta: dict[str, Any]
    data_type: str | None


@dataclass(frozen=True)
class Resource:
    """One governed node of the project (a model version counts as a node of its own)."""

    unique_id: str
    resource_type: str
    name: str
    path: str  # the file that defines it, relative to the project (models/..., seeds/...)
    description: str
    meta: dict[str, Any]
    columns: dict[str, Column]
    database: str | None
    schema: str
    identifier: str
    access: str | None = None
    group: str | None = None
    contract_enforced: bool = False
    materialized: str | None = None
    version: str | None = None
    latest_version: str | None = None
    deprecation_date: str | None = None
    depends_on: tuple[str, ...] = field(default_factory=tuple)

    @property
    def layer(self) -> str:
        """staging, intermediate, marts, restricted, ... : the first folder under models/."""
        parts = Path(self.path).parts
        if self.resource_type == "model" and len(parts) > 2 and parts[0] == "models":
            return parts[1]
        return self.resource_type

    @property
    def label(self) -> str:
        """How a breach names the node: `model fct_orders.v1`, `source shop.customers`."""
        if self.resource_type == "source":
            return f"source {self.unique_id.split('.', 2)[2]}"
        suffix = f".v{self.version}" if self.version is not None else ""
        return f"{self.resource_type} {self.name}{suffix}"

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.identifier}"


def _merged_meta(node: dict[str, Any]) -> dict[str, Any]:
    """`meta` and `config.meta` together (dbt 1.11 writes both; config wins where they differ)."""
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _columns(node: dict[str, Any]) -> dict[str, Column]:
    return {
        name: Column(
            name=name,
            description=(column.get("description") or "").strip(),
            meta=_merged_meta(column),
            data_type=column.get("data_type"),
        )
        for name, column in (node.get("columns") or {}).items()
    }


def _resource(node: dict[str, Any]) -> Resource:
    config = node.get("config") or {}
    is_source = node["resource_type"] == "source"
    version = node.get("version")
    latest = node.get("latest_version")
    return Resource(
        unique_id=node["unique_id"],
        resource_type=node["resource_type"],
        name=node["name"],
        path=node.get("original_file_path") or node.get("path") or "",
        description=(node.get("description") or "").strip(),
        meta=_merged_meta(node),
        columns=_columns(node),
        database=node.get("database"),
        schema=node["schema"],
        identifier=node["identifier"] if is_source else (node.get("alias") or node["name"]),
        access=node.get("access"),
        group=config.get("group") or node.get("group"),
        contract_enforced=bool((config.get("contract") or {}).get("enforced")),
        materialized=config.get("materialized"),
        version=None if version is None else str(version),
        latest_version=None if latest is None else str(latest),
        deprecation_date=node.get("deprecation_date"),
        depends_on=tuple((node.get("depends_on") or {}).get("nodes") or ()),
    )


@dataclass(frozen=True)
class Manifest:
    project: str
    resources: dict[str, Resource]
    groups: dict[str, dict[str, Any]]
    exposures: dict[str, dict[str, Any]]

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.resource_type in types]


def load_manifest(path: Path) -> Manifest:
    """The project's own governed nodes from `path` (packages' nodes are theirs to govern)."""
    data = json.loads(path.read_text())
    project = data["metadata"].get("project_name") or ""
    nodes = [*data["nodes"].values(), *data["sources"].values()]
    resources = {
        node["unique_id"]: _resource(node)
        for node in nodes
        if node["resource_type"] in GOVERNED_TYPES and node.get("package_name") == project
    }
    groups = {g["name"]: g for g in (data.get("groups") or {}).values()}
    return Manifest(project, resources, groups, data.get("exposures") or {})
