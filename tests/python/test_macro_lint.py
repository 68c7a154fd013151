"""The macro lint finds what sqlfluff would find in a model, at the macro file's own lines."""

from __future__ import annotations

from pathlib import Path

from tests.python.conftest import ROOT
from tributary.dataops import macro_lint

BAD_MACROS = """{#-
    A macro with a style error on its fourth line of SQL, a dispatcher with no SQL of its own,
    and a clean implementation.
-#}
{% macro shouty_total(amount, quantity) -%}
    (
        {{ amount }}
        * {{ quantity }}
    ) AS total
{%- endmacro %}

{% macro dispatched_total(amount) -%}
    {{ return(adapter.dispatch('dispatched_total', 'tributary')(amount)) }}
{%- endmacro %}

{% macro default__dispatched_total(amount) -%}
    coalesce({{ amount }}, 0)
{%- endmacro %}
"""

BAD_TEST = """{% test never_negative(model, column_name) %}

select {{ column_name }}
from {{ model }}
WHERE {{ column_name }} < 0

{% endtest %}
"""


def test_a_harness_keeps_the_body_on_its_own_lines() -> None:
    block = macro_lint.find_blocks(Path("macros/bad.sql"), BAD_MACROS)[0]
    rendered = macro_lint.harness(block, BAD_MACROS, {})
    source_lines = BAD_MACROS.splitlines()
    harness_lines = rendered.splitlines()
    # Every line of the body is where it was; what surrounds it is Jinja that renders nothing.
    for number in range(6, 10):
        assert harness_lines[number - 1] == source_lines[number - 1]
    assert '{%- set amount = "amount" -%}' in harness_lines[4]


def test_violations_in_macros_and_generic_tests_are_reported_at_their_lines(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    macro_lint.copy_project(ROOT, project)
    (project / "macros" / "bad.sql").write_text(BAD_MACROS)
    (project / "tests" / "generic" / "never_negative.sql").write_text(BAD_TEST)

    violations, counts = macro_lint.lint(
        project,
        [project / "macros" / "bad.sql", project / "tests" / "generic" / "never_negative.sql"],
    )

    found = {(str(v.path), v.line, v.code, v.macro) for v in violations}
    assert ("macros/bad.sql", 9, "CP01", "shouty_total") in found  # `AS`, upper case
    assert ("tests/generic/never_negative.sql", 5, "CP01", "never_negative") in found  # `WHERE`
    assert {v.macro for v in violations} == {"shouty_total", "never_negative"}
    assert counts == {"files": 2, "linted": 3, "jinja_only": 1}


def test_the_project_macros_are_all_found() -> None:
    names = {block.name for block in macro_lint.iter_blocks(ROOT)}
    assert {"to_e164", "round_to_minor_units", "reconciles_with", "no_rows_lost"} <= names
