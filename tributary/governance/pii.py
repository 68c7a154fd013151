"""What says "personal data": column-name patterns, the allow-list of their false positives, and
the value patterns the content check samples the warehouse for.

A column that matches a name pattern, or whose sampled values look like emails, phone numbers
or IP addresses, must declare `pii` meta (DESIGN.md). The patterns are deliberately broad (any
`name` token, say) and the allow-list says, one entry at a time and with its reason, which
matches are not about a person: a false positive costs one line here, a missed personal column
costs an unmasked copy of someone's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# pii_type -> a pattern over the lower-cased column name. Tokens are the parts between
# underscores, so `ship_to_street` matches `street` and `streetwise` would not.
NAME_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"(^|_)(e_?mail|email_address)(_|$)"),
    "phone": re.compile(r"(^|_)(phone|telephone|fax|msisdn|mobile_number|cell_phone)(_|$)"),
    "name": re.compile(r"(^|_)(name|names|surname|firstname|lastname|fullname|username)(_|$)"),
    "address": re.compile(r"(^|_)(address|street|postcode|postal_code|zip|zipcode|zip_code)(_|$)"),
    "ip": re.compile(r"(^|_)(ip|ipv4|ipv6|ip_address|ip_addr)(_|$)"),
    "birth_date": re.compile(r"(^|_)(birth|birthday|birthdate|dob|date_of_birth)(_|$)"),
    "payment": re.compile(r"(^|_)(card|iban|cvv|cvc|pan|account_number)(_|$)"),
}

# Matches that are not personal data. An entry is a column name (anywhere in the project) or
# `<node name>.<column>` (that node only), with why it is not about a person.
NAME_ALLOW_LIST: dict[str, str] = {
    "country_name": "the English name of a country (the countries seed), not of a person",
    "country_name_raw": "the country as the CRM typed it (e.g. 'Deutschland'), not a person",
    "currency_name": "the name of a currency (the currencies seed)",
    "category_name": "the name of a product category",
    "product_name": "the name of a product in the catalogue",
    "products.name": "the raw shop table's product name (source shop.products)",
    "month_name": "a calendar month's name (dim_date)",
    "day_name": "a weekday's name (dim_date)",
    "source_name": "the name of a source system (shop, crm, ...), in the audit and monitoring",
    "dataset_name": "the name of a dlt dataset (raw_shop, ...), in the ingestion audit",
    "pipeline_name": "the name of a dlt pipeline (tributary_shop, ...), in the ingestion audit",
    "birth_date_issue": "why a typed birth date was not kept (impossible, ...), not the date",
    # entity resolution: which similarity level of a comparison decided a pair ('exact',
    # 'day and month swapped', 'different', ...), never the compared values
    "given_name_level": "the level of the given-name comparison that decided a scored pair",
    "family_name_level": "the level of the family-name comparison that decided a scored pair",
    "birth_date_level": "the level of the birth-date comparison that decided a scored pair",
    "address_level": "the level of the address comparison that decided a scored pair",
    "email_level": "the level of the email comparison that decided a scored pair",
    "phone_level": "the level of the phone comparison that decided a scored pair",
}

# Value patterns of the content check, matched against sampled values of string columns.
EMAIL_VALUE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A phone number as typed: international (+ or 00) or national (leading 0 or a bracketed area
# code), 8 to 15 digits with spaces, hyphens, dots or brackets between them. An id, an amount
# or a dlt load id ('1795465160.95') does not start that way; an ISO date has too few digits.
PHONE_VALUE = re.compile(r"(\+|00|0|\()[0-9][0-9 ().-]{6,20}[0-9]")
# A date as typed (day, month and year, in any order, with one kind of separator): '31.12.1990',
# '00.00.0000' (a CRM's unknown date), '12/25/2024' start and end like a phone, but are not one.
DATE_VALUE = re.compile(
    r"[0-9]{1,2}([./-])[0-9]{1,2}\1[0-9]{2,4}|[0-9]{4}([./-])[0-9]{1,2}\2[0-9]{1,2}"
)
_OCTET = r"(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
IPV4_VALUE = re.compile(rf"{_OCTET}(\.{_OCTET}){{3}}")
IPV6_VALUE = re.compile(r"[0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{0,4}){2,7}")

# An email anywhere in a value is personal data (a free-text column with one address in it
# must say so). Phones and IPs are judged on whole values, and only when a fair share of the
# sample is one, so that a product code or a version string does not raise the alarm.
PHONE_OR_IP_SHARE = 0.2


def personal_name(column: str, node_name: str) -> str | None:
    """The pii_type a column's name suggests, or None when it suggests none (or is allowed)."""
    lowered = column.lower()
    if lowered in NAME_ALLOW_LIST or f"{node_name}.{lowered}" in NAME_ALLOW_LIST:
        return None
    for pii_type, pattern in NAME_PATTERNS.items():
        if pattern.search(lowered):
            return pii_type
    return None


def _digits(value: str) -> int:
    return sum(character.isdigit() for character in value)


@dataclass(frozen=True)
class ContentMatch:
    """What a sample of a column's values looks like."""

    pii_type: str
    matching: int
    sampled: int
    example: str


def personal_content(values: list[str]) -> ContentMatch | None:
    """The kind of personal data a sample of non-null string values holds, if it holds any."""
    if not values:
        return None
    emails = [v for v in values if EMAIL_VALUE.search(v)]
    if emails:
        return ContentMatch("email", len(emails), len(values), _redact(emails[0]))
    stripped = [v.strip() for v in values]
    phones = [
        v
        for v in stripped
        if PHONE_VALUE.fullmatch(v) and 8 <= _digits(v) <= 15 and not DATE_VALUE.fullmatch(v)
    ]
    if len(phones) >= PHONE_OR_IP_SHARE * len(values):
        return ContentMatch("phone", len(phones), len(values), _redact(phones[0]))
    ips = [v for v in stripped if IPV4_VALUE.fullmatch(v) or IPV6_VALUE.fullmatch(v)]
    if len(ips) >= PHONE_OR_IP_SHARE * len(values):
        return ContentMatch("ip", len(ips), len(values), _redact(ips[0]))
    return None


def _redact(value: str) -> str:
    """Enough of a value to recognise its shape in a report, not enough to read it back."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain.split('.')[-1] if '.' in domain else '***'}"
    return value[:3] + "*" * max(len(value) - 3, 0)
