"""The monitors alarm on trouble and only on trouble (issue 22): `make monitor-eval` at scale 1.

Seven normal business days, then one business day of each incident kind, on a sandbox and a
warehouse of the test's own, with Elementary's monitors as tuned in the project
(docs/quality.md#how-the-monitors-are-tuned). The table goes under the run's measurements; the
test fails on any missed incident and on any false alarm on a normal day. Needs Elementary's
packages (TRIBUTARY_PACKAGES_DIR), as the other Elementary test does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.python.helpers import packages_or_skip
from tributary.quality.evaluation import INCIDENT_MONITORS, evaluate


def test_every_incident_is_caught_on_its_day_and_no_normal_day_alarms(
    tmp_path: Path, report: Callable[[str], None]
) -> None:
    packages = packages_or_skip()
    result = evaluate(tmp_path / "monitor-eval", packages, print, scale=1.0, seed=42)

    for line in result.markdown().splitlines():
        if line.strip():
            report(f"monitor-eval: {line}")
    report(f"monitor-eval: took {result.seconds:.0f}s")
    assert [incident.kind for incident in result.incidents] == list(INCIDENT_MONITORS)
    assert len(result.normal_days) >= 7
    assert not result.missed, result.markdown()
    assert not result.false_alarms, result.markdown()
