"""People: the shop's customers and how a person's details are written.

Customers are drawn country by country with NumPy; the string formatting that has to happen per
person (emails, phone numbers, postcodes) runs over a few thousand rows per scale unit.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa

from sandbox.reference import (
    COUNTRIES,
    COUNTRY_BY_CODE,
    EMAIL_DOMAINS,
    Country,
)

PHONE_STYLES = ("e164", "international", "national", "dotted")


def ascii_fold(text: str) -> str:
    """'Müller' -> 'Muller': what a keyboard without accents, or an old system, makes of a name."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def draw_countries(rng: np.random.Generator, count: int) -> np.ndarray:
    weights = np.array([c.weight for c in COUNTRIES])
    return rng.choice([c.code for c in COUNTRIES], size=count, p=weights / weights.sum())


def national_number(rng: np.random.Generator, country: Country) -> str:
    missing = country.national_digits - len(country.mobile_prefix)
    digits = "".join(str(d) for d in rng.integers(0, 10, size=missing))
    if country.code == "US":  # NANP area codes and exchanges never start with 0 or 1
        return f"{rng.integers(2, 10)}{digits[:2]}{rng.integers(2, 10)}{digits[3:]}"[:10]
    return country.mobile_prefix + digits


def format_phone(country: Country, national: str, style: str) -> str:
    """A phone number the way a person types it; E.164 is '+' + calling code + national."""
    if style == "e164":
        return f"+{country.calling_code}{national}"
    if country.code == "US":
        if style == "international":
            return f"+1 {national[:3]}-{national[3:6]}-{national[6:]}"
        if style == "national":
            return f"({national[:3]}) {national[3:6]}-{national[6:]}"
        return f"{national[:3]}.{national[3:6]}.{national[6:]}"
    if style == "international":
        return f"+{country.calling_code} {national[:3]} {national[3:]}"
    if style == "national":
        return f"{country.trunk_prefix}{national[:3]} {national[3:6]} {national[6:]}"
    return f"00{country.calling_code}.{national[:3]}.{national[3:]}"


def postcode(rng: np.random.Generator, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUWXYZ"
    return "".join(
        str(rng.integers(0, 10))
        if ch == "#"
        else letters[rng.integers(0, len(letters))]
        if ch == "A"
        else ch
        for ch in pattern
    )


def street_address(rng: np.random.Generator, country: Country) -> tuple[str, str, str]:
    """(street, city, postcode) in the country's style."""
    street = country.streets[rng.integers(0, len(country.streets))]
    number = int(rng.integers(1, 250))
    line = f"{number} {street}" if country.code in ("US", "GB") else f"{street} {number}"
    city = country.cities[rng.integers(0, len(country.cities))]
    return line, city, postcode(rng, country.postcode_pattern)


def make_email(rng: np.random.Generator, first: str, last: str, customer_id: int) -> str:
    local = ascii_fold(f"{first}.{last}").lower().replace(" ", "").replace("'", "")
    domain = EMAIL_DOMAINS[rng.integers(0, len(EMAIL_DOMAINS))]
    return f"{local}{customer_id}@{domain}"


def new_customers(
    rng: np.random.Generator,
    first_id: int,
    count: int,
    created_from: np.datetime64,
    created_to: np.datetime64,
) -> pa.Table:
    """`count` new shop customers with ids from `first_id`, created uniformly in the period.

    `national_phone` (digits without the calling code) is the truth the CRM variants and the
    ground truth are written from; the shop table keeps only the phone as the customer typed it.
    """
    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    countries = draw_countries(rng, count)
    span = int((created_to - created_from) / np.timedelta64(1, "s"))
    created = created_from + np.sort(rng.integers(0, max(span, 1), size=count)).astype(
        "timedelta64[s]"
    )
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 55, size=count).astype(
        "timedelta64[D]"
    )
    styles = rng.choice(PHONE_STYLES, size=count, p=[0.3, 0.25, 0.35, 0.1])
    shouting = rng.random(count) < 0.05  # typed with caps lock or a trailing space
    fields = ("first_name", "last_name", "email", "phone", "national_phone", "street", "city")
    rows: dict[str, list] = {field: [] for field in (*fields, "postcode")}
    for i in range(count):
        country = COUNTRY_BY_CODE[countries[i]]
        first = country.first_names[rng.integers(0, len(country.first_names))]
        last = country.last_names[rng.integers(0, len(country.last_names))]
        email = make_email(rng, first, last, int(ids[i]))
        national = national_number(rng, country)
        street, city, code = street_address(rng, country)
        rows["first_name"].append(first)
        rows["last_name"].append(last)
        rows["email"].append(f" {email.upper()}" if shouting[i] else email)
        rows["phone"].append(format_phone(country, national, str(styles[i])))
        rows["national_phone"].append(national)
        rows["street"].append(street)
        rows["city"].append(city)
        rows["postcode"].append(code)
    return pa.table(
        {
            "customer_id": ids,
            **{k: pa.array(v, pa.string()) for k, v in rows.items()},
            "country_code": pa.array(countries.astype(str)),
            "birth_date": pa.array(birth.astype("datetime64[D]")),
            "marketing_opt_in": pa.array(rng.random(count) < 0.4),
            "created_at": pa.array(created),
        }
    )
