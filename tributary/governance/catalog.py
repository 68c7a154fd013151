"""The governance catalog: what the project holds, who owns it, how sensitive it is, how long it
is kept, who may read it, and where each public mart comes from. Written from the dbt manifest
(and `catalog.json`, for the warehouse's column types, when `dbt docs generate` has run) as
Markdown and as a self-contained HTML page, for an auditor who does not run dbt."""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tributary.governance.manifest import Manifest, Resource, load_manifest

LAYER_ORDER = ("source", "seed", "staging", "snapshot", "intermediate", "restricted", "marts")


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    intro: str = ""


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _retention(node: Resource) -> str:
    days = node.meta.get("retention_days")
    return f"{days} days" if days else "while needed"


def _contract(node: Resource) -> str:
    if node.resource_type != "model":
        return ""
    return "enforced" if node.contract_enforced else "none"


def _version(node: Resource) -> str:
    if node.version is None:
        return ""
    text = f"v{node.version}"
    if node.version == node.latest_version:
        text += " (latest)"
    if node.deprecation_date:
        text += f", deprecated {str(node.deprecation_date)[:10]}"
    return text


def _name(node: Resource) -> str:
    return node.label.split(" ", 1)[1]


def _sorted(nodes: list[Resource]) -> list[Resource]:
    def key(node: Resource) -> tuple[int, str]:
        layer = node.layer if node.layer in LAYER_ORDER else "marts"
        return (LAYER_ORDER.index(layer), _name(node))

    return sorted(nodes, key=key)


def _dataset_row(node: Resource) -> tuple[str, ...]:
    return (
        _name(node),
        node.resource_type if node.resource_type != "model" else node.layer,
        str(node.meta.get("domain", "")),
        str(node.meta.get("classification", "")),
        _yes(node.meta.get("contains_pii") is True),
        _retention(node),
        node.access or "",
        _contract(node),
        _version(node),
    )


DATASET_HEADER = (
    "dataset",
    "layer",
    "domain",
    "classification",
    "PII",
    "retention",
    "access",
    "contract",
    "version",
)


def upstream(manifest: Manifest, unique_id: str) -> set[str]:
    """Every governed node `unique_id` is built from, however far up."""
    seen: set[str] = set()
    stack = [unique_id]
    while stack:
        for parent in manifest.resources[stack.pop()].depends_on:
            if parent in manifest.resources and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def lineage_tables(manifest: Manifest) -> list[Table]:
    """For each public model, its upstream chain layer by layer, from the raw sources on."""
    rows = []
    for mart in _sorted([m for m in manifest.of_type("model") if m.access == "public"]):
        by_layer: dict[str, list[str]] = defaultdict(list)
        parents = [manifest.resources[uid] for uid in upstream(manifest, mart.unique_id)]
        for parent in _sorted(parents):
            by_layer[parent.layer].append(_name(parent))
        chain = [
            f"{layer}: {', '.join(by_layer[layer])}" for layer in LAYER_ORDER if by_layer.get(layer)
        ]
        rows.append((_name(mart), " → ".join(chain) or "(no upstream)"))
    return [
        Table(
            "Lineage: raw source to public mart",
            ("public model", "built from (source → staging → intermediate → marts)"),
            rows,
            "Every node each public model is built from, however far up, by layer. Row-level "
            "lineage: every staging and intermediate row keeps `_load_id`, the dlt load that "
            "brought it in (audit.ingestion_runs lists each load).",
        )
    ]


def _column_types(target_dir: Path) -> dict[tuple[str, str], str]:
    """(unique_id, column) -> the warehouse's type, from catalog.json when it exists."""
    path = target_dir / "catalog.json"
    if not path.exists():
        return {}
    catalog = json.loads(path.read_text())
    types = {}
    for section in ("nodes", "sources"):
        for uid, entry in (catalog.get(section) or {}).items():
            for column in (entry.get("columns") or {}).values():
                types[(uid, column["name"])] = column.get("type", "")
    return types


def build_tables(manifest: Manifest, column_types: dict[tuple[str, str], str]) -> list[Table]:
    nodes = _sorted(list(manifest.resources.values()))
    tables = []

    by_owner: dict[str, list[Resource]] = defaultdict(list)
    for node in nodes:
        by_owner[str(node.meta.get("owner", "(no owner)"))].append(node)
    owner_rows = [
        (owner, str(len(owned)), ", ".join(_name(n) for n in owned))
        for owner, owned in sorted(by_owner.items())
    ]
    tables.append(Table("Datasets by owner", ("owner", "datasets", "which"), owner_rows))

    for classification in ("public", "internal", "confidential", "restricted"):
        members = [n for n in nodes if n.meta.get("classification") == classification]
        tables.append(
            Table(
                f"Classification: {classification} ({len(members)})",
                DATASET_HEADER,
                [_dataset_row(n) for n in members],
            )
        )

    pii_rows = [
        (
            _name(node),
            column.name,
            str(column.meta.get("pii_type", "")),
            column_types.get((node.unique_id, column.name), column.data_type or ""),
            str(node.meta.get("classification", "")),
        )
        for node in nodes
        for column in node.columns.values()
        if column.meta.get("pii") is True
    ]
    tables.append(
        Table(
            f"PII columns ({len(pii_rows)})",
            ("dataset", "column", "pii_type", "type", "classification"),
            pii_rows,
            "Every column that declares `pii` meta; its pii_type says how it is masked "
            "outside the restricted vault (policy seeds in seeds/governance/).",
        )
    )

    retention_rows = [
        (_name(n), str(n.meta.get("domain", "")), _retention(n))
        for n in sorted(nodes, key=lambda n: (-(n.meta.get("retention_days") or 0), _name(n)))
    ]
    tables.append(Table("Retention", ("dataset", "domain", "hot retention"), retention_rows))

    models = [n for n in nodes if n.resource_type == "model"]
    tables.append(
        Table(
            "Access, groups and contracts (models)",
            ("model", "layer", "access", "group", "contract", "version"),
            [
                (_name(m), m.layer, m.access or "", m.group or "", _contract(m), _version(m))
                for m in models
            ],
        )
    )
    tables.extend(lineage_tables(manifest))
    return tables


def _markdown(tables: list[Table], heading: str) -> str:
    lines = [f"# {heading}", ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        if table.intro:
            lines += [table.intro, ""]
        if not table.rows:
            lines += ["(none)", ""]
            continue
        lines.append("| " + " | ".join(table.header) + " |")
        lines.append("|" + "---|" * len(table.header))
        for row in table.rows:
            cells = (cell.replace("|", "\\|") for cell in row)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _html(tables: list[Table], heading: str) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(heading)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:2em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;"
        "vertical-align:top}th{background:#eee}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
    ]
    for table in tables:
        parts.append(f"<h2>{html.escape(table.title)}</h2>")
        if table.intro:
            parts.append(f"<p>{html.escape(table.intro)}</p>")
        if not table.rows:
            parts.append("<p>(none)</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in table.header))
        for row in table.rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_catalog(target_dir: Path, output_dir: Path) -> list[Path]:
    """reports/governance_catalog.md and .html from target_dir's manifest (and catalog.json)."""
    manifest = load_manifest(target_dir / "manifest.json")
    column_types = _column_types(target_dir)
    tables = build_tables(manifest, column_types)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = "manifest.json" + (" and catalog.json" if column_types else "")
    heading = f"Governance catalog of {manifest.project} ({stamp}, from {source})"
    output_dir.mkdir(parents=True, exist_ok=True)
    markdown = output_dir / "governance_catalog.md"
    page = output_dir / "governance_catalog.html"
    markdown.write_text(_markdown(tables, heading) + "\n")
    page.write_text(_html(tables, heading) + "\n")
    return [markdown, page]
