"""The generator is deterministic, and its ground truth says what is really in the landing zone."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
import sqlite3
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from sandbox import crm
from sandbox.common import rng_for
from sandbox.generator import CUSTOMERS_PER_SCALE, generate, next_day
from sandbox.people import ascii_fold, new_customers
from sandbox.reference import NICKNAMES
from tests.python.conftest import TEST_SCALE, TEST_SEED, BuiltWarehouse
from tests.python.helpers import defects, shop_rows
from tributary.config import SandboxLayout


def _fingerprint(root: Path) -> dict[str, str]:
    """A hash per landing file's content (gzip headers aside) and per shop table."""
    prints = {}
    for path in sorted((root / "landing").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            prints[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
    with sqlite3.connect(root / "shop" / "shop.sqlite") as connection:
        for (table,) in connection.execute("select name from sqlite_master where type = 'table'"):
            rows = connection.execute(f"select * from {table} order by 1").fetchall()
            prints[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


def test_the_same_seed_and_scale_give_the_same_sandbox(
    pristine_sandbox: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    generate(again, seed=TEST_SEED, scale=TEST_SCALE, progress=lambda _: None)
    other = tmp_path / "other"
    generate(other, seed=TEST_SEED + 1, scale=TEST_SCALE, progress=lambda _: None)

    assert _fingerprint(again) == _fingerprint(pristine_sandbox)
    assert _fingerprint(other) != _fingerprint(pristine_sandbox)


def test_ground_truth_defect_counts_match_the_landing_zone(pristine_sandbox: Path) -> None:
    assert_ground_truth_matches(SandboxLayout(pristine_sandbox))


def test_ground_truth_holds_at_scale_one_after_a_load(scale_one: BuiltWarehouse) -> None:
    assert_ground_truth_matches(scale_one.sandbox)


def assert_ground_truth_matches(layout: SandboxLayout) -> None:
    """Recount every injected defect in the sources themselves."""
    truth = defects(layout)
    landing = str(layout.landing)
    with duckdb.connect() as connection:
        events = connection.execute(
            f"""
            select
                count(*) - count(distinct event_id) as duplicates,
                count(*) filter (
                    where date_trunc('hour', cast(event_timestamp as timestamptz))
                        < cast(regexp_extract(filename, 'date=([0-9-]+)', 1) as date)
                        + to_hours(cast(regexp_extract(filename, 'hour=([0-9]+)', 1) as int))
                ) as late
            from read_json('{landing}/clickstream/**/*.jsonl.gz', filename = true,
                columns = {{event_id: 'varchar', event_timestamp: 'varchar'}})
            """
        ).fetchone()
        assert events == (truth["web.duplicate_events"], truth["web.late_events"])

        readings = connection.execute(
            f"""
            select
                count(*) filter (where temperature > 900),
                count(*) filter (where temperature < -273.15),
                count(*) filter (where latitude > 90),
                count(*) filter (where battery_pct > 100)
            from read_parquet('{landing}/telemetry/**/*.parquet')
            """
        ).fetchone()
        assert readings == (
            truth["telemetry.temperature_too_high"],
            truth["telemetry.temperature_below_absolute_zero"],
            truth["telemetry.latitude_out_of_range"],
            truth["telemetry.battery_out_of_range"],
        )

        connection.execute(
            f"create table contacts as select * from read_csv('{landing}/crm/*.csv', "
            "header = true, all_varchar = true, store_rejects = true)"
        )
        rejected = connection.execute(
            "select error_type, count(distinct (file_id, line)) from reject_errors group by 1"
        ).fetchall()
        by_kind = dict(rejected)
        assert by_kind.get("INVALID ENCODING", 0) == truth["crm.bad_encoding"]
        assert (
            by_kind.get("TOO MANY COLUMNS", 0) + by_kind.get("MISSING COLUMNS", 0)
            == (truth["crm.wrong_column_count"])
        )

    shop = {
        "shop.order_items.negative_quantity": "select count(*) from order_items where quantity < 0",
        "shop.order_items.orphan_product": "select count(*) from order_items "
        "where product_id not in (select product_id from products)",
        "shop.orders.unknown_currency": "select count(*) from orders where currency_code = 'BTC'",
        "shop.payments.missing_order_key": "select count(*) from payments where order_id is null",
    }
    for kind, sql in shop.items():
        assert shop_rows(layout, sql)[0][0] == truth.get(kind, 0), kind


def test_ground_truth_identity_links_crm_contacts_to_customers(pristine_sandbox: Path) -> None:
    layout = SandboxLayout(pristine_sandbox)
    identity = (layout.ground_truth / "identity.csv").read_text().splitlines()[1:]
    systems = [line.split(",")[0] for line in identity]
    customers = shop_rows(layout, "select count(*) from customers")[0][0]
    assert systems.count("shop") == customers
    crm_people = {line.split(",")[2] for line in identity if line.startswith("crm,")}
    shop_people = {line.split(",")[2] for line in identity if line.startswith("shop,")}
    linked = crm_people & shop_people
    # Most CRM contacts are customers typed in again; some are leads who never bought.
    assert 0.5 * customers <= len(linked) <= 0.8 * customers
    assert crm_people - shop_people


def _orders_per_day(layout: SandboxLayout) -> dict[str, int]:
    with sqlite3.connect(layout.shop_db) as connection:
        query = "select date(ordered_at), count(*) from orders group by 1"
        return dict(connection.execute(query).fetchall())


def test_a_normal_next_day_continues_the_history(pristine_sandbox: Path, tmp_path: Path) -> None:
    """Two weeks of normal next days sell what the history's last four weeks did, within the
    noise of those weeks: a monitor trained on the history sees nothing unusual (issue 22: the
    next day used to sell a third of the history's last days)."""
    root = tmp_path / "sandbox"
    shutil.copytree(pristine_sandbox, root)
    history = _orders_per_day(SandboxLayout(root))
    last_day = max(history)
    for _ in range(10):  # ten business days: two calendar weeks, weekends included
        next_day(root, progress=lambda _: None)
    new_days = {day: n for day, n in _orders_per_day(SandboxLayout(root)).items() if day > last_day}
    recent = [history[day] for day in sorted(history)[-28:]]

    mean, spread = statistics.mean(recent), statistics.stdev(recent)
    observed = statistics.mean(new_days.values())
    band = 3 * spread / len(new_days) ** 0.5  # three standard errors of a two-week mean
    assert len(new_days) == 14
    assert abs(observed - mean) <= band, (
        f"next days sell {observed:.1f} orders a day, the history's last four weeks "
        f"{mean:.1f} ± {band:.1f}"
    )


def test_the_history_has_a_trend_and_a_weekly_rhythm(scale_one: BuiltWarehouse) -> None:
    """The shop grows over the year and sells more on Sundays than on Saturdays (scale 1: about
    7,000 orders per weekday, so both differences stand far above the noise)."""
    per_day = _orders_per_day(scale_one.sandbox)
    days = sorted(per_day)
    first_quarter = sum(per_day[day] for day in days[:91])
    last_quarter = sum(per_day[day] for day in days[-91:])
    by_weekday = {weekday: 0 for weekday in range(7)}
    for day, count in per_day.items():
        by_weekday[dt.date.fromisoformat(day).weekday()] += count

    assert last_quarter > 1.2 * first_quarter, (first_quarter, last_quarter)
    assert by_weekday[6] > 1.1 * by_weekday[5], by_weekday  # Sunday over Saturday


def test_a_next_day_adds_landing_files_and_never_rewrites_one(
    scale_one: BuiltWarehouse, tmp_path: Path
) -> None:
    """A delivery never overwrites an earlier one's file: the sessions of a step's first orders
    start the evening before, in an hour an earlier delivery wrote (the step used to replace that
    file, and the events in it were lost). At scale 1, where orders come minutes apart."""
    root = tmp_path / "sandbox"
    shutil.copytree(scale_one.sandbox.root, root)
    landing = {path: digest for path, digest in _fingerprint(root).items() if "/" in path}
    next_day(root, progress=lambda _: None)
    after = _fingerprint(root)

    assert {path: after.get(path) for path in landing} == landing
    assert len([path for path in after if "/" in path]) > len(landing)


# ------------------------------------------------------ the CRM's noise profile (issue 14)
# Drawn straight from sandbox/crm.py at scale 1 (5,000 customers, about 5,400 contacts): a
# second, not a whole sandbox, and enough contacts for the rates to sit within their bounds.


@dataclass(frozen=True)
class CrmDraw:
    customers: dict[int, dict]  # the truth, by customer_id
    contacts: list[dict]  # copies of customers, then leads
    counts: Counter

    @property
    def copies(self) -> list[tuple[dict, dict]]:
        """Each contact that is a copy of a customer, with that customer."""
        return [(c, self.customers[c["customer_id"]]) for c in self.contacts if c["customer_id"]]

    @property
    def leads(self) -> list[dict]:
        return [contact for contact in self.contacts if contact["customer_id"] is None]


def draw_crm(seed: int, noise: crm.CrmNoise = crm.CRM_NOISE) -> CrmDraw:
    start, end = np.datetime64("2024-10-30T00:00:00"), np.datetime64("2026-10-30T23:59:59")
    customers = new_customers(rng_for(seed, "customers"), 1, CUSTOMERS_PER_SCALE, start, end)
    rng = rng_for(seed, "crm")
    linked, counts = crm.contacts_for_customers(rng, customers, 1, end.astype(dt.datetime), noise)
    count = round(CUSTOMERS_PER_SCALE * crm.LEAD_SHARE)
    leads, lead_counts = crm.new_leads(
        rng, count, linked.num_rows + 1, 1, start, end, customers, noise
    )
    return CrmDraw(
        {customer["customer_id"]: customer for customer in customers.to_pylist()},
        linked.to_pylist() + leads.to_pylist(),
        counts + lead_counts,
    )


@pytest.fixture(scope="module")
def crm_draw() -> CrmDraw:
    return draw_crm(42)


def edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance: insertions, deletions, substitutions and transpositions,
    each one edit, including a transposition of letters that an earlier edit made neighbours
    ('Araújo' to 'Arjao' is two: 'ú' dropped, then 'a' and 'j' swapped)."""
    far = len(a) + len(b)
    d = [[far] * (len(b) + 2), [far, *range(len(b) + 1)]]
    d += [[far, i] + [0] * len(b) for i in range(1, len(a) + 1)]
    last_row: dict[str, int] = {}
    for i in range(1, len(a) + 1):
        last_column = 0
        for j in range(1, len(b) + 1):
            row, column = last_row.get(b[j - 1], 0), last_column
            same = a[i - 1] == b[j - 1]
            last_column = j if same else last_column
            d[i + 1][j + 1] = min(
                d[i][j] + (not same),
                d[i + 1][j] + 1,
                d[i][j + 1] + 1,
                d[row][column] + (i - row - 1) + 1 + (j - column - 1),
            )
        last_row[a[i - 1]] = i
    return d[len(a) + 1][len(b) + 1]


def plain(name: str | None) -> str:
    return ascii_fold(name or "").strip().lower()


def name_errors(contact: dict, customer: dict) -> tuple[bool, int, int]:
    """(a nickname?, edits in the given name, edits in the family name): the names read
    whichever way round they were typed, accents, case and spaces aside."""
    first, last = plain(contact["first_name"]), plain(contact["last_name"])
    true_first, true_last = plain(customer["first_name"]), plain(customer["last_name"])
    if edits(first, true_last) + edits(last, true_first) < edits(first, true_first) + edits(
        last, true_last
    ):
        first, last = last, first
    short_forms = [plain(name) for name in NICKNAMES.get(customer["first_name"], ())]
    nickname = min((edits(first, short) for short in short_forms), default=99)
    if nickname < edits(first, true_first):
        return True, nickname, edits(last, true_last)
    return False, edits(first, true_first), edits(last, true_last)


def share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values)


def test_crm_contacts_are_as_noisy_as_real_crm_data(crm_draw: CrmDraw) -> None:
    """The realized rates of the noise profile, measured against the truth, within about three
    standard errors of `crm.CRM_NOISE` at scale 1."""
    contacts, copies = crm_draw.contacts, crm_draw.copies
    names = [name_errors(contact, customer) for contact, customer in copies]
    dated = [(c["birth_date"], t["birth_date"]) for c, t in copies if c["birth_date"]]
    kept_address = [
        (contact["postcode"], customer["postcode"])
        for contact, customer in copies
        if edits(contact["street"], customer["street"]) <= 2
        and edits(contact["city"], customer["city"]) <= 2
    ]
    leads = crm_draw.leads
    rates = {
        "missing email": share(c["email"] is None for c in contacts),
        "missing phone": share(c["phone"] is None for c in contacts),
        "neither email nor phone": share(not c["email"] and not c["phone"] for c in contacts),
        "first name mistyped": share(first > 0 for _, first, _ in names),
        "last name mistyped": share(last > 0 for _, _, last in names),
        "a name with two edits": share(max(first, last) == 2 for _, first, last in names),
        "nickname": share(nickname for nickname, _, _ in names),
        "birth date missing": share(
            c["birth_date"] is None and c["birth_date_text"] is None for c in contacts
        ),
        "birth date impossible": share(c["birth_date_text"] is not None for c in contacts),
        "birth day and month swapped": share(
            typed != true and (typed.month, typed.day) == (true.day, true.month)
            for typed, true in dated
        ),
        "postcode mistyped": share(
            len(typed) == len(true) and sum(a != b for a, b in zip(typed, true, strict=True)) == 1
            for typed, true in kept_address
        ),
        "leads in a household": crm_draw.counts["crm.noise.household"] / len(leads),
        "leads entered twice": 1 - len({c["person_id"] for c in leads}) / len(leads),
    }
    bounds = {
        "missing email": (0.37, 0.43),
        "missing phone": (0.47, 0.53),
        "neither email nor phone": (0.17, 0.23),
        "first name mistyped": (0.08, 0.12),
        "last name mistyped": (0.08, 0.12),
        "a name with two edits": (0.01, 0.05),
        "nickname": (0.015, 0.045),
        "birth date missing": (0.08, 0.12),
        "birth date impossible": (0.005, 0.016),
        "birth day and month swapped": (0.025, 0.055),
        "postcode mistyped": (0.03, 0.07),
        "leads in a household": (0.02, 0.07),
        "leads entered twice": (0.02, 0.07),
    }
    outside = {
        kind: f"{rate:.3f} not in {bounds[kind]}"
        for kind, rate in rates.items()
        if not bounds[kind][0] <= rate <= bounds[kind][1]
    }
    assert not outside, outside
    # A person stays recognizable: never more than two edits in a name (a nickname aside).
    assert max(max(first, last) for nickname, first, last in names if not nickname) <= 2
    assert crm_draw.counts["crm.noise.namesake"] > 0


def test_crm_noise_keeps_the_ground_truth_exact(crm_draw: CrmDraw) -> None:
    """Whatever the noise, a contact's person_id is the person it was typed from: a copy of a
    customer is that customer (its phone, when it has one, is theirs), a lead a person of its
    own, and a second entry of a lead the same person under another contact id."""
    contact_ids = [contact["contact_id"] for contact in crm_draw.contacts]
    assert len(set(contact_ids)) == len(contact_ids)
    for contact, customer in crm_draw.copies:
        assert contact["person_id"] == customer["customer_id"]
        digits = "".join(d for d in contact["phone"] or "" if d.isdigit())
        assert not digits or digits.endswith(customer["national_phone"])
    assert all(lead["person_id"] > crm.PERSON_ID_OFFSET_FOR_LEADS for lead in crm_draw.leads)
    twice = Counter(lead["person_id"] for lead in crm_draw.leads)
    assert max(twice.values()) == 2


def test_households_and_namesakes_are_other_people() -> None:
    """Without typing noise, households and namesakes are plain to see: a household's members
    share a family name, address and phone, each with a given name and birth date of their
    own; a namesake shares a customer's full name and country, and nothing else."""
    noise = replace(crm.NO_NOISE, household=0.2, namesake=0.1)
    draw = draw_crm(7, noise)
    records = [*draw.customers.values(), *draw.leads]
    homes: dict[tuple, list[dict]] = {}
    for record in records:
        digits = "".join(d for d in record["phone"] if d.isdigit())
        key = (record["last_name"], record["street"], record["postcode"], digits[-8:])
        homes.setdefault(key, []).append(record)
    shared = [people for people in homes.values() if len(people) > 1]
    members = sum(len(people) - 1 for people in shared)
    assert members == draw.counts["crm.noise.household"]
    for people in shared:
        who = [(person["first_name"], person["birth_date"]) for person in people]
        assert len(set(who)) == len(who), who
        ids = [person.get("person_id", person["customer_id"]) for person in people]
        assert len(set(ids)) == len(ids), ids

    by_name: dict[tuple, list[dict]] = {}
    for customer in draw.customers.values():
        key = (customer["first_name"], customer["last_name"], customer["country_code"])
        by_name.setdefault(key, []).append(customer)
    namesakes = 0
    for lead in draw.leads:
        for customer in by_name.get(
            (lead["first_name"], lead["last_name"], lead["country_code"]), []
        ):
            namesakes += 1
            assert (
                lead["email"] != customer["email"] and lead["birth_date"] != customer["birth_date"]
            )
    assert namesakes >= draw.counts["crm.noise.namesake"] > 0


def test_the_crm_noise_is_drawn_from_the_seed() -> None:
    first, again, other = draw_crm(3), draw_crm(3), draw_crm(4)
    assert (first.contacts, first.counts) == (again.contacts, again.counts)
    assert first.contacts != other.contacts


def test_noise_counts_match_the_crms_own_table(pristine_sandbox: Path) -> None:
    """The contact-level noise in defects.json is what the CRM's table holds."""
    truth = defects(SandboxLayout(pristine_sandbox))
    contacts = pq.read_table(pristine_sandbox / "systems" / "crm_contacts.parquet").to_pylist()
    held = {
        "crm.noise.missing_email": sum(c["email"] is None for c in contacts),
        "crm.noise.missing_phone": sum(c["phone"] is None for c in contacts),
        "crm.noise.missing_birth_date": sum(
            c["birth_date"] is None and c["birth_date_text"] is None for c in contacts
        ),
        "crm.noise.impossible_birth_date": sum(c["birth_date_text"] is not None for c in contacts),
        "crm.noise.duplicate_contact": len(contacts) - len({c["person_id"] for c in contacts}),
    }
    assert held == {kind: truth.get(kind, 0) for kind in held}


def test_an_impossible_birth_date_is_written_in_the_rows_format() -> None:
    assert crm.render_date_text("1990-02-30", "%m/%d/%Y") == "02/30/1990"
    assert crm.render_date_text("1990-13-05", "%d.%m.%Y") == "05.13.1990"
    assert crm.render_date_text("2085-04-31", "%Y-%m-%d") == "2085-04-31"
    for seed in range(50):
        text = crm.impossible_date(np.random.default_rng(seed).random(2), dt.date(1985, 6, 7))
        assert not is_possible_birth_date(text), text


def is_possible_birth_date(text: str) -> bool:
    try:
        born = dt.date.fromisoformat(text)
    except ValueError:
        return False
    return 1900 <= born.year <= dt.date.today().year
