"""Monitoring: each injected anomaly is what it says; without Elementary every command says in
one line that monitoring is off; `quality` reconciles every layer and catches a lost row; and,
where the Elementary and dbt_utils checkouts are available (TRIBUTARY_PACKAGES_DIR), Elementary
flags each anomaly in its results tables, the HTML report and the alerts sent to a webhook.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest

from sandbox import anomalies
from sandbox.generator import load_state, next_day
from tests.python.browser import page_text, wait_for
from tests.python.conftest import ROOT, BuiltWarehouse, Workspace, free_port
from tests.python.helpers import packages_or_skip
from tributary.config import SandboxLayout
from tributary.quality import alerts as alerts_module
from tributary.quality.findings import findings


def cli(*args: str, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tributary", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def without_elementary(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine without the package: an empty packages folder."""
    env = dict(os.environ, TRIBUTARY_DBT_PACKAGES_PATH=str(tmp_path / "no_packages"))
    env.pop("TRIBUTARY_PACKAGES_DIR", None)
    return env


# ---------------------------------------------------------------- the injected anomalies


def advanced(pristine: Path, root: Path, anomaly: str | None) -> SandboxLayout:
    shutil.copytree(pristine, root)
    next_day(root, progress=lambda _: None, anomaly=anomaly)
    return SandboxLayout(root)


def shop(layout: SandboxLayout, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(layout.shop_db) as connection:
        return connection.execute(sql, params).fetchall()


def new_days_events(layout: SandboxLayout, since: dt.date) -> list[dt.datetime]:
    """When each clickstream event of the new days happened (UTC)."""
    files = sorted(str(p) for p in layout.clickstream_dir.glob("date=*/hour=*/*.jsonl.gz"))
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        rows = connection.execute(
            f"""
            select cast(cast(event_timestamp as timestamptz) as timestamp)
            from read_json_auto({files!r}, format = 'newline_delimited')
            where cast(cast(event_timestamp as timestamptz) as timestamp) >= ?
            """,
            [dt.datetime.combine(since, dt.time())],
        ).fetchall()
    return [row[0] for row in rows]


def test_each_anomaly_injects_its_trouble_and_only_into_the_new_days(
    pristine_sandbox: Path, tmp_path: Path
) -> None:
    before = load_state(SandboxLayout(pristine_sandbox)).today
    first_day = before + dt.timedelta(days=1)
    normal = advanced(pristine_sandbox, tmp_path / "normal", None)
    injected = {kind: advanced(pristine_sandbox, tmp_path / kind, kind) for kind in anomalies.KINDS}
    new_orders = "select order_id, total_amount from orders where ordered_at >= ? order by 1"
    since = first_day.isoformat()

    assert not (normal.ground_truth / "anomalies.json").exists()
    for kind, layout in injected.items():
        recorded = json.loads((layout.ground_truth / "anomalies.json").read_text())
        assert [entry["kind"] for entry in recorded] == [kind]
        assert recorded[0]["days"][0] == since

    # volume: a tenth of the orders and of the clickstream
    normal_orders = shop(normal, new_orders, since)
    assert 0 < len(shop(injected["volume"], new_orders, since)) <= len(normal_orders) * 0.2
    normal_events = new_days_events(normal, first_day)
    assert 0 < len(new_days_events(injected["volume"], first_day)) < len(normal_events) * 0.2

    # amounts: the same orders, lines and payments, at a hundred times their amounts
    inflated = dict(shop(injected["amounts"], new_orders, since))
    assert inflated.keys() == dict(normal_orders).keys()
    for order_id, amount in normal_orders:
        assert inflated[order_id] == pytest.approx(amount * anomalies.AMOUNT_FACTOR)
    old_orders = "select order_id, total_amount from orders where ordered_at < ? order by 1"
    assert shop(injected["amounts"], old_orders, since) == shop(normal, old_orders, since)
    payments = (
        "select p.payment_id, p.amount from payments p join orders o using (order_id) "
        "where o.ordered_at >= ? order by 1"
    )
    normal_payments = dict(shop(normal, payments, since))
    for payment_id, amount in shop(injected["amounts"], payments, since):
        assert amount == pytest.approx(normal_payments[payment_id] * anomalies.AMOUNT_FACTOR)

    # freshness: nothing that happened after 06:00 of a new day arrived
    stalled = new_days_events(injected["freshness"], first_day)
    assert stalled and all(moment.time() < anomalies.COLLECTOR_STALLS_AT for moment in stalled)
    assert any(moment.time() >= anomalies.COLLECTOR_STALLS_AT for moment in normal_events)

    # schema: a new column in the shop's orders, filled for some of the new orders only
    columns = {row[1] for row in shop(injected["schema"], "pragma table_info(orders)")}
    assert anomalies.NEW_ORDER_COLUMN in columns
    assert anomalies.NEW_ORDER_COLUMN not in {
        row[1] for row in shop(normal, "pragma table_info(orders)")
    }
    coupons = shop(
        injected["schema"],
        f"select count({anomalies.NEW_ORDER_COLUMN}), count(*) from orders where ordered_at >= ?",
        since,
    )[0]
    assert 0 < coupons[0] < coupons[1]
    assert shop(
        injected["schema"],
        f"select count({anomalies.NEW_ORDER_COLUMN}) from orders where ordered_at < ?",
        since,
    ) == [(0,)]

    # shift: the same new orders, none of them filed under the app; the old ones untouched
    channels = "select order_id, channel from orders where ordered_at >= ? order by 1"
    shifted, before_shift = shop(injected["shift"], channels, since), shop(normal, channels, since)
    assert [row[0] for row in shifted] == [row[0] for row in before_shift]
    assert any(row[1] == anomalies.SHIFTED_CHANNEL for row in before_shift)
    assert not any(row[1] == anomalies.SHIFTED_CHANNEL for row in shifted)
    old_channels = "select order_id, channel from orders where ordered_at < ? order by 1"
    assert shop(injected["shift"], old_channels, since) == shop(normal, old_channels, since)

    # late: the last new day's clickstream partition is held back, then delivered by the next
    # step, newly written, with the files it had
    late = injected["late"]
    last_partition = f"date={load_state(late).today.isoformat()}"
    assert (normal.clickstream_dir / last_partition).exists()
    assert not (late.clickstream_dir / last_partition).exists()
    held = sorted(p.name for p in (normal.clickstream_dir / last_partition).rglob("*.gz"))
    next_day(late.root, progress=lambda _: None)
    assert sorted(p.name for p in (late.clickstream_dir / last_partition).rglob("*.gz")) == held


# ---------------------------------------------------------------- monitoring off


def test_without_the_package_every_command_says_in_one_line_that_monitoring_is_off(
    tmp_path: Path,
) -> None:
    env = without_elementary(tmp_path)

    deps = cli("quality", "install", "--if-available", env=env)
    assert deps.returncode == 0, deps.stdout + deps.stderr
    lines = deps.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Monitoring is off"), deps.stdout
    assert "TRIBUTARY_PACKAGES_DIR" in lines[0] and "make monitoring-deps" in lines[0]

    assert cli("quality", "install", env=env).returncode == 1  # asked to turn it on: it could not
    assert cli("quality", "dbt-vars", env=env).stdout.strip() == ""
    monitor = cli("quality", "monitor", env=env)
    assert monitor.returncode == 2
    assert "error: Monitoring is off" in monitor.stderr and len(monitor.stderr.splitlines()) == 1

    (tmp_path / "checkouts" / "elementary").mkdir(parents=True)
    env["TRIBUTARY_PACKAGES_DIR"] = str(tmp_path / "checkouts")
    unusable = cli("quality", "install", "--if-available", env=env)
    assert unusable.returncode == 0
    assert "not usable" in unusable.stdout and "no dbt_utils package" in unusable.stdout


# ---------------------------------------------------------------- make quality


def reconciliation(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select entity, rows_lost_to_staging, rows_lost_in_validation, rows_lost_to_marts, "
            "replaced_rows, is_reconciled from audit.quality_row_reconciliation"
        ).fetchall()


def file_statuses(warehouse: Path) -> dict[str, tuple[str, int | None, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select landing_path, status, file_rows, raw_rows "
            "from audit.quality_landing_file_reconciliation"
        ).fetchall()
    return {path: (status, file_rows, raw_rows) for path, status, file_rows, raw_rows in rows}


def test_quality_reconciles_every_layer_and_catches_a_lost_row(
    built_sandbox: BuiltWarehouse, tmp_path: Path
) -> None:
    warehouse = tmp_path / "tributary.duckdb"
    shutil.copy(built_sandbox.warehouse, warehouse)
    env = dict(
        without_elementary(tmp_path),
        **{
            key: value
            for key, value in built_sandbox.env.items()
            if key.startswith("TRIBUTARY_SANDBOX")
        },
    )
    env.update(
        TRIBUTARY_WAREHOUSE_PATH=str(warehouse),
        DBT_PROFILES_DIR=str(ROOT),
        DBT_PROJECT_DIR=str(ROOT),
    )
    quality_args = [
        "quality",
        "report",
        "--target-path",
        str(built_sandbox.target),
        "--work-dir",
        str(tmp_path / "quality"),
        "--report",
        str(tmp_path / "quality.md"),
    ]

    healthy = cli(*quality_args, env=env)

    assert healthy.returncode == 0, healthy.stdout[-3000:] + healthy.stderr[-3000:]
    summary = (tmp_path / "quality.md").read_text()
    for heading in ("Freshness", "Tests", "Rows quarantined, by rule", "Row reconciliation"):
        assert f"## {heading}" in summary
    assert "| events | duplicate_event_id |" in summary
    assert "Monitoring is off" in summary and "nothing wrong found" in summary
    rows = reconciliation(warehouse)
    assert {row[0] for row in rows} == {
        "contacts", "customers", "erasure_requests", "events", "fx_rates", "order_items",
        "orders", "payments", "products", "readings", "reviews", "shipments",
    }  # fmt: skip
    assert all(row[-1] for row in rows), [row for row in rows if not row[-1]]
    files = file_statuses(warehouse)
    assert {status for status, _, _ in files.values()} == {"reconciled"}
    assert len(files) == len(list(built_sandbox.sandbox.landing.rglob("*.*")))

    # An order lost between the clean layer and the mart, and three events lost from raw.
    events_file = next(path for path in sorted(files) if path.startswith("clickstream/"))
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "delete from marts.fct_orders "
            "where order_id = (select min(order_id) from marts.fct_orders)"
        )
        connection.execute(
            "delete from raw_web.events where _source_file = ? and _source_row < 3", [events_file]
        )

    broken = cli(*quality_args, env=env)

    assert broken.returncode == 1
    assert "not reconciled" in broken.stdout and "differ from raw" in broken.stdout
    # The order is missing from the mart; the events are missing from raw (and so from staging,
    # a view) but still in the clean and quarantine tables built before: the layers disagree.
    lost = sorted(
        (row[0], row[1], row[2], row[3]) for row in reconciliation(warehouse) if not row[-1]
    )
    assert lost == [("events", 0, -3, None), ("orders", 0, 0, 1)], lost
    status, file_rows, raw_rows = file_statuses(warehouse)[events_file]
    assert (status, raw_rows) == ("rows_differ", file_rows - 3)


# ---------------------------------------------------------------- Elementary


class Webhook(BaseHTTPRequestHandler):
    """A stand-in for a Slack incoming webhook on loopback: keeps every message it receives."""

    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        Webhook.received.append(self.rfile.read(length).decode())
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/services/T000/B000/alerts"
    server.shutdown()
    server.server_close()


def report_contents(html_file: Path) -> str:
    """The data of edr's single-page report: a base64 JSON document inside the page."""
    html = html_file.read_text()
    encoded = re.search(r"atob\('([A-Za-z0-9+/=]+)'\)", html)
    assert encoded, f"no report data in {html_file}"
    return base64.b64decode(encoded.group(1)).decode()


def anomalous_days(warehouse: Path, test_name: str, table: str, column: str | None = None):
    """The days (bucket starts) that this monitor's latest run found anomalous, and all the
    days it judged, from Elementary's results tables."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            """
            with latest as (
                select id, status from elementary.elementary_test_results
                where test_short_name = ? and lower(table_name) = ?
                    and coalesce(lower(column_name), '') = ?
                order by detected_at desc limit 1
            )
            select latest.status, rows.result_row
            from latest join elementary.test_result_rows as rows
                on rows.elementary_test_results_id = latest.id
            """,
            [test_name, table, column or ""],
        ).fetchall()
    assert rows, f"no results of {test_name} on {table} {column or ''}"
    buckets = [json.loads(row[1]) for row in rows]
    judged = {dt.date.fromisoformat(b["bucket_start"][:10]) for b in buckets}
    flagged = {dt.date.fromisoformat(b["bucket_start"][:10]) for b in buckets if b["is_anomalous"]}
    return rows[0][0], flagged, judged


# Click through JavaScript: in the test results' table an icon overlaps a row's cells.
CLICK_CENTERED = "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();"


def look_at_the_report(browser: object, html_file: Path) -> None:
    """The report as a person reads it, in headless Chromium: the dashboard, the test results
    (the schema change among them) and the chart of a volume monitor; screenshots in
    reports/elementary/."""
    from selenium.webdriver.common.by import By

    shots = ROOT / "reports" / "elementary"
    shots.mkdir(parents=True, exist_ok=True)
    page = html_file.resolve().as_uri()
    browser.get(page + "#/report/dashboard")
    wait_for(lambda: "Test results breakdown" in page_text(browser), "the report's dashboard")
    browser.save_screenshot(str(shots / "dashboard.png"))
    browser.get(page + "#/report/test-results")
    wait_for(lambda: "coupon_code" in page_text(browser), "the schema change in the test results")
    browser.save_screenshot(str(shots / "test-results.png"))
    volume = wait_for(
        lambda: [
            cell
            for cell in browser.find_elements(By.XPATH, "//span[text()='volume_anomalies']")
            if cell.is_displayed()
        ],
        "a volume monitor in the test results",
    )
    browser.execute_script(CLICK_CENTERED, volume[0])
    chart = wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, ".recharts-wrapper"), "an anomaly chart"
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", chart[0])
    assert "Training Period" in page_text(browser) and "Detection Period" in page_text(browser)
    browser.save_screenshot(str(shots / "anomaly-chart.png"))


def test_elementary_flags_each_injected_anomaly(
    workspace: Workspace, tmp_path: Path, webhook: str, report, browser: object
) -> None:
    packages = packages_or_skip()
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(ROOT),
        DBT_PROJECT_DIR=str(ROOT),
        TRIBUTARY_DBT_PACKAGES_PATH=str(tmp_path / "no_packages"),
    )
    env.pop("TRIBUTARY_PACKAGES_DIR", None)
    # History: the generated month; then a normal business day and one day of each anomaly.
    days: dict[str, list[dt.date]] = {}
    for kind in (None, "volume", "amounts", "freshness", "schema"):
        before = load_state(workspace.sandbox).today
        step = cli("sandbox", "next-day", *(["--anomaly", kind] if kind else []), env=env)
        assert step.returncode == 0, step.stdout + step.stderr
        after = load_state(workspace.sandbox).today
        days[kind or "normal"] = [
            before + dt.timedelta(days=n) for n in range(1, (after - before).days + 1)
        ]
    loaded = cli("load", env=env)
    assert loaded.returncode == 0, loaded.stdout[-3000:]
    dbt = str(Path(sys.executable).parent / "dbt")
    # The models, built as any build builds them (the package is not installed yet).
    built = subprocess.run(
        [dbt, "build", "--quiet", "--target-path", str(tmp_path / "plain")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-3000:]

    env.update(
        TRIBUTARY_PACKAGES_DIR=str(packages),
        TRIBUTARY_DBT_PACKAGES_PATH=str(tmp_path / "packages"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )
    started = time.perf_counter()
    # make monitor, its build narrowed to the monitors (the models were built just above); the
    # seven days under detection hold the normal day and the four anomalies, each judged
    # against the two weeks of the generated history before them.
    monitored = cli(
        "quality",
        "monitor",
        "--select",
        "tag:elementary-tests",
        "--detection-days",
        "7",
        "--training-days",
        "14",
        "--slack-webhook",
        webhook,
        "--work-dir",
        str(tmp_path / "edr"),
        "--report",
        str(tmp_path / "elementary_report.html"),
        env=env,
        timeout=1800,
    )
    seconds = time.perf_counter() - started
    assert monitored.returncode == 0, monitored.stdout[-4000:] + monitored.stderr[-2000:]
    assert monitored.stdout.startswith("Monitoring is on")
    warehouse = workspace.warehouse

    normal = set(days["normal"])
    expectations = [
        # (monitor, table, column, the days it must flag, the days it must leave alone)
        ("volume_anomalies", "events", None, days["volume"], normal | set(days["amounts"])),
        ("volume_anomalies", "fct_sessions", None, days["volume"], normal | set(days["amounts"])),
        ("freshness_anomalies", "events", None, days["freshness"], normal | set(days["amounts"])),
        ("freshness_anomalies", "fct_sessions", None, days["freshness"], normal),
        ("column_anomalies", "fct_orders", "amount_reporting", days["amounts"], normal),
        ("column_anomalies", "fct_payments", "amount_reporting", days["amounts"], normal),
        ("column_anomalies", "fct_order_items", "line_amount_reporting", days["amounts"], normal),
    ]
    for test_name, table, column, must_flag, must_pass in expectations:
        status, flagged, judged = anomalous_days(warehouse, test_name, table, column)
        label = f"{test_name} on {table} {column or ''}"
        assert set(must_flag) <= judged and set(must_pass) <= judged, (label, sorted(judged))
        assert status == "warn", (label, status)
        assert set(must_flag) <= flagged, (label, sorted(flagged))
        assert not flagged & set(must_pass), (label, sorted(flagged & set(must_pass)))
        report(f"elementary: {label.strip()} flagged {', '.join(map(str, sorted(flagged)))}")

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        changes = connection.execute(
            """
            select lower(table_name), lower(column_name), test_sub_type, status
            from elementary.elementary_test_results
            where test_short_name = 'schema_changes_from_baseline' and status != 'pass'
            """
        ).fetchall()
    assert changes == [("orders", anomalies.NEW_ORDER_COLUMN, "column_added", "warn")], changes

    report_data = report_contents(tmp_path / "elementary_report.html")
    alerts = "\n".join(Webhook.received)
    for text in ("volume_anomalies", "freshness_anomalies", "column_anomalies", "coupon_code"):
        assert text in report_data, f"{text} not in the HTML report"
    look_at_the_report(browser, tmp_path / "elementary_report.html")
    assert Webhook.received, "no alert reached the webhook"
    for text in ("volume_anomalies", "freshness_anomalies", "amount_reporting", "coupon_code"):
        assert text in alerts, f"no alert mentions {text}: {alerts[:2000]}"
    # One message per incident (a day), each line with its table, value, range and owner, and
    # the commands to look closer; sent once: the same results send nothing again.
    messages = [json.loads(body)["text"] for body in Webhook.received]
    incident_days = alerts_module.incidents(findings(warehouse, days["schema"][-1]))
    assert len(messages) == len(incident_days), (len(messages), sorted(incident_days))
    for day, text in zip(sorted(incident_days), messages, strict=True):
        assert f"an incident on {day}" in text and "Look closer: tributary quality report" in text
        assert "owner: " in text and "owner: none declared" not in text, text
    assert any("observed" in text and "expected" in text for text in messages), messages
    assert "fct_orders_v1" not in alerts, "the deprecated version alerts again"
    resent = alerts_module.send_new_incidents(
        warehouse, webhook, days["schema"][-1], tmp_path / "elementary_report.html"
    )
    assert resent == 0 and len(Webhook.received) == len(messages)
    report(f"elementary: make monitor (narrowed to the monitors) took {seconds:.0f}s")


def test_an_alert_the_webhook_refuses_is_one_line_error_and_stays_unsent() -> None:
    """A webhook that cannot be reached is the command's one-line error, not a traceback; the
    incident is not recorded as sent (the record follows a successful post), so the next run
    tries it again."""
    from tributary.errors import TributaryError

    with pytest.raises(TributaryError, match="the alert webhook did not take the message"):
        alerts_module.post(f"http://127.0.0.1:{free_port()}/hook", "an incident")
