"""The contract rules that dbt-bouncer has no check for (dbt-bouncer.yml holds the rest): valid
meta values, PII declared by name and by content, groups, row-level lineage, versions, and the
columns a warehouse relation has but its yml does not describe.

Each rule takes the manifest (and, for the content rules, the warehouse) and returns breaches;
none stops at the first one, so one run lists everything there is to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tributary.governance import pii
from tributary.governance.contract import (
    CLASSIFICATIONS,
    DOMAINS,
    LOAD_ID_COLUMN,
    LOAD_ID_LAYERS,
    PII_TYPES,
    Breach,
)
from tributary.governance.manifest import Manifest
from tributary.governance.warehouse import Warehouse

# Staging or intermediate models without `_load_id`, and why no single load brought their rows
# in. Empty: every staging and intermediate model keeps it (int_fx_rates__daily carries the
# load of the rate it applies).
LOAD_ID_EXEMPT: dict[str, str] = {}

# Columns a relation may have without describing them: dbt's own snapshot bookkeeping, which
# dbt adds to every snapshot and documents itself.
UNDESCRIBED_ALLOWED = {
    "snapshot": {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"},
}


def meta_values(manifest: Manifest) -> Iterator[Breach]:
    """The values of the contract's meta keys (their presence is dbt-bouncer's check)."""
    for node in manifest.resources.values():
        meta = node.meta
        owner = meta.get("owner")
        if "owner" in meta and not (isinstance(owner, str) and owner.strip()):
            yield Breach(node.label, "meta_owner", "set meta.owner to the owning team's name")
        if "domain" in meta and meta["domain"] not in DOMAINS:
            yield Breach(
                node.label,
                "meta_domain",
                f"meta.domain is {meta['domain']!r}; use one of {', '.join(DOMAINS)}",
            )
        if "classification" in meta and meta["classification"] not in CLASSIFICATIONS:
            yield Breach(
                node.label,
                "meta_classification",
                f"meta.classification is {meta['classification']!r}; use one of "
                f"{', '.join(CLASSIFICATIONS)}",
            )
        if "contains_pii" in meta and not isinstance(meta["contains_pii"], bool):
            yield Breach(
                node.label,
                "meta_contains_pii",
                f"meta.contains_pii is {meta['contains_pii']!r}; write true or false (unquoted)",
            )
        if "retention_days" in meta:
            days = meta["retention_days"]
            if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
                yield Breach(
                    node.label,
                    "meta_retention_days",
                    f"meta.retention_days is {days!r}; write a whole number of days above 0, "
                    "or leave it out to keep the data while the business needs it",
                )


def pii_declarations(manifest: Manifest) -> Iterator[Breach]:
    """Column `pii` meta is well formed, and a node with personal columns says so."""
    for node in manifest.resources.values():
        personal = []
        for column in node.columns.values():
            if "pii" not in column.meta and "pii_type" not in column.meta:
                continue
            flag, pii_type = column.meta.get("pii"), column.meta.get("pii_type")
            where = f"{node.label}.{column.name}"
            if not isinstance(flag, bool):
                yield Breach(where, "pii_flag", f"meta.pii is {flag!r}; write pii: true")
            elif flag and pii_type not in PII_TYPES:
                yield Breach(
                    where,
                    "pii_type",
                    f"meta.pii_type is {pii_type!r}; use one of {'|'.join(PII_TYPES)}",
                )
            if flag is True:
                personal.append(column.name)
        if personal and node.meta.get("contains_pii") is not True:
            yield Breach(
                node.label,
                "contains_pii",
                f"columns {', '.join(personal)} carry pii meta: set meta.contains_pii: true",
            )


def _exemption(entry: str, allow_list: str, module: str) -> str:
    """How to exempt `entry` from a rule: an entry, with its reason, in the allow-list that the
    rule reads. The module by its import name, so that the path said follows the code."""
    return f"add {entry} to {allow_list} in {module.replace('.', '/')}.py with the reason"


def _declares_pii(meta: dict[str, object]) -> bool:
    return "pii" in meta


def pii_by_name(manifest: Manifest) -> Iterator[Breach]:
    """A declared column whose name says personal data carries `pii` meta (pii.NAME_PATTERNS)."""
    for node in manifest.resources.values():
        short_name = node.name if node.resource_type != "source" else node.identifier
        for column in node.columns.values():
            suggested = pii.personal_name(column.name, short_name)
            if suggested and not _declares_pii(column.meta):
                fix = f"add meta {{pii: true, pii_type: {suggested}}}"
                exempt = _exemption("it", "NAME_ALLOW_LIST", pii.__name__)
                yield Breach(
                    f"{node.label}.{column.name}",
                    "pii_by_name",
                    f"the name says {suggested}: {fix}, or, if it is not about a person, {exempt}",
                )


def groups(manifest: Manifest) -> Iterator[Breach]:
    """Every model belongs to the group of its domain (one group per domain, models/_groups.yml)."""
    for node in manifest.of_type("model"):
        domain = node.meta.get("domain")
        if not node.group:
            yield Breach(node.label, "group", f"set config.group (the domain's group: {domain})")
        elif node.group not in manifest.groups:
            yield Breach(node.label, "group", f"group {node.group!r} is not in models/_groups.yml")
        elif domain in DOMAINS and node.group != domain:
            yield Breach(
                node.label,
                "group",
                f"group is {node.group!r} but meta.domain is {domain!r}: make them the same",
            )


def row_lineage(manifest: Manifest) -> Iterator[Breach]:
    """Every staging and intermediate model keeps `_load_id` (the dlt load of each row)."""
    for node in manifest.of_type("model"):
        if node.layer not in LOAD_ID_LAYERS or node.name in LOAD_ID_EXEMPT:
            continue
        if LOAD_ID_COLUMN not in node.columns:
            fix = f"select and describe `{LOAD_ID_COLUMN}` (the dlt load that brought the row in)"
            exempt = _exemption("the model", "LOAD_ID_EXEMPT", __name__)
            yield Breach(node.label, "row_lineage", f"{fix}, or {exempt}")


def versions(manifest: Manifest) -> Iterator[Breach]:
    """A versioned model names its latest version, and every older version its deprecation date."""
    for node in manifest.of_type("model"):
        if node.version is None:
            continue
        if node.latest_version is None:
            yield Breach(node.label, "versions", "set latest_version on the versioned model")
        elif node.version != node.latest_version and not node.deprecation_date:
            yield Breach(
                node.label,
                "versions",
                "an older version needs a deprecation_date: when its consumers must have moved",
            )


def column_descriptions(manifest: Manifest) -> Iterator[Breach]:
    """Source, seed and snapshot columns are described (dbt-bouncer checks models' columns)."""
    for node in manifest.of_type("source", "seed", "snapshot"):
        for column in node.columns.values():
            if not column.description:
                yield Breach(
                    f"{node.label}.{column.name}", "column_description", "describe the column"
                )


MANIFEST_RULES = (
    meta_values,
    pii_declarations,
    pii_by_name,
    groups,
    row_lineage,
    versions,
    column_descriptions,
)


def manifest_breaches(manifest: Manifest) -> list[Breach]:
    return [breach for rule in MANIFEST_RULES for breach in rule(manifest)]


@dataclass
class ContentReport:
    """What the warehouse half of the check looked at."""

    breaches: list[Breach] = field(default_factory=list)
    relations: int = 0
    columns_sampled: int = 0
    not_built: list[str] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)


def warehouse_breaches(manifest: Manifest, warehouse: Warehouse) -> ContentReport:
    """Columns the warehouse has: undescribed ones, and personal data without `pii` meta, by
    name (a column the yml does not declare) and by content (sampled values)."""
    report = ContentReport()
    for node in manifest.resources.values():
        columns = warehouse.columns(node.schema, node.identifier)
        if columns is None:
            report.not_built.append(node.label)
            continue
        if node.meta.get("classification") == "restricted":
            # The vault holds personal data by design; its columns are declared (checked by
            # name above), and its relations are for the roles that may read them.
            report.restricted.append(node.label)
            continue
        report.relations += 1
        short_name = node.name if node.resource_type != "source" else node.identifier
        allowed = UNDESCRIBED_ALLOWED.get(node.resource_type, set())
        for column in columns:
            declared = node.columns.get(column.name)
            where = f"{node.label}.{column.name}"
            if declared is None and column.name not in allowed:
                report.breaches.append(
                    Breach(
                        where,
                        "column_description",
                        f"{node.relation} has the column but the yml does not describe it: "
                        "declare and describe it",
                    )
                )
            meta = declared.meta if declared else {}
            if _declares_pii(meta):
                continue
            suggested = pii.personal_name(column.name, short_name)
            if declared is None and suggested:
                report.breaches.append(
                    Breach(
                        where,
                        "pii_by_name",
                        f"the name says {suggested}: declare the column with meta "
                        f"{{pii: true, pii_type: {suggested}}}",
                    )
                )
                continue
            if not column.is_string:
                continue
            report.columns_sampled += 1
            values = warehouse.sample(node.schema, node.identifier, column.name)
            found = pii.personal_content(values)
            if found:
                report.breaches.append(
                    Breach(
                        where,
                        "pii_by_content",
                        f"{found.matching} of {found.sampled} sampled values look like "
                        f"{found.pii_type} (e.g. {found.example}): add meta "
                        f"{{pii: true, pii_type: {found.pii_type}}} (free_text if it is prose)",
                    )
                )
    return report
