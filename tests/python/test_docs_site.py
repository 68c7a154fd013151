"""The docs site as a stakeholder sees it: `make docs` on the CI build's warehouse, served by
`make serve-docs`, opened in headless Chromium.

Chromium and ChromeDriver are Debian's (`make chromium` installs them as root where missing).
The test skips, saying why, where they are missing, and fails instead when
TRIBUTARY_REQUIRE_CHROMIUM=1 (CI sets it: .ci/run installs them). Screenshots go to
reports/docs-site/ for a person to look at.
"""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.python.browser import page_text, wait_for
from tests.python.conftest import ROOT, BuiltWarehouse, free_port
from tests.python.helpers import warehouse_count

SCREENSHOTS = ROOT / "reports" / "docs-site"


@pytest.fixture(scope="module")
def docs_site(
    built_sandbox: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, float]:
    """`tributary dev docs` (what `make docs` runs) on the CI build's warehouse."""
    target = tmp_path_factory.mktemp("docs") / "target"
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tributary",
            "dev",
            "docs",
            "--target",
            "ci",
            "--target-path",
            str(target),
        ],
        cwd=ROOT,
        env=built_sandbox.env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    site = target / "static_index.html"
    assert "Docs site generated in" in run.stdout and str(site) in " ".join(run.stdout.split())
    return site, seconds


@pytest.fixture
def served(docs_site: tuple[Path, float]) -> Iterator[tuple[str, subprocess.Popen]]:
    """`tributary dev serve-docs` (what `make serve-docs` runs) on a free port."""
    site, _ = docs_site
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tributary",
            "dev",
            "serve-docs",
            "--site",
            str(site),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = server.stdout.readline() if server.stdout else ""
        assert f"http://127.0.0.1:{port}/" in banner, banner + (server.stderr.read() or "")
        yield f"http://127.0.0.1:{port}/", server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


# The lineage graph is drawn by cytoscape into the graph panel; its instance hangs on the
# container element, which tells how many nodes and edges it drew.
GRAPH_SIZE = """
const holders = Array.from(document.querySelectorAll('*')).filter(e => e._cyreg && e._cyreg.cy);
if (!holders.length) { return null; }
const cy = holders[0]._cyreg.cy;
return [cy.nodes().length, cy.edges().length, cy.nodes().map(n => n.data('label') || n.id())];
"""


# The description cells of the column table whose text is wider than the cell (cut short by
# dbt's one-line ellipsis), and how many cells there are.
CUT_DESCRIPTIONS = """
const cells = Array.from(document.querySelectorAll("tr.column-row > td[style*='text-overflow']"));
if (!cells.length) { return null; }
return [cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.trim()),
        cells.length];
"""


def test_the_docs_site_shows_the_overview_lineage_and_governance(
    built_sandbox: BuiltWarehouse,
    docs_site: tuple[Path, float],
    served: tuple[str, subprocess.Popen],
    browser: object,
    report: Callable[[str], None],
) -> None:
    from selenium.webdriver.common.by import By

    site, generate_seconds = docs_site
    url, server = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    # The overview page: the lifecycle and how to read the project.
    browser.get(url + "#!/overview")
    overview = wait_for(
        lambda: (
            "The lifecycle, and where each stage lives" in page_text(browser) and page_text(browser)
        ),
        "the overview page",
    )
    for heading in ("How to read the project", "Governance", "Exposures"):
        assert heading in overview
    browser.save_screenshot(str(SCREENSHOTS / "overview.png"))

    # A model page shows the owner and the governance meta (classification among them);
    # fct_orders is versioned, its page that of its latest version.
    browser.get(url + "#!/model/model.tributary.fct_orders.v2")
    details = wait_for(
        lambda: "CLASSIFICATION" in page_text(browser).upper() and page_text(browser),
        "fct_orders' details",
    )
    flat = " ".join(details.split())
    assert "analytics-engineering <analytics-engineering@tributary.example>" in flat  # Owner
    meta = flat[flat.upper().index("CLASSIFICATION") :][:60]
    assert "internal" in meta, meta
    for field in ("OWNER", "DOMAIN", "CONTAINS_PII", "RETENTION_DAYS"):
        assert field in flat.upper()
    browser.save_screenshot(str(SCREENSHOTS / "model-fct_orders.png"))

    # The lineage graph of that model: opened from the launcher button, drawn with its
    # parents and children, down to the exposures that read it.
    browser.find_element(By.CSS_SELECTOR, ".launcher-btn").click()
    nodes, edges, labels = wait_for(
        lambda: (size := browser.execute_script(GRAPH_SIZE)) and size[0] > 1 and size,
        "the lineage graph",
    )
    assert edges >= nodes - 1
    assert {"int_orders__normalized", "Executive sales dashboard"} <= set(labels)
    assert any(label.startswith("fct_orders") for label in labels), labels
    time.sleep(1)  # the layout animates into place
    browser.save_screenshot(str(SCREENSHOTS / "lineage-fct_orders.png"))
    # A source's page: its owner (its meta's), how fresh it is and its rows, as of the site's
    # build; and every column's whole description in the column table, none cut short.
    browser.get(url + "#!/source/source.tributary.crm.contacts")
    source = " ".join(
        wait_for(
            lambda: "LAST LOADED" in page_text(browser).upper() and page_text(browser),
            "the source's details",
        ).split()
    )
    contacts = warehouse_count(built_sandbox.warehouse, "raw_crm.contacts")
    assert re.search(r"OWNER marketing-analytics TYPE table", source, re.IGNORECASE), source[:800]
    assert re.search(
        rf"LAST LOADED \d{{4}}-\d\d-\d\d \d\d:\d\d UTC ROWS {contacts}\b", source, re.I
    )
    cut = browser.execute_script(CUT_DESCRIPTIONS)
    assert cut is not None and cut[1] > 5, "no column descriptions found"
    assert cut[0] == [], f"descriptions cut short in the column table: {cut[0]}"
    browser.save_screenshot(str(SCREENSHOTS / "source-crm-contacts.png"))
    # The linkage model's page links the charts of its last training, which the server serves
    # beside the site: a click opens Splink's match-weights chart, drawn offline.
    browser.get(url + "#!/model/model.tributary.int_customer_pairs__scored")
    link = wait_for(
        lambda: next(iter(browser.find_elements(By.LINK_TEXT, "match weights")), None),
        "the link to the linkage's charts",
    )
    link.click()
    browser.switch_to.window(browser.window_handles[-1])
    wait_for(
        lambda: (
            browser.current_url.endswith("/reports/resolution/match_weights.html")
            and browser.find_elements(By.CSS_SELECTOR, "canvas, svg")
        ),
        "the match-weights chart",
    )
    browser.save_screenshot(str(SCREENSHOTS / "linkage-match-weights.png"))
    browse_seconds = time.perf_counter() - started

    # Ctrl-C stops the server cleanly, with its summary line.
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "stopped after" in out

    report(
        f"docs site: generated in {generate_seconds:.0f}s ({site.stat().st_size / 1e6:.1f} MB, "
        f"one file); overview, fct_orders page and its lineage graph ({nodes} nodes) checked "
        f"in Chromium in {browse_seconds:.0f}s; screenshots in {SCREENSHOTS.relative_to(ROOT)}/"
    )


def test_every_model_and_exposure_carries_what_the_site_shows(
    docs_site: tuple[Path, float],
) -> None:
    """The site renders each model's `meta` table and owner from the manifest it embeds: every
    model has its governance fields, and every consumer is an exposure with an owner, a
    maturity and public marts to depend on."""
    site, _ = docs_site
    manifest = json.loads((site.parent / "manifest.json").read_text())
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    governance = ("owner", "domain", "classification", "contains_pii")
    assert {uid: [k for k in governance if k not in n["meta"]] for uid, n in models.items()} == {
        uid: [] for uid in models
    }
    exposures = manifest["exposures"]
    assert {e["name"] for e in exposures.values()} >= {
        "executive_sales_dashboard",
        "churn_model",
        "bi_tool",
    }
    for exposure in exposures.values():
        assert exposure["owner"]["name"] and exposure["owner"]["email"]
        assert exposure["maturity"] in ("low", "medium", "high")
        parents = exposure["depends_on"]["nodes"]
        assert parents
        assert all(models[uid]["access"] == "public" for uid in parents), exposure["name"]
    assert "__overview__" in {d["name"] for d in manifest["docs"].values()}


def overview_levels() -> dict[str, tuple[str, set[str]]]:
    """The overview's table of classification levels: level -> (what it holds, its readers)."""
    text = (ROOT / "models" / "docs" / "overview.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", text, re.MULTILINE)
    roles = {row["role"] for row in csv.DictReader((ROOT / "seeds/governance/roles.csv").open())}
    return {
        level: (
            holds,
            roles if readers == "every role" else set(re.findall(r"\w+", readers)) & roles,
        )
        for level, holds, readers in rows
    }


def test_the_overview_says_what_the_meta_and_the_access_policy_say(
    docs_site: tuple[Path, float],
) -> None:
    """The overview's claims about classification, checked against the manifest the site embeds
    and the access policy seed: who reads each level, and which models each level holds."""
    site, _ = docs_site
    manifest = json.loads((site.parent / "manifest.json").read_text())
    levels = overview_levels()
    policy: dict[str, set[str]] = {}
    for row in csv.DictReader((ROOT / "seeds/governance/access_policy.csv").open()):
        policy.setdefault(row["classification"], set()).add(row["role"])
    assert {level: readers for level, (_, readers) in levels.items()} == policy

    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    by_level: dict[str, set[str]] = {}
    for node in models:
        by_level.setdefault(node["meta"]["classification"], set()).add(node["name"])
    layer = {node["name"]: node["fqn"][1] for node in models}

    # "the marts and ML features" are internal, but for the public reference data
    assert "the marts and ML features" in levels["internal"][0]
    marts = {name for name, folder in layer.items() if folder == "marts"}
    assert marts - by_level["public"] <= by_level["internal"]
    # public: "the calendar, exchange rates", and nothing else
    assert "the calendar, exchange rates" in levels["public"][0]
    assert {name for name in by_level["public"] if "fx" not in name} == {"dim_date"}
    # restricted: the vault's two tables, and only they
    vault = {"pii_customers", "pii_customer_records"}
    assert all(f"`{name}`" in levels["restricted"][0] for name in vault)
    assert by_level["restricted"] == vault
    # confidential: staging and intermediate data only, and all of it that holds personal data
    assert "staging and intermediate data" in levels["confidential"][0]
    assert {layer[name] for name in by_level["confidential"]} <= {"staging", "intermediate"}
    personal = {n["name"] for n in models if n["meta"]["contains_pii"]} - by_level["restricted"]
    assert personal <= by_level["confidential"]
