"""The CRM: its contacts, and the CSV file it exports every day.

Most contacts are shop customers typed in again by the sales team: other case and spacing,
accents dropped, typos, first and last name swapped, another phone format, an old address.
Some people were entered twice; some contacts are leads who never bought. The CRM's master
table lives beside the landing zone (it is the CRM's own storage, not a landing file); the
daily export is what the data platform sees.

Each export renders dates in the format of the sales team that typed them (US, European or
ISO), leaves some fields empty and, as exports do, corrupts a few lines: a wrong number of
columns, or a line written in Latin-1 into a UTF-8 file. Every injected defect is counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.people import (
    PHONE_STYLES,
    ascii_fold,
    format_phone,
    make_email,
    national_number,
    new_customers,
    street_address,
)
from sandbox.reference import COUNTRY_BY_CODE

EXPORT_COLUMNS = (
    "contact_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "postcode",
    "country",
    "birth_date",
    "created_date",
    "lead_source",
    "marketing_opt_in",
    "last_modified",
)
LEAD_SOURCES = ("webinar", "trade_show", "newsletter", "referral", "checkout", "support")
OPTIONAL_FIELDS = ("phone", "street", "city", "postcode", "birth_date", "lead_source")
CONTACT_SHARE = 0.7  # shop customers the sales team also knows
DUPLICATE_SHARE = 0.08  # of those, entered twice
LEAD_SHARE = 0.3  # CRM-only people, per shop customer
EMPTY_RATE = 0.03
UNPARSEABLE_DATE_RATE = 0.003
WRONG_COLUMN_COUNT_RATE = 0.004
BAD_ENCODING_RATE = 0.003
ISO_DATE_SHARE = 0.3  # rows whose dates a system, not a person, wrote
UNPARSEABLE_DATES = ("31/02/1990", "n/a", "1990-13-45", "unknown", "00.00.0000")
PERSON_ID_OFFSET_FOR_LEADS = 10_000_000


def typo(rng: np.random.Generator, name: str) -> str:
    if len(name) < 4:
        return name
    i = int(rng.integers(1, len(name) - 2))
    if rng.random() < 0.5:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # two letters swapped
    return name[:i] + name[i + 1 :]  # a letter dropped


def spell_name(rng: np.random.Generator, first: str, last: str) -> tuple[str, str]:
    """How a salesperson writes a customer's name."""
    draw = rng.random(5)
    if draw[0] < 0.15:
        first, last = ascii_fold(first), ascii_fold(last)
    if draw[1] < 0.08:
        last = typo(rng, last)
    if draw[2] < 0.10:
        first, last = (first.upper(), last.upper()) if rng.random() < 0.5 else (first, last.lower())
    if draw[3] < 0.05:
        first, last = f" {first}", f"{last}  "
    if draw[4] < 0.05:
        first, last = last, first  # family name first, as typed from a business card
    return first, last


def contacts_for_customers(
    rng: np.random.Generator, customers: pa.Table, first_contact_id: int, latest: dt.datetime
) -> pa.Table:
    """CRM contacts for some of these new shop customers, written differently."""
    rows: list[dict] = []
    for customer in customers.to_pylist():
        if rng.random() >= CONTACT_SHARE:
            continue
        copies = 2 if rng.random() < DUPLICATE_SHARE else 1
        for _ in range(copies):
            row = _variant_of(rng, customer)
            row["created_at"] = min(row["created_at"], latest)  # nobody types in the future
            rows.append(row)
    for offset, row in enumerate(rows):
        row["contact_id"] = first_contact_id + offset
    return _contacts_table(rows)


def _variant_of(rng: np.random.Generator, customer: dict) -> dict:
    country = COUNTRY_BY_CODE[customer["country_code"]]
    first, last = spell_name(rng, customer["first_name"], customer["last_name"])
    email = customer["email"].strip().lower()
    email_draw = rng.random()
    if email_draw < 0.2:
        email = email.upper() if rng.random() < 0.5 else f"  {email.capitalize()} "
    elif email_draw < 0.3:  # a work address instead of the one the shop knows
        email = f"{ascii_fold(customer['first_name'])[0]}.{ascii_fold(customer['last_name'])}"
        email = f"{email}@{ascii_fold(customer['city']).lower().replace(' ', '')}-corp.com"
        email = email.lower().replace("'", "")
    styles = [s for s in PHONE_STYLES if s != "e164"]
    phone = format_phone(country, customer["national_phone"], styles[rng.integers(0, 3)])
    street, city, code = customer["street"], customer["city"], customer["postcode"]
    moved = rng.random() < 0.2  # the CRM still has the address from before the customer moved
    if moved:
        street, city, code = street_address(rng, country)
    return {
        "person_id": int(customer["customer_id"]),
        "customer_id": int(customer["customer_id"]),
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "street": street,
        "city": city,
        "postcode": code,
        "country_code": country.code,
        "birth_date": customer["birth_date"],
        "created_at": customer["created_at"] + dt.timedelta(hours=float(rng.uniform(1, 240))),
        "lead_source": LEAD_SOURCES[rng.integers(0, len(LEAD_SOURCES))],
        "marketing_opt_in": bool(customer["marketing_opt_in"]),
    }


def new_leads(
    rng: np.random.Generator,
    count: int,
    first_contact_id: int,
    first_person_id: int,
    created_from: np.datetime64,
    created_to: np.datetime64,
) -> pa.Table:
    """People the CRM knows who never bought: generated like customers, never in the shop."""
    people = new_customers(rng, first_person_id, count, created_from, created_to).to_pylist()
    rows = []
    for offset, person in enumerate(people):
        country = COUNTRY_BY_CODE[person["country_code"]]
        rows.append(
            {
                "contact_id": first_contact_id + offset,
                "person_id": PERSON_ID_OFFSET_FOR_LEADS + int(person["customer_id"]),
                "customer_id": None,
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "email": make_email(rng, person["first_name"], person["last_name"], offset),
                "phone": format_phone(country, national_number(rng, country), "national"),
                "street": person["street"],
                "city": person["city"],
                "postcode": person["postcode"],
                "country_code": country.code,
                "birth_date": person["birth_date"],
                "created_at": person["created_at"],
                "lead_source": LEAD_SOURCES[rng.integers(0, len(LEAD_SOURCES))],
                "marketing_opt_in": bool(person["marketing_opt_in"]),
            }
        )
    return _contacts_table(rows)


CONTACT_SCHEMA = pa.schema(
    [
        ("contact_id", pa.int64()),
        ("person_id", pa.int64()),
        ("customer_id", pa.int64()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("street", pa.string()),
        ("city", pa.string()),
        ("postcode", pa.string()),
        ("country_code", pa.string()),
        ("birth_date", pa.date32()),
        ("created_at", pa.timestamp("s")),
        ("updated_at", pa.timestamp("s")),
        ("lead_source", pa.string()),
        ("marketing_opt_in", pa.bool_()),
    ]
)


def _contacts_table(rows: list[dict]) -> pa.Table:
    for row in rows:
        row.setdefault("updated_at", row["created_at"])
    return pa.Table.from_pylist(rows, schema=CONTACT_SCHEMA)


def load_contacts(path: Path) -> pa.Table | None:
    return pq.read_table(path).cast(CONTACT_SCHEMA) if path.exists() else None


def save_contacts(path: Path, contacts: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(contacts.sort_by("contact_id"), path)


def update_contacts(
    rng: np.random.Generator, contacts: pa.Table, day: dt.date, share: float
) -> tuple[pa.Table, int]:
    """A few contacts edited during the day (a new phone number, the opt-in flipped)."""
    rows = contacts.to_pylist()
    changed = 0
    for index in np.flatnonzero(rng.random(len(rows)) < share).tolist():
        row = rows[index]
        country = COUNTRY_BY_CODE[row["country_code"]]
        row["phone"] = format_phone(country, national_number(rng, country), "international")
        row["marketing_opt_in"] = not row["marketing_opt_in"]
        row["updated_at"] = dt.datetime.combine(day, dt.time(int(rng.integers(8, 18))))
        changed += 1
    return _contacts_table(rows), changed


def write_export(
    rng: np.random.Generator, contacts: pa.Table, day: dt.date, directory: Path, full: bool
) -> tuple[Path, Counter]:
    """Write the day's export: every contact on the first day, then those changed that day."""
    end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59))
    start_of_day = dt.datetime.combine(day, dt.time())
    selected = [
        row
        for row in contacts.to_pylist()
        if row["updated_at"] <= end_of_day and (full or row["updated_at"] >= start_of_day)
    ]
    defects: Counter = Counter()
    lines = [",".join(EXPORT_COLUMNS).encode("utf-8")]
    # The first (full) export carries at least one defect of each kind, whatever the scale.
    forced = {"columns": full, "encoding": full}
    for row in selected:
        fields = _export_fields(rng, row, defects)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(fields)
        line = buffer.getvalue()
        draw = rng.random()
        if draw < WRONG_COLUMN_COUNT_RATE or forced["columns"]:
            # A field with an unquoted comma, or a line cut short by the export job.
            line = line + ",EXTRA" if rng.random() < 0.5 else line.rsplit(",", 3)[0]
            defects["crm.wrong_column_count"] += 1
            forced["columns"] = False
        elif (
            draw < WRONG_COLUMN_COUNT_RATE + BAD_ENCODING_RATE or forced["encoding"]
        ) and _has_latin1_letters(line):
            lines.append(line.encode("latin-1", errors="replace"))
            defects["crm.bad_encoding"] += 1
            forced["encoding"] = False
            continue
        lines.append(line.encode("utf-8"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"contacts_{day.isoformat()}.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    defects["crm.exported_rows"] += len(selected)
    return path, defects


def _export_fields(rng: np.random.Generator, row: dict, defects: Counter) -> list[str]:
    country = COUNTRY_BY_CODE[row["country_code"]]
    date_format = "%Y-%m-%d" if rng.random() < ISO_DATE_SHARE else country.crm_date_format
    defects[f"crm.date_format.{date_format}"] += 1

    def render(value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return ""
        if rng.random() < UNPARSEABLE_DATE_RATE:
            defects["crm.unparseable_date"] += 1
            return UNPARSEABLE_DATES[rng.integers(0, len(UNPARSEABLE_DATES))]
        return value.strftime(date_format)

    spellings = country.crm_country_spellings
    fields = {
        "contact_id": f"CRM-{row['contact_id']:07d}",
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "phone": row["phone"],
        "street": row["street"],
        "city": row["city"],
        "postcode": row["postcode"],
        "country": spellings[rng.integers(0, len(spellings))],
        "birth_date": render(row["birth_date"]),
        "created_date": render(row["created_at"]),
        "lead_source": row["lead_source"],
        "marketing_opt_in": ("yes", "no")[0 if row["marketing_opt_in"] else 1]
        if rng.random() < 0.5
        else ("1", "0")[0 if row["marketing_opt_in"] else 1],
        "last_modified": row["updated_at"].strftime("%Y-%m-%dT%H:%M:%S"),
    }
    for field in OPTIONAL_FIELDS:
        if fields[field] and rng.random() < EMPTY_RATE:
            fields[field] = ""
            defects["crm.empty_value"] += 1
    return [fields[column] for column in EXPORT_COLUMNS]


def _has_latin1_letters(line: str) -> bool:
    """Whether writing the line in Latin-1 yields bytes that are invalid UTF-8: a letter such as
    'é' does; 'ō' has no Latin-1 byte at all (it would become '?', still valid UTF-8)."""
    return any(0x80 <= ord(character) <= 0xFF for character in line)
