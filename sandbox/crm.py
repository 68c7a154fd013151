"""The CRM: its contacts, and the CSV file it exports every day.

Most contacts are shop customers typed in again by the sales team; some are leads who never
bought. Every contact, a customer's copy or a lead, goes through the same noise profile
(`CrmNoise`): typing errors in names, addresses and emails, nicknames, first and last name
swapped, accents dropped, other case and spacing, missing emails, phones and birth dates, day
and month of a birth date swapped or a birth date that cannot be, a wrong postcode character, an
old address. Some people were entered twice; some leads live in a shop customer's household or
share a customer's name without being that person. The CRM's master table lives beside the
landing zone (it is the CRM's own storage, not a landing file); the daily export is what the
data platform sees.

Each export renders dates in the format of the sales team that typed them (US, European or
ISO), leaves some fields empty and, as exports do, corrupts a few lines: a wrong number of
columns, or a line written in Latin-1 into a UTF-8 file. Every injected defect is counted:
the contact's noise once, as `crm.noise.*`, when the contact is created; the export's per row.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import string
from collections import Counter
from dataclasses import dataclass
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
from sandbox.reference import COUNTRY_BY_CODE, NICKNAMES

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
LEAD_SHARE = 0.3  # CRM-only people, per shop customer
EMPTY_RATE = 0.03
UNPARSEABLE_DATE_RATE = 0.003
WRONG_COLUMN_COUNT_RATE = 0.004
BAD_ENCODING_RATE = 0.003
ISO_DATE_SHARE = 0.3  # rows whose dates a system, not a person, wrote
UNPARSEABLE_DATES = ("31/02/1990", "n/a", "1990-13-45", "unknown", "00.00.0000")
PERSON_ID_OFFSET_FOR_LEADS = 10_000_000
CONTACT_PHONE_STYLES = tuple(s for s in PHONE_STYLES if s != "e164")  # people never type E.164


@dataclass(frozen=True)
class CrmNoise:
    """How far a CRM contact is from the person it describes: the rates of each kind of noise,
    each drawn independently per contact (or per field, where it says so).

    The defaults aim at ordinary CRM data, typed by hand from calls, forms and business cards:
    about one name in ten mistyped, many contacts without an email or a phone, so that exact
    matching on email or phone finds most people but far from all, and a name alone is never
    proof (households, namesakes). `NO_NOISE` turns every kind off."""

    # names
    name_typo: float = 0.10  # per name field: one in ten hand-typed names has an error
    second_typo: float = 0.2  # of those, a second edit (a name of five letters or more only)
    nickname: float = 0.08  # of given names with a short form (~3 % of contacts): "Bill"
    swapped_names: float = 0.05  # family name first, as typed from a business card
    ascii_folded: float = 0.15  # accents dropped on a keyboard or by an old system
    case_changed: float = 0.10  # caps lock, or a last name typed in lower case
    padded: float = 0.05  # stray spaces around the names
    # addresses
    street_typo: float = 0.05  # a street is typed less carefully than a name, but less often
    city_typo: float = 0.03  # mostly picked from a list; typed freely now and then
    postcode_typo: float = 0.05  # one character wrong: digits are easy to mistype
    moved: float = 0.20  # the CRM still has the address from before the person moved
    # email and phone
    missing_email: float = 0.40  # leads from calls and trade shows rarely leave an email
    missing_phone: float = 0.50  # independently of the email: ~20 % reachable by neither
    email_typo: float = 0.02  # in the local part: rare, since the address has to work
    shouted_email: float = 0.20  # upper case or padded: harmless once normalized
    work_email: float = 0.10  # a work address instead of the one the shop knows
    # birth dates
    missing_birth_date: float = 0.10  # not asked, or not given
    # of dates whose day is 1-12 and not the month (a swap leaves a valid, wrong date): 36 % of
    # the days, so ~4 % of all contacts
    swapped_birth_date: float = 0.12
    impossible_birth_date: float = 0.01  # 30 February, month 13, 1885 or 2085: no check
    # records
    duplicate_customer: float = 0.08  # a customer entered twice by two salespeople
    duplicate_lead: float = 0.04  # a lead entered twice: fewer people touch a lead
    household: float = 0.04  # of leads: the partner or child of a customer or lead
    namesake: float = 0.02  # of leads: another person with a customer's name


CRM_NOISE = CrmNoise()
NO_NOISE = CrmNoise(**{field: 0.0 for field in CrmNoise.__dataclass_fields__})

# Typing errors, by how often each happens on a keyboard (fat fingers most, wrong letters
# least), at a letter drawn uniformly from the field's letters.
TYPO_KINDS = ("neighbour", "deletion", "transposition", "insertion", "substitution")
TYPO_WEIGHTS = np.cumsum([0.30, 0.25, 0.20, 0.15, 0.10])
QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _qwerty_neighbours() -> dict[str, str]:
    """Each key's neighbours on a QWERTY keyboard: left and right, and the two keys above and
    below that touch it (the rows are staggered, each half a key right of the one above)."""
    neighbours = {}
    for r, row in enumerate(QWERTY_ROWS):
        for i, key in enumerate(row):
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            if r > 0:
                near += [QWERTY_ROWS[r - 1][j] for j in (i, i + 1) if j < len(QWERTY_ROWS[r - 1])]
            if r < len(QWERTY_ROWS) - 1:
                near += [
                    QWERTY_ROWS[r + 1][j] for j in (i - 1, i) if 0 <= j < len(QWERTY_ROWS[r + 1])
                ]
            neighbours[key] = "".join(near)
    return neighbours


QWERTY_NEIGHBOURS = _qwerty_neighbours()


def mistype(rng: np.random.Generator, text: str, edits: int = 1) -> str:
    """`text` with `edits` typing errors, each at a letter (never a digit, space or hyphen)."""
    for _ in range(edits):
        text = _one_typing_error(rng.random(4), text)
    return text


def _one_typing_error(draws: np.ndarray, text: str) -> str:
    letters = [i for i, character in enumerate(text) if character.isalpha()]
    if len(letters) < 3:
        return text  # too short to mistype and still be read as the same word
    kind = TYPO_KINDS[int(np.searchsorted(TYPO_WEIGHTS, draws[0] * TYPO_WEIGHTS[-1], "right"))]
    i = letters[int(draws[1] * len(letters))]
    here, after = text[i], text[i + 1 : i + 2]
    if kind == "deletion":
        return text[:i] + text[i + 1 :]
    if kind == "transposition" and after.isalpha() and after != here:
        return text[:i] + after + here + text[i + 2 :]
    if kind == "insertion":  # a key pressed twice, or its neighbour pressed with it
        extra = here if draws[2] < 0.5 else _near_key(draws[3], here)
        return text[: i + 1] + extra + text[i + 1 :]
    if kind == "substitution":
        return text[:i] + _other_letter(draws[2], here) + text[i + 1 :]
    return text[:i] + _near_key(draws[2], here) + text[i + 1 :]  # a transposition's fallback too


def _near_key(draw: float, character: str) -> str:
    """A key next to `character`'s on a QWERTY keyboard, in its case ('ü' is typed on 'u')."""
    near = QWERTY_NEIGHBOURS.get(ascii_fold(character).lower())
    if not near:
        return _other_letter(draw, character)
    key = near[int(draw * len(near))]
    return key.upper() if character.isupper() else key


def _other_letter(draw: float, character: str) -> str:
    others = string.ascii_lowercase.replace(character.lower(), "")
    letter = others[int(draw * len(others))]
    return letter.upper() if character.isupper() else letter


def _typed(
    rng: np.random.Generator,
    text: str,
    rate: float,
    noise: CrmNoise,
    counts: Counter,
    field: str,
) -> str:
    """`text` as typed into `field`: a typing error at `rate`, a second one now and then (in a
    word of five letters or more, so that a person stays recognizable)."""
    draws = rng.random(2)
    if draws[0] >= rate:
        return text
    long_enough = sum(character.isalpha() for character in text) >= 5
    edits = 2 if long_enough and draws[1] < noise.second_typo else 1
    typed = mistype(rng, text, edits)
    if typed != text:
        counts[f"crm.noise.typo.{field}"] += 1
        counts["crm.noise.typo.second_edit"] += edits - 1
    return typed


def mistype_postcode(draws: np.ndarray, code: str) -> str:
    """One character of the postcode wrong: a digit for a digit, a letter for a letter."""
    positions = [i for i, character in enumerate(code) if character.isalnum()]
    i = positions[int(draws[0] * len(positions))]
    pool = string.digits if code[i].isdigit() else string.ascii_uppercase
    others = pool.replace(code[i].upper(), "")
    return code[:i] + others[int(draws[1] * len(others))] + code[i + 1 :]


def spell_name(
    rng: np.random.Generator,
    first: str,
    last: str,
    noise: CrmNoise = CRM_NOISE,
    counts: Counter | None = None,
) -> tuple[str, str]:
    """How a salesperson writes a person's name."""
    counts = Counter() if counts is None else counts
    draw = rng.random(7)
    if draw[0] < noise.nickname and first in NICKNAMES:
        short_forms = NICKNAMES[first]
        first = short_forms[int(draw[6] * len(short_forms))]
        counts["crm.noise.nickname"] += 1
    first = _typed(rng, first, noise.name_typo, noise, counts, "first_name")
    last = _typed(rng, last, noise.name_typo, noise, counts, "last_name")
    if draw[1] < noise.ascii_folded and ascii_fold(first + last) != first + last:
        first, last = ascii_fold(first), ascii_fold(last)
        counts["crm.noise.ascii_folded"] += 1
    if draw[2] < noise.case_changed:
        first, last = (first.upper(), last.upper()) if draw[5] < 0.5 else (first, last.lower())
        counts["crm.noise.case_changed"] += 1
    if draw[3] < noise.padded:
        first, last = f" {first}", f"{last}  "
        counts["crm.noise.padded"] += 1
    if draw[4] < noise.swapped_names:
        first, last = last, first  # family name first, as typed from a business card
        counts["crm.noise.swapped_names"] += 1
    return first, last


def contacts_for_customers(
    rng: np.random.Generator,
    customers: pa.Table,
    first_contact_id: int,
    latest: dt.datetime,
    noise: CrmNoise = CRM_NOISE,
) -> tuple[pa.Table, Counter]:
    """CRM contacts for some of these new shop customers, written differently; and the count
    of each kind of noise in them."""
    counts: Counter = Counter()
    rows: list[dict] = []
    for customer in customers.to_pylist():
        if rng.random() >= CONTACT_SHARE:
            continue
        person = {
            **customer,
            "person_id": int(customer["customer_id"]),
            "email": customer["email"].strip().lower(),
        }
        copies = 2 if rng.random() < noise.duplicate_customer else 1
        counts["crm.noise.duplicate_contact"] += copies - 1
        for _ in range(copies):
            row = _noisy_contact(rng, person, noise, counts)
            typed_at = customer["created_at"] + dt.timedelta(hours=float(rng.uniform(1, 240)))
            row["created_at"] = min(typed_at, latest)  # nobody types in the future
            rows.append(row)
    return _numbered(rows, first_contact_id), counts


def new_leads(
    rng: np.random.Generator,
    count: int,
    first_contact_id: int,
    first_person_id: int,
    created_from: np.datetime64,
    created_to: np.datetime64,
    customers: pa.Table,
    noise: CrmNoise = CRM_NOISE,
) -> tuple[pa.Table, Counter]:
    """People the CRM knows who never bought: generated like customers, never in the shop. A
    few live with a shop customer or another lead (`customers` are the shop's), a few share a
    customer's name; some are entered twice. With the count of each kind of noise."""
    counts: Counter = Counter()
    people = new_customers(rng, first_person_id, count, created_from, created_to).to_pylist()
    shop = customers.to_pylist()
    latest = created_to.astype(dt.datetime)
    leads: list[dict] = []
    rows: list[dict] = []
    for offset, drawn in enumerate(people):
        lead = _lead(rng, drawn, offset, shop, leads, noise, counts)
        leads.append(lead)
        copies = 2 if rng.random() < noise.duplicate_lead else 1
        counts["crm.noise.duplicate_contact"] += copies - 1
        for copy in range(copies):
            row = _noisy_contact(rng, lead, noise, counts)
            later = dt.timedelta(hours=float(rng.uniform(1, 2_000))) if copy else dt.timedelta()
            row["created_at"] = min(lead["created_at"] + later, latest)
            rows.append(row)
    return _numbered(rows, first_contact_id), counts


def _lead(
    rng: np.random.Generator,
    drawn: dict,
    offset: int,
    shop: list[dict],
    leads: list[dict],
    noise: CrmNoise,
    counts: Counter,
) -> dict:
    """The true details of a lead: a person drawn like a customer, or one who shares a
    household (family name, address, phone) with a customer or an earlier lead, or who has a
    customer's name; always a person of their own (`person_id`)."""
    lead = {
        **drawn,
        "person_id": PERSON_ID_OFFSET_FOR_LEADS + int(drawn["customer_id"]),
        "customer_id": None,
        "household": False,
    }
    draws = rng.random(3)
    if draws[0] < noise.household:
        hosts = leads if leads and draws[1] < 0.5 else shop
        lead = _household_member(rng, lead, hosts[int(draws[2] * len(hosts))])
        counts["crm.noise.household"] += 1
    elif draws[0] < noise.household + noise.namesake:
        lead = _namesake(rng, lead, shop[int(draws[2] * len(shop))])
        counts["crm.noise.namesake"] += 1
    lead["email"] = make_email(rng, lead["first_name"], lead["last_name"], offset)
    return lead


def _household_member(rng: np.random.Generator, lead: dict, host: dict) -> dict:
    """Someone living with `host`: their family name, address and phone; a given name and a
    birth date of their own."""
    country = COUNTRY_BY_CODE[host["country_code"]]
    given = [name for name in country.first_names if name != host["first_name"]]
    born = lead["birth_date"]
    if born == host["birth_date"]:
        born = born - dt.timedelta(days=int(rng.integers(400, 10_000)))
    return {
        **lead,
        **{key: host[key] for key in ("last_name", "street", "city", "postcode")},
        **{key: host[key] for key in ("country_code", "national_phone")},
        "first_name": given[int(rng.integers(0, len(given)))],
        "birth_date": born,
        "household": True,
    }


def _namesake(rng: np.random.Generator, lead: dict, host: dict) -> dict:
    """Someone else with `host`'s full name, in the same country: nothing else in common."""
    country = COUNTRY_BY_CODE[host["country_code"]]
    street, city, code = street_address(rng, country)
    return {
        **lead,
        "first_name": host["first_name"],
        "last_name": host["last_name"],
        "country_code": country.code,
        "national_phone": national_number(rng, country),
        "street": street,
        "city": city,
        "postcode": code,
    }


def _noisy_contact(
    rng: np.random.Generator, person: dict, noise: CrmNoise, counts: Counter
) -> dict:
    """A CRM contact of `person` (their true details), as a salesperson typed it."""
    country = COUNTRY_BY_CODE[person["country_code"]]
    first, last = spell_name(rng, person["first_name"], person["last_name"], noise, counts)
    street, city, code = _address(rng, person, noise, counts)
    return {
        "person_id": int(person["person_id"]),
        "customer_id": person["customer_id"],
        "first_name": first,
        "last_name": last,
        "email": _email(rng, person, noise, counts),
        "phone": _phone(rng, person, noise, counts),
        "street": street,
        "city": city,
        "postcode": code,
        "country_code": country.code,
        **_birth_date(rng, person["birth_date"], noise, counts),
        "lead_source": LEAD_SOURCES[rng.integers(0, len(LEAD_SOURCES))],
        "marketing_opt_in": bool(person["marketing_opt_in"]),
    }


def _email(rng: np.random.Generator, person: dict, noise: CrmNoise, counts: Counter) -> str | None:
    draws = rng.random(5)
    if draws[0] < noise.missing_email:
        counts["crm.noise.missing_email"] += 1
        return None
    email = person["email"]
    if draws[1] < noise.work_email:
        first, last = ascii_fold(person["first_name"]), ascii_fold(person["last_name"])
        company = ascii_fold(person["city"]).lower().replace(" ", "")
        email = f"{first[0]}.{last}@{company}-corp.com".lower().replace("'", "").replace(" ", "")
        counts["crm.noise.work_email"] += 1
    if draws[2] < noise.email_typo:
        local, _, domain = email.partition("@")
        typed = mistype(rng, local)
        counts["crm.noise.typo.email"] += typed != local
        email = f"{typed}@{domain}"
    if draws[3] < noise.shouted_email:
        email = email.upper() if draws[4] < 0.5 else f"  {email.capitalize()} "
        counts["crm.noise.shouted_email"] += 1
    return email


def _phone(rng: np.random.Generator, person: dict, noise: CrmNoise, counts: Counter) -> str | None:
    draws = rng.random(2)
    if draws[0] < noise.missing_phone:
        counts["crm.noise.missing_phone"] += 1
        return None
    style = CONTACT_PHONE_STYLES[int(draws[1] * len(CONTACT_PHONE_STYLES))]
    return format_phone(COUNTRY_BY_CODE[person["country_code"]], person["national_phone"], style)


def _address(
    rng: np.random.Generator, person: dict, noise: CrmNoise, counts: Counter
) -> tuple[str, str, str]:
    street, city, code = person["street"], person["city"], person["postcode"]
    draws = rng.random(3)
    # A household is its shared address: its members are never given an old one.
    if draws[0] < noise.moved and not person.get("household"):
        street, city, code = street_address(rng, COUNTRY_BY_CODE[person["country_code"]])
        counts["crm.noise.old_address"] += 1
    street = _typed(rng, street, noise.street_typo, noise, counts, "street")
    city = _typed(rng, city, noise.city_typo, noise, counts, "city")
    if draws[1] < noise.postcode_typo:
        code = mistype_postcode(rng.random(2), code)
        counts["crm.noise.typo.postcode"] += 1
    return street, city, code


def _birth_date(
    rng: np.random.Generator, born: dt.date, noise: CrmNoise, counts: Counter
) -> dict[str, dt.date | str | None]:
    """The birth date the CRM stores: the true one, none, day and month swapped, or (as text:
    no date field would take it) one that cannot be."""
    draws = rng.random(3)
    if draws[0] < noise.missing_birth_date:
        counts["crm.noise.missing_birth_date"] += 1
        return {"birth_date": None, "birth_date_text": None}
    if draws[0] < noise.missing_birth_date + noise.impossible_birth_date:
        counts["crm.noise.impossible_birth_date"] += 1
        return {"birth_date": None, "birth_date_text": impossible_date(draws[1:], born)}
    if born.day <= 12 and born.day != born.month and draws[1] < noise.swapped_birth_date:
        counts["crm.noise.swapped_birth_date"] += 1
        return {"birth_date": born.replace(month=born.day, day=born.month), "birth_date_text": None}
    return {"birth_date": born, "birth_date_text": None}


def impossible_date(draws: np.ndarray, born: dt.date) -> str:
    """A birth date no one has, near `born`, as 'YYYY-MM-DD' text: a day the month does not
    have (30 February, 31 April), month 13, or the century mistyped (1885, or 2085: the
    future)."""
    kind = int(draws[0] * 3)
    if kind == 0:
        month = (2, 4, 6, 9, 11)[int(draws[1] * 5)]
        day = calendar.monthrange(born.year, month)[1] + 1
        return f"{born.year:04d}-{month:02d}-{day:02d}"
    if kind == 1:
        return f"{born.year:04d}-13-{born.day:02d}"
    year = born.year - 100 if draws[1] < 0.5 else born.year + 100
    return f"{year:04d}-{born.month:02d}-{born.day:02d}"


def _numbered(rows: list[dict], first_contact_id: int) -> pa.Table:
    for offset, row in enumerate(rows):
        row["contact_id"] = first_contact_id + offset
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
        # a birth date no date field would take ('1990-02-30'), as typed; birth_date is null
        ("birth_date_text", pa.string()),
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
    if not path.exists():
        return None
    table = pq.read_table(path)
    if "birth_date_text" not in table.column_names:  # a sandbox generated before it existed
        table = table.append_column("birth_date_text", pa.nulls(table.num_rows, pa.string()))
    return table.select(CONTACT_SCHEMA.names).cast(CONTACT_SCHEMA)


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

    def render(value: dt.date | dt.datetime | None, typed: str | None = None) -> str:
        if value is None and typed is None:
            return ""
        if rng.random() < UNPARSEABLE_DATE_RATE:
            defects["crm.unparseable_date"] += 1
            return UNPARSEABLE_DATES[rng.integers(0, len(UNPARSEABLE_DATES))]
        if typed is not None:
            return render_date_text(typed, date_format)
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
        "birth_date": render(row["birth_date"], row["birth_date_text"]),
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


def render_date_text(text: str, date_format: str) -> str:
    """A 'YYYY-MM-DD' text in `date_format`, whether or not it is a date ('1990-02-30' in
    '%d/%m/%Y' is '30/02/1990'): what strftime does, for dates strftime refuses."""
    year, month, day = text.split("-")
    return date_format.replace("%Y", year).replace("%m", month).replace("%d", day)


def _has_latin1_letters(line: str) -> bool:
    """Whether writing the line in Latin-1 yields bytes that are invalid UTF-8: a letter such as
    'é' does; 'ō' has no Latin-1 byte at all (it would become '?', still valid UTF-8)."""
    return any(0x80 <= ord(character) <= 0xFF for character in line)
