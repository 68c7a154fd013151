"""Probabilistic record linkage of customer records with Splink (Fellegi-Sunter).

Input: one row per customer record (a shop account or a CRM contact), its values standardized
and readable (the vault's `pii_customer_records`). Output: the scored pairs worth keeping,
with the record keys, the match weight and probability and, per comparison, the level that
decided it; never a readable value, so the result may leave the restricted zone.

The model, in the field's usual way:
- comparisons with similarity levels (names with Jaro-Winkler and a swapped-order level, birth
  dates that tolerate a day/month swap or one mistyped digit, address by street and postcode,
  email and phone exact or one keystroke off), term-frequency adjustments on names;
- blocking rules that only pair records sharing something specific (an email, a phone, a full
  name in a postcode area or a birth year, a birth date and an initial, a postcode, a street
  in a city), so the pair count grows with the data, not with its square; a shop account is
  only ever paired with a CRM contact;
- u estimated by random sampling (seeded), m by expectation-maximisation on two blocks that
  each leave other comparisons free to be learned, the prior from deterministic rules.

Splink runs on an in-memory DuckDB of its own: its work tables never touch the warehouse, and
the same code serves every warehouse the records come from.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.blocking_rule_library import CustomRule
from splink.comparison_level_library import CustomLevel
from splink.comparison_library import CustomComparison

# The columns the linkage reads; `pii_customer_records` provides them.
INPUT_COLUMNS = (
    "source_record_key",
    "source_system",
    "first_name_key",
    "last_name_key",
    "full_name_key",
    "birth_date",
    "birth_date_swapped",
    "street_key",
    "postcode_key",
    "city_key",
    "country_code",
    "email",
    "phone",
    "_load_id",
)

# A shop account is one customer to the business: two of them are never compared.
NOT_TWO_SHOP_ACCOUNTS = "(l.source_system = 'crm' or r.source_system = 'crm')"


@dataclass(frozen=True)
class Level:
    """One similarity level of a comparison: a label for charts and the review table, and the
    SQL condition on the pair's `<column>_l` / `<column>_r` values."""

    label: str
    condition: str
    term_frequency_column: str | None = None


@dataclass(frozen=True)
class Comparison:
    """A comparison: its null condition (nothing to compare), then levels from the most to the
    least similar; whatever none of them catches is the `different` level."""

    name: str
    null_condition: str
    levels: Sequence[Level]

    def labels_by_gamma(self) -> dict[int, str]:
        """Splink's comparison vector values: -1 for null, 0 for the else level, and the levels
        counting down from the most similar."""
        count = len(self.levels)
        labels = {-1: "null", 0: "different"}
        labels.update({count - index: level.label for index, level in enumerate(self.levels)})
        return labels

    def to_splink(self) -> CustomComparison:
        levels = [
            CustomLevel(self.null_condition, label_for_charts="null").configure(is_null_level=True)
        ]
        for level in self.levels:
            custom = CustomLevel(level.condition, label_for_charts=level.label)
            if level.term_frequency_column:
                custom = custom.configure(
                    tf_adjustment_column=level.term_frequency_column,
                    tf_minimum_u_value=RAREST_NAME_SHARE,
                )
            levels.append(custom)
        levels.append(CustomLevel("else", label_for_charts="different"))
        return CustomComparison(levels, output_column_name=self.name)


# A name counts as at least this common when its rarity adjusts the weight (term frequencies):
# one record in a thousand. Rarer spellings are mostly typos or names typed in the wrong field
# (a family name as the given name), and copies of one rare spelling would otherwise outweigh a
# different birth date and address; a rare name stays strong evidence, only not unbounded.
RAREST_NAME_SHARE = 0.001


def _either_null(*columns: str) -> str:
    return " or ".join(f"{column}_l is null or {column}_r is null" for column in columns)


def _similar(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def _edits(column: str, at_most: int, *, only_when: str) -> str:
    """At most `at_most` keystrokes apart (Levenshtein: insertions, deletions, substitutions),
    the errors of typing. Edit distances cost about 15 times a Jaro-Winkler in DuckDB and the u
    estimate computes every level for a million random pairs, so each is computed only where
    a cheap condition (`only_when`) already holds."""
    return f"{only_when} and levenshtein({column}_l, {column}_r) <= {at_most}"


def _name_comparison(name: str, column: str, other: tuple[str, str], *closer: Level) -> Comparison:
    """A name compared exactly (its rarity adjusting the weight), swapped with the other name
    field (`other`: its column and what to call it), by Jaro-Winkler similarity, and by any
    `closer` levels of its own."""
    other_column, other_name = other
    return Comparison(
        name,
        _either_null(column),
        [
            Level("exact", f"{column}_l = {column}_r", term_frequency_column=column),
            Level(
                f"swapped with the {other_name}",
                f"{column}_l = {other_column}_r or {other_column}_l = {column}_r",
            ),
            Level("similar", _similar(column, 0.9)),
            *closer,
        ],
    )


COMPARISONS = (
    # Given and family names are two comparisons, so that a different given name counts
    # against a pair on its own (a household shares the family name, the address and the
    # phone, but not the given name); a swap is a level of each.
    _name_comparison(
        "given_name",
        "first_name_key",
        ("last_name_key", "family name"),
        # a short form ('alex', 'alexander') or a nickname that keeps the first letters
        Level(
            "one starts with the other",
            "starts_with(first_name_key_l, first_name_key_r)"
            " or starts_with(first_name_key_r, first_name_key_l)"
            f" or {_similar('first_name_key', 0.8)}",
        ),
    ),
    _name_comparison("family_name", "last_name_key", ("first_name_key", "given name")),
    Comparison(
        "birth_date",
        _either_null("birth_date"),
        [
            Level("exact", "birth_date_l = birth_date_r"),
            Level(
                "day and month swapped",
                "birth_date_l = birth_date_swapped_r or birth_date_swapped_l = birth_date_r",
            ),
            # one mistyped digit changes one of the day, the month and the year
            Level(
                "two of day, month and year equal",
                " or ".join(
                    f"(extract({a} from birth_date_l) = extract({a} from birth_date_r)"
                    f" and extract({b} from birth_date_l) = extract({b} from birth_date_r))"
                    for a, b in (("year", "month"), ("year", "day"), ("month", "day"))
                ),
            ),
        ],
    ),
    Comparison(
        "address",
        "(street_key_l is null and postcode_key_l is null)"
        " or (street_key_r is null and postcode_key_r is null)",
        [
            Level(
                "street and postcode exact",
                "street_key_l = street_key_r and postcode_key_l = postcode_key_r",
            ),
            Level(
                "street similar, postcode one character off",
                _edits(
                    "postcode_key",
                    1,
                    only_when=f"country_code_l = country_code_r and {_similar('street_key', 0.9)}",
                ),
            ),
            Level(
                "postcode exact",
                "postcode_key_l = postcode_key_r and country_code_l = country_code_r",
            ),
            Level("city exact", "city_key_l = city_key_r and country_code_l = country_code_r"),
        ],
    ),
    Comparison(
        "email",
        _either_null("email"),
        [
            Level("exact", "email_l = email_r"),
            # a typo keeps the address's digits: 'jo.smith12' and 'jo.smith7' are two mailboxes
            Level(
                "one keystroke off, same digits",
                _edits(
                    "email",
                    1,
                    only_when="regexp_replace(email_l, '[^0-9]', '', 'g')"
                    " = regexp_replace(email_r, '[^0-9]', '', 'g')",
                ),
            ),
            Level(
                "same mailbox name, other domain",
                "split_part(email_l, '@', 1) = split_part(email_r, '@', 1)",
            ),
        ],
    ),
    Comparison(
        "phone",
        _either_null("phone"),
        [
            Level("exact", "phone_l = phone_r"),
            # the same country and network prefix, one digit mistyped
            Level(
                "one keystroke off",
                _edits("phone", 1, only_when="left(phone_l, 5) = left(phone_r, 5)"),
            ),
        ],
    ),
)

# Which pairs are scored at all: each rule pairs records that share one specific thing, so
# that a pair missed by one rule (no email, a typo in the name) is found by another. A full
# name, a birth date or a street alone is shared by ever more people as the data grows (common
# names, the 36,500 days of a century, the High Streets of every town), which would make the
# pairs grow with the square of the records: those rules also ask for the same postcode area
# (its first three characters), year of birth, initial or city.
SAME_NAME = "l.first_name_key = r.first_name_key and l.last_name_key = r.last_name_key"
SWAPPED_NAME = "l.first_name_key = r.last_name_key and l.last_name_key = r.first_name_key"
SAME_CITY = "l.city_key = r.city_key and l.country_code = r.country_code"
SAME_AREA = "left(l.postcode_key, 3) = left(r.postcode_key, 3) and l.country_code = r.country_code"
SAME_BIRTH_YEAR = "year(l.birth_date) = year(r.birth_date)"
SAME_INITIAL = "left(l.{name}, 1) = left(r.{name}, 1) and l.country_code = r.country_code"
BLOCKING_RULES = (
    "l.email = r.email",
    "l.phone = r.phone",
    f"{SAME_NAME} and {SAME_AREA}",
    f"{SAME_NAME} and {SAME_BIRTH_YEAR}",
    f"{SWAPPED_NAME} and {SAME_AREA}",
    f"{SWAPPED_NAME} and {SAME_BIRTH_YEAR}",
    f"l.birth_date = r.birth_date and {SAME_INITIAL.format(name='last_name_key')}",
    f"l.birth_date = r.birth_date and {SAME_INITIAL.format(name='first_name_key')}",
    f"l.birth_date = r.birth_date_swapped and {SAME_INITIAL.format(name='last_name_key')}",
    "l.postcode_key = r.postcode_key and l.country_code = r.country_code",
    f"l.street_key = r.street_key and {SAME_CITY}",
)

# The prior (the chance that two random records are one person) is counted from rules that
# admit almost no false match, scaled by the share of true pairs they are expected to find:
# an email or phone is missing on about half of real CRM contacts.
DETERMINISTIC_RULES = (
    "l.email = r.email and l.last_name_key = r.last_name_key",
    "l.phone = r.phone and l.first_name_key = r.first_name_key",
)
DETERMINISTIC_RECALL = 0.6

# m is learned by EM on pairs that agree on one thing that is nearly always one person, which
# leaves the other comparisons free to be estimated: the email block learns the names, the
# birth date, the address and the phone; the phone block learns the email (and the rest again).
# A block on names would be mostly namesakes in a country's few common names.
TRAINING_BLOCKS = (
    "l.email = r.email",
    "l.phone = r.phone",
)


@dataclass(frozen=True)
class LinkageSettings:
    """What a run of the linkage is configured by: the Python model's yml config (seed, what
    to keep), where the charts go, and the u sample's size."""

    seed: int = 42
    # Pairs scored below this probability are not written out: far below any review band.
    keep_above_probability: float = 0.01
    # Random pairs sampled to estimate u (Splink's default): stable for the levels random
    # pairs reach; the rarest take their u from term frequencies or Splink's floor.
    u_sample_pairs: float = 1e6
    # Where the training's charts and the model go; None writes none.
    reports_dir: Path | None = None


@dataclass
class LinkageRun:
    """The scored pairs, and what the run did (for the dbt log and the bench)."""

    pairs: pa.Table
    records: int
    candidate_pairs: int  # the pairs the blocking rules made, all scored
    seconds: float
    charts: list[Path] = field(default_factory=list)

    @property
    def kept_pairs(self) -> int:
        return self.pairs.num_rows

    def summary(self) -> str:
        return (
            f"linkage: {self.records:,} records, {self.candidate_pairs:,} candidate pairs "
            f"scored, {self.kept_pairs:,} kept, in {self.seconds:.1f}s"
        )


def link(records: pa.Table, settings: LinkageSettings) -> LinkageRun:
    """Train the model on these records, score their candidate pairs and return the pairs worth
    keeping (probability above `keep_above_probability`)."""
    started = time.monotonic()
    missing = sorted(set(INPUT_COLUMNS) - set(records.column_names))
    if missing:
        raise ValueError(f"the linkage input lacks columns {missing}")
    # Splink logs each level EM saw too rarely to train; the charts in reports/ show them all
    logging.getLogger("splink").setLevel(logging.ERROR)
    connection = duckdb.connect()
    # One thread: DuckDB's seeded sampling (the u estimate) repeats only on one thread, and
    # EM's sums come out the same to the last bit; the linkage stays well within its budget.
    connection.execute("set threads = 1")
    try:
        database = DuckDBAPI(connection=connection)
        # in one order, so that the same records give the same model to the last bit
        ordered = records.select(list(INPUT_COLUMNS)).sort_by("source_record_key")
        table = database.register(ordered, table_name="records")
        trained = Linker(table, _settings(), log_level=logging.ERROR)
        sessions = _train(trained, settings)
        linker = Linker(table, _neutral_where_untrained(trained), log_level=logging.ERROR)
        predictions = linker.inference.predict().physical_name
        (candidates,) = connection.execute(f"select count(*) from {predictions}").fetchone()
        pairs = _readable_pairs(connection, predictions, settings.keep_above_probability)
        charts = _write_reports(trained, linker, sessions, settings.reports_dir)
    finally:
        connection.close()
    return LinkageRun(
        pairs=pairs,
        records=records.num_rows,
        candidate_pairs=int(candidates),
        seconds=time.monotonic() - started,
        charts=charts,
    )


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="source_record_key",
        comparisons=[comparison.to_splink() for comparison in COMPARISONS],
        blocking_rules_to_generate_predictions=[
            CustomRule(f"{rule} and {NOT_TWO_SHOP_ACCOUNTS}") for rule in BLOCKING_RULES
        ],
        # the comparison vector (gamma_*) says which level decided each comparison; Splink
        # keeps it only beside the compared values, which stay in this in-memory database
        # (_readable_pairs selects keys, scores and levels only)
        retain_matching_columns=True,
        additional_columns_to_retain=["source_system", "_load_id"],
        # fixed, so that the saved model of the same data is the same file (Splink names its
        # work tables by it; each run has its own in-memory database)
        linker_uid="customers",
    )


def _train(linker: Linker, settings: LinkageSettings) -> list:
    linker.training.estimate_probability_two_random_records_match(
        [CustomRule(rule) for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=settings.u_sample_pairs, seed=settings.seed
    )
    return [
        linker.training.estimate_parameters_using_expectation_maximisation(CustomRule(block))
        for block in TRAINING_BLOCKS
    ]


# Below this, EM has not seen the level among matches at all (it drives m towards zero, a
# weight of -200 that would veto a pair for a typo the training blocks happened not to hold).
UNOBSERVED_M = 1e-10
NEUTRAL_PROBABILITY = 1e-3


def _neutral_where_untrained(linker: Linker) -> dict:
    """The trained model, with every level whose m or u could not be estimated (never seen
    among matches in the training blocks, or never among random pairs) made neutral: m = u,
    a Bayes factor of 1, so that a level without evidence neither links nor separates. The
    `different` level keeps its estimate: matches that never differ are what EM should learn."""
    model = linker.misc.save_model_to_json()
    for comparison in model["comparisons"]:
        # the last level is `different`: that matches rarely differ is evidence, kept as it is
        for level in comparison["comparison_levels"][:-1]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is None or u is None or m < UNOBSERVED_M:
                level["m_probability"] = level["u_probability"] = u or NEUTRAL_PROBABILITY
    return model


# The levels that say "this is the same person", not only "the same household": a household
# shares the family name, the address and the phone, which the model's weights add up as if
# they were independent evidence; the given name, the birth date and the email are a
# person's own. A pair agreeing on none of them is linked by a reviewer, never by the model
# alone (int_customers__resolved), whatever its score: it goes to the review table instead.
PERSON_LEVELS = {
    "given_name": ("exact", "swapped with the family name", "similar", "one starts with the other"),
    "birth_date": ("exact", "day and month swapped"),
    "email": ("exact", "one keystroke off, same digits"),
}


def _agrees_on_person() -> str:
    by_name = {comparison.name: comparison for comparison in COMPARISONS}
    conditions = []
    for name, labels in PERSON_LEVELS.items():
        gammas = [
            str(gamma)
            for gamma, label in by_name[name].labels_by_gamma().items()
            if label in labels
        ]
        if len(gammas) != len(labels):
            raise ValueError(f"PERSON_LEVELS names a level {name} does not have: {labels}")
        conditions.append(f"gamma_{name} in ({', '.join(gammas)})")
    return "(" + " or ".join(conditions) + ")"


def _readable_pairs(
    connection: duckdb.DuckDBPyConnection, predictions: str, keep_above_probability: float
) -> pa.Table:
    """The pairs as the warehouse keeps them: the CRM contact first (of two contacts, the
    smaller key), each comparison's deciding level by name."""
    level_columns = ",\n".join(
        "case gamma_{name} {cases} end as {name}_level".format(
            name=comparison.name,
            cases=" ".join(
                f"when {gamma} then '{label}'"
                for gamma, label in comparison.labels_by_gamma().items()
            ),
        )
        for comparison in COMPARISONS
    )
    crm_first = (
        "source_system_l = 'crm'"
        " and (source_system_r = 'shop' or source_record_key_l < source_record_key_r)"
    )
    return connection.execute(
        f"""
        select
            case when {crm_first} then source_record_key_l else source_record_key_r end
                as record_key,
            case when {crm_first} then source_record_key_r else source_record_key_l end
                as other_record_key,
            match_weight,
            match_probability,
            {_agrees_on_person()} as agrees_on_person,
            {level_columns},
            -- lineage: the load that brought the later of the two records
            greatest(_load_id_l, _load_id_r) as _load_id
        from {predictions}
        where match_probability >= ?
        order by record_key, other_record_key
        """,
        [keep_above_probability],
    ).to_arrow_table()


def _write_reports(
    trained: Linker, linker: Linker, sessions: list, directory: Path | None
) -> list[Path]:
    """The charts (standalone HTML that works offline) of the model that scored the pairs
    (`linker`) and of its training (`trained`, `sessions`), and the model itself."""
    if directory is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    charts = {
        "match_weights.html": linker.visualisations.match_weights_chart(),
        "m_u_parameters.html": linker.visualisations.m_u_parameters_chart(),
        "parameter_estimates.html": trained.visualisations.parameter_estimate_comparisons_chart(),
    }
    for number, session in enumerate(sessions, start=1):
        charts[f"em_session_{number}_match_weights.html"] = (
            session.match_weights_interactive_history_chart()
        )
    contents = {name: chart.to_html(inline=True) for name, chart in charts.items()}
    contents["model.json"] = json.dumps(linker.misc.save_model_to_json(), indent=2, default=str)
    written = []
    for name, content in contents.items():
        # whole files only: the docs server may be reading the last training's meanwhile
        path, partial = directory / name, directory / f".{name}.{os.getpid()}.partial"
        partial.write_text(content, encoding="utf-8")
        partial.replace(path)
        written.append(path)
    return written
