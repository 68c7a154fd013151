"""The right to erasure: every personal trace of a customer who asked to be forgotten leaves the
platform within the next run: raw tables, the vault and the cold archive; the masked layers
and the marts follow when dbt rebuilds them from the raw tables, in the same run.

Where personal data lives is declared, not coded: a source table whose meta has
`erasure: {match: ..., action: ...}` is scrubbed, by
  match  customer_id   rows whose `customer_id` is an erased customer's
         order_id      rows of an erased customer's orders (raw_shop.orders says whose)
         identity      rows whose email or phone is an erased person's, or whose contact id
                       resolved to them (`country_column` names the country their phones
                       are read in, as staging reads them)
         text          rows whose `column` names an erased person (an email address or a
                       contact id in a raw line)
  action anonymize     the row stays (the books keep it) with every column of pii meta null
         delete        the row goes
Snapshots keep no personal columns by design (snapshots/snap_customers.sql); marts hold no
personal data; the vault's rows of the person go.

Who: every request in raw_shop.erasure_requests, every run (a request is honoured again on
rows that arrive later: the CRM may export the person once more). What identifies the person
beyond their account: the vault (restricted.pii_customers) as the previous build left it, before
the shop's blanking reaches it: the emails, phones and CRM contact ids of every record resolved
to their customer_key. Those identifiers are kept, as salted SHA-256 tokens only (the same
tokens as staging's masking), in restricted.erasure_suppressions, so that later runs still
recognise the person once the vault has forgotten them. A person erased before the platform
first loaded them is known only by their account: their CRM copies cannot be traced (said in
the run's summary as requests without identity).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from tributary import sql
from tributary.governance import actions
from tributary.governance.manifest import Manifest, Resource
from tributary.governance.retention import remove_uncommitted_files

Progress = Callable[[str], None]

# The default of macros/governance/mask_pii.sql's pii_salt(): the sandbox's, not a secret.
SANDBOX_SALT = "sandbox-salt-not-a-secret"
ERASURE_ACTIONS = ("delete", "anonymize")
MATCHES = ("customer_id", "order_id", "identity", "text")
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}"

SUPPRESSIONS_DDL = """
create schema if not exists restricted.restricted;
create table if not exists restricted.restricted.erasure_suppressions (
    erasure_request_id bigint not null,
    customer_id bigint not null,
    token_kind varchar not null,
    token varchar not null,
    added_at timestamptz not null default current_timestamp
);
"""


def pii_salt() -> str:
    return os.environ.get("TRIBUTARY_PII_SALT", SANDBOX_SALT)


def token(value: str | None, salt: str) -> str | None:
    """The masked form of a standardized value: what staging's `hash` method writes."""
    if value is None:
        return None
    return hashlib.sha256((salt + value).encode()).hexdigest()


def to_e164(phone: str | None, calling_code: str | None, trunk_prefix: str | None) -> str | None:
    """A phone number as typed to E.164, given its country's calling code and trunk prefix:
    the rules of macros/utils/to_e164.sql, in Python, for raw rows staging has not seen yet
    (tests/python/test_governance_erasure.py checks the two agree on the sandbox)."""
    if phone is None:
        return None
    digits = re.sub(r"[^0-9]", "", phone)
    if not digits:
        return None
    if phone.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if calling_code is None:
        return None
    if calling_code == "1" and len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    if trunk_prefix is not None and digits.startswith(trunk_prefix):
        return "+" + calling_code + digits[len(trunk_prefix) :]
    return "+" + calling_code + digits


# The vault's tables of customer records (models/restricted/): the vault itself, and the
# records entity resolution links, which hold the same readable values.
VAULT_TABLES = ("pii_customers", "pii_customer_records")


@dataclass(frozen=True)
class ErasureTarget:
    label: str
    schema: str
    table: str
    match: str
    action: str
    pii_columns: tuple[str, ...]
    option: str | None = None  # identity: the country column; text: the column to search

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass
class ErasurePlan:
    targets: list[ErasureTarget] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def plan(manifest: Manifest) -> ErasurePlan:
    """The source tables that declare where an erased person's data lives."""
    result = ErasurePlan()
    for resource in sorted(manifest.of_type("source"), key=lambda r: r.unique_id):
        declared = resource.meta.get("erasure")
        if not declared:
            continue
        match, action = declared.get("match"), declared.get("action")
        if match not in MATCHES or action not in ERASURE_ACTIONS:
            result.problems.append(
                f"{resource.label}: erasure meta {declared} needs match in {MATCHES} and "
                f"action in {ERASURE_ACTIONS}"
            )
            continue
        option = declared.get("country_column") if match == "identity" else declared.get("column")
        if match in ("identity", "text") and not option:
            result.problems.append(f"{resource.label}: erasure by {match} needs its column")
            continue
        result.targets.append(_target(resource, match, action, option))
    return result


def _target(resource: Resource, match: str, action: str, option: str | None) -> ErasureTarget:
    pii_columns = tuple(sorted(c.name for c in resource.columns.values() if c.meta.get("pii")))
    return ErasureTarget(
        label=resource.label,
        schema=resource.schema,
        table=resource.identifier,
        match=match,
        action=action,
        pii_columns=pii_columns,
        option=option,
    )


@dataclass
class Identity:
    """Who is erased: account ids, and the tokens and contact ids that identify them."""

    customer_ids: set[int] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    contact_ids: set[str] = field(default_factory=set)
    requests_without_identity: int = 0


def _relation_exists(
    connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str
) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables"
            " where table_catalog = ? and table_schema = ? and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
    )


def collect_identity(connection: duckdb.DuckDBPyConnection, salt: str) -> Identity:
    """Every request, and what identifies its person: new identifiers from the vault are added
    to the suppression list, which then says everything ever known about erased people."""
    identity = Identity()
    connection.execute(SUPPRESSIONS_DDL)
    requests = connection.execute(
        "select request_id, customer_id from raw_shop.erasure_requests order by request_id"
    ).fetchall()
    identity.customer_ids = {customer_id for _, customer_id in requests}
    has_vault = _relation_exists(connection, "restricted", "restricted", "pii_customers")
    known = {
        (row[0], row[1], row[2])
        for row in connection.execute(
            "select erasure_request_id, token_kind, token"
            " from restricted.restricted.erasure_suppressions"
        ).fetchall()
    }
    new_suppressions: list[list[object]] = []
    for request_id, customer_id in requests:
        found: set[tuple[str, str]] = set()
        if has_vault:
            for source_system, record_id, email, phone in connection.execute(
                """
                select vault.source_system, vault.source_record_id, vault.email, vault.phone
                from restricted.restricted.pii_customers as vault
                where vault.customer_key in (
                    select customer_key from restricted.restricted.pii_customers
                    where source_system = 'shop' and source_record_id = ?
                )
                """,
                [str(customer_id)],
            ).fetchall():
                if source_system == "crm":
                    found.add(("crm_contact_id", record_id))
                for kind, value in (("email", email), ("phone", phone)):
                    if value is not None:
                        found.add((kind, str(token(value, salt))))
        new_suppressions += [
            [request_id, customer_id, kind, value]
            for kind, value in found
            if (request_id, kind, value) not in known
        ]
        if not found and not any(k[0] == request_id for k in known):
            identity.requests_without_identity += 1
    if new_suppressions:
        with sql.transaction(connection):  # every new identifier of this run, or none
            connection.executemany(
                "insert into restricted.restricted.erasure_suppressions"
                " (erasure_request_id, customer_id, token_kind, token) values (?, ?, ?, ?)",
                new_suppressions,
            )
    for kind, value in connection.execute(
        "select token_kind, token from restricted.restricted.erasure_suppressions"
    ).fetchall():
        (identity.contact_ids if kind == "crm_contact_id" else identity.tokens).add(value)
    return identity


def _register_functions(connection: duckdb.DuckDBPyConnection, salt: str) -> None:
    """SQL functions for matching raw rows: tributary_token(text) and tributary_e164(...)."""
    for name in ("tributary_token", "tributary_e164"):
        with contextlib.suppress(duckdb.Error):  # not registered on this connection yet
            connection.remove_function(name)
    connection.create_function(
        "tributary_token", lambda v: token(v, salt), ["VARCHAR"], "VARCHAR", null_handling="special"
    )
    connection.create_function(
        "tributary_e164", to_e164, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR",
        null_handling="special",
    )  # fmt: skip


def _load_identity(connection: duckdb.DuckDBPyConnection, identity: Identity) -> None:
    """The identity as temporary tables the match conditions join."""
    connection.execute("create or replace temp table erased_customers (customer_id bigint)")
    connection.execute("create or replace temp table erased_tokens (token varchar)")
    connection.execute("create or replace temp table erased_contacts (contact_id varchar)")
    if identity.customer_ids:
        connection.executemany(
            "insert into erased_customers values (?)", [[i] for i in identity.customer_ids]
        )
    if identity.tokens:
        connection.executemany(
            "insert into erased_tokens values (?)", [[t] for t in identity.tokens]
        )
    if identity.contact_ids:
        connection.executemany(
            "insert into erased_contacts values (?)", [[c] for c in identity.contact_ids]
        )


def _has_phone_reference(connection: duckdb.DuckDBPyConnection) -> bool:
    return _relation_exists(connection, _main_catalog(connection), "staging", "countries") and (
        _relation_exists(connection, _main_catalog(connection), "staging", "country_aliases")
    )


def _main_catalog(connection: duckdb.DuckDBPyConnection) -> str:
    return str(connection.execute("select current_database()").fetchone()[0])


def match_condition(target: ErasureTarget, alias: str, phones_readable: bool) -> str:
    """SQL that is true for the rows of `alias` (a row of the target) that are an erased
    person's. The column the meta names (`column`, `country_column`) is quoted; the others are
    the fixed names of each match (customer_id, order_id, email, phone, contact_id)."""
    if target.match == "customer_id":
        return f"{alias}.customer_id in (select customer_id from erased_customers)"
    if target.match == "order_id":
        return (
            f"{alias}.order_id in (select order_id from raw_shop.orders"
            " where customer_id in (select customer_id from erased_customers))"
        )
    if target.match == "text":
        column = f"{alias}.{sql.identifier(str(target.option))}"
        return (
            f"(exists (select 1 from unnest(regexp_extract_all({column},"
            f" {sql.literal(EMAIL_PATTERN)}))"
            " as found(email) where tributary_token(lower(trim(found.email))) in"
            " (select token from erased_tokens))"
            f" or exists (select 1 from erased_contacts where position(erased_contacts.contact_id"
            f" in {column}) > 0))"
        )
    # identity: the email, the phone as staging reads it, or a resolved contact id
    conditions = [
        f"tributary_token(nullif(lower(trim({alias}.email)), ''))"
        " in (select token from erased_tokens)",
        f"trim({alias}.contact_id) in (select contact_id from erased_contacts)",
    ]
    if phones_readable:
        conditions.append(
            "tributary_token(tributary_e164("
            f"{alias}.phone, phone_countries.calling_code, phone_countries.trunk_prefix))"
            " in (select token from erased_tokens)"
        )
    return "(" + " or ".join(conditions) + ")"


def _phone_join(target: ErasureTarget, alias: str, phones_readable: bool) -> str:
    """The country of each row's phone, for identity matches (as stg_crm__contacts reads it)."""
    if target.match != "identity" or not phones_readable:
        return ""
    return (
        " left join staging.country_aliases as phone_aliases"
        f" on lower(trim({alias}.{sql.identifier(str(target.option))})) = phone_aliases.alias"
        " left join staging.countries as phone_countries"
        " on phone_aliases.country_code = phone_countries.country_code"
    )


def _scrub(
    connection: duckdb.DuckDBPyConnection,
    target: ErasureTarget,
    relation: str,
    phones_readable: bool,
) -> int:
    """Delete or anonymize the erased person's rows of `relation` (as SQL names it: quoted);
    the number of rows."""
    keyed = (
        f"select scrubbed.rowid as erased_rowid from {relation} as scrubbed"
        f"{_phone_join(target, 'scrubbed', phones_readable)}"
        f" where {match_condition(target, 'scrubbed', phones_readable)}"
    )
    if target.action == "anonymize":
        nulls = [sql.identifier(column) for column in target.pii_columns]
        # a row already anonymized is not counted again
        keyed += " and (" + " or ".join(f"scrubbed.{c} is not null" for c in nulls) + ")"
        count = int(connection.execute(f"select count(*) from ({keyed})").fetchone()[0])
        if count:
            assignments = ", ".join(f"{c} = null" for c in nulls)
            connection.execute(f"update {relation} set {assignments} where rowid in ({keyed})")
        return count
    count = int(connection.execute(f"select count(*) from ({keyed})").fetchone()[0])
    if count:
        connection.execute(f"delete from {relation} where rowid in ({keyed})")
    return count


@dataclass(frozen=True)
class ErasureResult:
    relation: str
    rows: int
    files_rewritten: tuple[str, ...] = ()


def _scrub_archive(
    connection: duckdb.DuckDBPyConnection,
    target: ErasureTarget,
    archive_root: Path,
    phones_readable: bool,
) -> tuple[int, list[str]]:
    """Rewrite every archive file of the target without (or with anonymized) erased rows."""
    directory = archive_root / target.schema / target.table
    rows, rewritten = 0, []
    try:
        for path in sorted(directory.glob("archive_month=*/*.parquet")):
            connection.execute(
                "create or replace temp table archived as select * from read_parquet(?)",
                [str(path)],
            )
            changed = _scrub(connection, target, "archived", phones_readable)
            if not changed:
                continue
            replacement = path.with_suffix(".rewrite")
            try:
                connection.execute(
                    f"copy archived to {sql.literal(str(replacement))} (format parquet)"
                )
                replacement.replace(path)  # atomic: the old file, with the person, is gone
            finally:
                replacement.unlink(missing_ok=True)  # a copy that failed midway
            rows += changed
            rewritten.append(str(path.relative_to(archive_root)))
    finally:
        connection.execute("drop table if exists archived")
    return rows, rewritten


def apply_erasure(
    connection: duckdb.DuckDBPyConnection,
    erasure: ErasurePlan,
    today: date,
    archive_root: Path,
    progress: Progress = print,
) -> tuple[Identity, list[ErasureResult]]:
    """Honour every request on every declared table, the vault and the archive; log it."""
    salt = pii_salt()
    actions.ensure_table(connection)
    _register_functions(connection, salt)
    identity = collect_identity(connection, salt)
    _load_identity(connection, identity)
    phones_readable = _has_phone_reference(connection)
    if not phones_readable:
        progress("  phones not matched: the countries seeds are not built yet (first run)")
    if archive_root.exists():
        remove_uncommitted_files(connection, archive_root, progress)
    run_id = actions.new_id().replace("-", "")
    results: list[ErasureResult] = []
    main = _main_catalog(connection)
    for target in erasure.targets:
        hot = 0
        if _relation_exists(connection, main, target.schema, target.table):
            with sql.transaction(connection):  # the rows and their log row, or neither
                quoted = sql.relation(target.schema, target.table)  # names from yml
                hot = _scrub(connection, target, quoted, phones_readable)
                _log(connection, run_id, target.action, target.relation, today, hot, [], identity)
        archived, files = _scrub_archive(connection, target, archive_root, phones_readable)
        if files:
            _log(connection, run_id, target.action, f"archive:{target.relation}", today, archived,
                 files, identity)  # fmt: skip
        results.append(ErasureResult(target.relation, hot + archived, tuple(files)))
        progress(
            f"  {target.relation}: {hot:,} hot rows {target.action}d"
            + (f", {archived:,} archived rows in {len(files)} rewritten files" if files else "")
        )
    for table in VAULT_TABLES:
        if not _relation_exists(connection, "restricted", "restricted", table):
            continue  # not built yet (the first run erases before the first build)
        vault = _erase_from_vault(connection, table, run_id, today, identity)
        results.append(vault)
        progress(f"  {vault.relation}: {vault.rows:,} vault rows deleted")
    return identity, results


def _erase_from_vault(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    run_id: str,
    today: date,
    identity: Identity,
) -> ErasureResult:
    relation = f"restricted.{table}"
    condition = (
        "(source_system = 'shop' and source_record_id in"
        " (select cast(customer_id as varchar) from erased_customers))"
        " or (source_system = 'crm'"
        " and source_record_id in (select contact_id from erased_contacts))"
        " or tributary_token(email) in (select token from erased_tokens)"
        " or tributary_token(phone) in (select token from erased_tokens)"
    )
    quoted = sql.relation("restricted", "restricted", table)
    with sql.transaction(connection):
        rows = int(
            connection.execute(f"select count(*) from {quoted} where {condition}").fetchone()[0]
        )
        connection.execute(f"delete from {quoted} where {condition}")
    # A DuckDB transaction writes to one database file: the log row follows the commit (a crash
    # in between leaves the deletion unlogged, never a logged deletion that did not happen).
    _log(connection, run_id, "delete", relation, today, rows, [], identity)
    return ErasureResult(relation, rows)


def _log(
    connection: duckdb.DuckDBPyConnection,
    run_id: str,
    action: str,
    relation: str,
    today: date,
    rows: int,
    files: list[str],
    identity: Identity,
) -> None:
    actions.record(
        connection,
        actions.GovernanceAction(
            run_id=run_id,
            action=f"erasure_{action}",
            relation=relation,
            effective_date=today,
            rows_affected=rows,
            files=files,
            detail={
                "erasure_requests_for_customers": len(identity.customer_ids),
                "identifying_tokens": len(identity.tokens),
                "resolved_crm_contacts": len(identity.contact_ids),
            },
        ),
    )
