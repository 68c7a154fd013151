"""Reference data the generator draws from: countries, currencies, names, streets, categories.

Kept small and explicit so that the sandbox is deterministic and reviewable. Names carry the
accents real customers type; the CRM exports then write some of them without.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    weight: float  # share of customers
    calling_code: str
    national_digits: int  # length of the national significant number
    mobile_prefix: str  # first digits of a mobile number
    trunk_prefix: str  # what a national number starts with when dialled at home
    utc_offset: str  # the offset the mobile app writes (DST ignored on purpose)
    crm_date_format: str  # how the country's sales team types dates in the CRM
    crm_country_spellings: tuple[str, ...]  # how the CRM writes the country
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    postcode_pattern: str  # '#' a digit, 'A' a letter
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


# The countries are data, in countries.toml beside this module: one table per country, in
# the order the generator draws them.
COUNTRIES_FILE = Path(__file__).with_name("countries.toml")


def load_countries(path: Path = COUNTRIES_FILE) -> tuple[Country, ...]:
    """The countries of `path`, every list as a tuple (a Country is immutable). A country
    names its shared name lists with `names`; a key that is not a field of Country, or a
    field without a key, fails here rather than as a wrong draw later."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    countries = []
    for table in data["countries"]:
        entry = dict(table)
        if "names" in entry:
            entry.update(data["names"][entry.pop("names")])
        values = {key: tuple(v) if isinstance(v, list) else v for key, v in entry.items()}
        countries.append(Country(**values))
    return tuple(countries)


COUNTRIES = load_countries()
COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}

# Units of each currency per 1 EUR on the first generated day; the generator walks from here.
FX_START_RATES = {"USD": 1.08, "GBP": 0.85, "JPY": 160.0, "BRL": 5.9}
CURRENCY_DECIMALS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "BRL": 2}

# The shop's product categories as its merchandisers typed them over the years: several
# spellings and languages for one category, to be mapped to one taxonomy downstream.
PRODUCT_CATEGORIES = (
    ("Electronics", ("Electronics", "electronics", "Elektronik", "ELECTRONICS")),
    (
        "Home & Garden",
        ("Home & Garden", "home_garden", "Maison & Jardin", "Home and Garden"),
    ),
    ("Fashion", ("Fashion", "Apparel", "Mode", "fashion")),
    ("Sports", ("Sports", "Sport & Outdoor", "sports")),
    ("Beauty", ("Beauty", "Health & Beauty", "Beauté")),
    ("Toys", ("Toys", "Toys & Games", "Spielzeug")),
    ("Books", ("Books", "books", "Livres")),
    ("Grocery", ("Grocery", "Food", "Lebensmittel")),
)
PRODUCT_NOUNS = {
    "Electronics": (
        "Headphones",
        "Speaker",
        "Charger",
        "Smartwatch",
        "Keyboard",
        "Webcam",
    ),
    "Home & Garden": ("Lamp", "Planter", "Cushion", "Kettle", "Rug", "Garden Hose"),
    "Fashion": ("T-Shirt", "Jacket", "Sneakers", "Scarf", "Jeans", "Backpack"),
    "Sports": ("Yoga Mat", "Dumbbell", "Water Bottle", "Tennis Racket", "Bike Light"),
    "Beauty": ("Face Cream", "Shampoo", "Perfume", "Lip Balm", "Sunscreen"),
    "Toys": ("Puzzle", "Building Blocks", "Plush Bear", "Board Game", "Kite"),
    "Books": ("Cookbook", "Novel", "Travel Guide", "Atlas", "Notebook"),
    "Grocery": ("Coffee Beans", "Olive Oil", "Green Tea", "Chocolate", "Honey"),
}
PRODUCT_ADJECTIVES = (
    "Classic",
    "Pro",
    "Eco",
    "Mini",
    "Deluxe",
    "Smart",
    "Urban",
    "Nordic",
)
EMAIL_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "gmx.de",
)

# Short forms a salesperson writes instead of a given name ("Bill Smith" on the business card):
# given names of countries.toml (key) and the short forms people go by. Only names with a short
# form in common use are here; Japanese and Dutch given names are mostly short already.
NICKNAMES = {
    # anglo
    "James": ("Jim", "Jimmy", "Jamie"),
    "Mary": ("Molly",),
    "John": ("Johnny", "Jack"),  # Jack is a given name of its own too: ambiguous, as in life
    "Patricia": ("Pat", "Patty", "Trish"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Jennifer": ("Jen", "Jenny"),
    "Michael": ("Mike", "Mick"),
    "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "David": ("Dave",),
    "Susan": ("Sue", "Susie"),
    "Richard": ("Rick", "Rich", "Dick"),
    "Jessica": ("Jess",),
    "Joseph": ("Joe", "Joey"),
    "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"),
    "Emily": ("Em", "Emmy"),
    "Oliver": ("Ollie",),
    "Amelia": ("Millie", "Amy"),
    "Olivia": ("Liv",),
    "Sophia": ("Sophie",),
    # DE
    "Maximilian": ("Max",),
    "Ursula": ("Uschi", "Ulla"),
    "Hannah": ("Hanni",),
    "Anna": ("Anni",),
    "Lukas": ("Luki",),
    # FR
    "Louis": ("Lou",),
    "Camille": ("Cam",),
    # ES
    "José": ("Pepe",),
    "María": ("Mari",),
    "Martina": ("Tina",),
    # IT
    "Niccolò": ("Nico",),
    "Nicolò": ("Nico",),
    "Francesca": ("Franci",),
    "Lorenzo": ("Enzo", "Renzo"),
    "Matteo": ("Teo",),
    "Alessia": ("Ale",),
    # BR
    "Beatriz": ("Bia",),
    "Letícia": ("Leti",),
    "Conceição": ("Ceiça",),
}
