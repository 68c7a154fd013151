"""Shared fixtures: a small generated sandbox and a fresh warehouse per test.

Everything is real: the generator writes files and a SQLite database, dlt loads them into a
DuckDB file, and the sandbox API runs as an HTTP server on a free port.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

from sandbox.generator import generate
from tributary.config import SandboxLayout

# The `browser` fixture (headless Chromium), for every module that opens a page.
pytest_plugins = ["tests.python.browser"]

# Numbers a test measured (precision, recall, ...), printed at the end of every run. They travel
# as the test's user properties, which pytest-xdist hands from its workers to the main process.
MEASUREMENTS: list[str] = []
MEASUREMENT = "measurement"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":  # the last phase: every property the test added is there
        MEASUREMENTS.extend(value for key, value in report.user_properties if key == MEASUREMENT)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MEASUREMENTS:
        terminalreporter.section("measurements")
        for line in MEASUREMENTS:
            terminalreporter.write_line(line)


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Hand a measured number to the run's closing summary (`make test` prints it)."""
    return lambda line: request.node.user_properties.append((MEASUREMENT, line))


TEST_SCALE = 0.05  # 250 customers, 2,500 orders, ~50,000 events: seconds, not minutes
TEST_SEED = 7


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def pristine_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per session; tests copy it before changing anything."""
    root = tmp_path_factory.mktemp("pristine") / "sandbox"
    generate(root, seed=TEST_SEED, scale=TEST_SCALE, progress=lambda _: None)
    return root


@dataclass
class Workspace:
    """A sandbox and a warehouse of one test's own, wired through the environment."""

    sandbox: SandboxLayout
    warehouse: Path
    api_port: int


def wire_workspace(pristine: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A copy of the pristine sandbox under `root`, and the environment pointing at it."""
    shutil.copytree(pristine, root / "sandbox")
    return point_environment_at(root, monkeypatch)


def point_environment_at(root: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The environment pointing at the sandbox and the warehouse under `root`."""
    sandbox = root / "sandbox"
    warehouse = root / "warehouse" / "tributary.duckdb"
    port = free_port()
    monkeypatch.setenv("TRIBUTARY_SANDBOX_DIR", str(sandbox))
    monkeypatch.setenv("TRIBUTARY_WAREHOUSE_PATH", str(warehouse))
    # The tests' warehouse is a DuckDB file, whatever destination a developer has exported.
    monkeypatch.delenv("TRIBUTARY_DESTINATION", raising=False)
    monkeypatch.setenv("TRIBUTARY_SANDBOX_API_PORT", str(port))
    monkeypatch.setenv("SOURCES__FX__BASE_URL", f"http://127.0.0.1:{port}/v1/")
    monkeypatch.setenv("SOURCES__REVIEWS__BASE_URL", f"http://127.0.0.1:{port}/")
    # Retries stay real but short, so a test of 429s and 500s takes seconds.
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "1")
    return Workspace(SandboxLayout(sandbox), warehouse, port)


@pytest.fixture
def workspace(
    pristine_sandbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    yield wire_workspace(pristine_sandbox, tmp_path, monkeypatch)


ROOT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).parent / "dbt")  # the project's pinned dbt, in this .venv

# ---------------------------------------------------------------- builds shared by the workers
# `make test` runs pytest-xdist workers, each a process with its own session fixtures. A build
# of the whole project takes minutes, so the shared builds (the test-scale one, the scale-1
# one, the next day's) are made once per run, by whichever worker needs one first, under a file
# lock that the other workers wait on; each worker then reads a copy of its own, so that no
# DuckDB file is opened by two processes (a read-write connection locks the file).

Built = TypeVar("Built")


def run_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder that every worker of this run sees: xdist gives each worker `popen-gwN`
    under the run's base folder; without xdist, the base folder itself."""
    base = factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def build_once(
    name: str, factory: pytest.TempPathFactory, build: Callable[[Path], Built]
) -> tuple[Path, Built]:
    """Run `build(folder)` once in this run, and return this worker's copy of the folder and
    what `build` returned (pickled for the other workers; so it holds no paths).

    A build that raised is not tried again by the next worker: it fails with the first one's
    error at once, instead of spending the same minutes to fail the same way."""
    shared = run_folder(factory) / "shared"
    shared.mkdir(exist_ok=True)
    folder = shared / name
    result, failure = shared / f"{name}.pickle", shared / f"{name}.failed"
    with FileLock(str(shared / f"{name}.lock")):
        if failure.exists():
            pytest.fail(f"{name!r} failed in another worker: {failure.read_text()}")
        if not result.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that was killed midway
            folder.mkdir()
            try:
                built = build(folder)
            except BaseException as error:
                failure.write_text(f"{type(error).__name__}: {error}")
                raise
            result.write_bytes(pickle.dumps(built))
        built = pickle.loads(result.read_bytes())
    copy = factory.mktemp(name)
    shutil.copytree(folder, copy, dirs_exist_ok=True)
    return copy, built


def shared_build_group(item: pytest.Item) -> int:
    """0: reads the scale-1 build; 2: the test-scale build; 1: neither."""
    if "scale_one" in item.fixturenames:
        return 0
    return 2 if "built_sandbox" in item.fixturenames else 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the tests for `--dist worksteal`, which hands the first half of the list to one
    worker and the second half to the other, then lets an idle worker take the tail of the
    other's queue: the first half starts with every test of the scale-1 build, the second
    with every test of the test-scale build, so that each worker makes one of the two builds
    while the other makes the other one. The tests that need neither fill both tails, which is
    what a worker that runs out of work takes over. (Without xdist the order changes nothing.)"""
    groups: dict[int, list[pytest.Item]] = {0: [], 1: [], 2: []}
    for item in items:  # collection order within a group: a module's tests stay together
        groups[shared_build_group(item)].append(item)
    # The next day's tests first among the test-sandbox ones: the worker that makes the build
    # then makes the day after it too, and the other one, which takes work from the tail of the
    # list, does not wait minutes on the next day's lock with nothing to do.
    groups[2].sort(key=lambda item: "after_next_day" not in item.fixturenames)
    # The longest test that needs neither build (the monitors' evaluation, minutes at scale 1)
    # first among those: at the tail it would be the last thing the run waits for.
    groups[1].sort(key=lambda item: "test_monitoring_eval" not in item.nodeid)
    filler = max(0, len(items) // 2 - len(groups[0]))
    items[:] = groups[0] + groups[1][:filler] + groups[2] + groups[1][filler:]


# ------------------------------------------------------------------- dbt, parsed once per run
# dbt parses the whole project again (~20 s: over a thousand generic tests) whenever the profile
# it renders differs from the one its saved parse (`partial_parse.msgpack`) was made with, and a
# DuckDB target's file path is part of that profile. So the tests run dbt from the folder of the
# warehouse they mean, naming the file by its name only (`tributary.duckdb`, as every test's
# warehouse is called): every workspace then renders the same profile, and the first saved parse
# of each target in the run seeds the target folder of every later dbt command. dbt checks a
# saved parse against the project's files, vars, env vars and profile before it uses it, and
# parses again whatever differs: the seed changes how often dbt parses, never what it finds.

SAVED_PARSES: dict[str, Path] = {}  # "folder": this run's saved parses (saved_parses)


@pytest.fixture(scope="session", autouse=True)
def saved_parses(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = run_folder(tmp_path_factory) / "shared" / "parses"
    folder.mkdir(parents=True, exist_ok=True)
    SAVED_PARSES["folder"] = folder
    return folder


def target_name(args: tuple[str, ...], env: Mapping[str, str]) -> str:
    """The profile target a dbt command runs on: `--target`, else DBT_TARGET, else dev."""
    if "--target" in args:
        return args[args.index("--target") + 1]
    return env.get("DBT_TARGET", "dev")


def run_dbt(
    *args: str, env: Mapping[str, str], target_dir: Path, warehouse: Path | None = None
) -> subprocess.CompletedProcess:
    """The project's dbt on `warehouse` (else the file env's TRIBUTARY_WAREHOUSE_PATH names),
    from that file's folder, with target folder `target_dir`, seeded with this run's saved
    parse of the same target and file name (see above); the first of them is saved."""
    warehouse = Path(warehouse or env["TRIBUTARY_WAREHOUSE_PATH"])
    run_env = dict(
        env,
        DBT_PROFILES_DIR=str(ROOT),
        DBT_PROJECT_DIR=str(ROOT),
        TRIBUTARY_WAREHOUSE_PATH=warehouse.name,
        TRIBUTARY_CI_WAREHOUSE_PATH=warehouse.name,
    )
    saved = SAVED_PARSES["folder"] / f"{target_name(args, run_env)}-{warehouse.name}.msgpack"
    parse = target_dir / "partial_parse.msgpack"
    if saved.exists() and not parse.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, parse)
    run = subprocess.run(
        [DBT, *args, "--target-path", str(target_dir)],
        cwd=warehouse.parent, env=run_env, capture_output=True, text=True,
    )  # fmt: skip
    if parse.exists() and not saved.exists():
        draft = saved.with_suffix(f".{os.getpid()}")
        shutil.copyfile(parse, draft)
        draft.replace(saved)  # whole or not at all: the other worker may be reading it
    return run


# The whole build of a run that follows CI's (the next day's, the erasure test's next run), as
# dbt arguments: its unit tests aside (they read no warehouse data, and CI's build ran them on
# this code), and the post-build checks too, since an --exclude replaces the default selector
# (selectors.yml) that leaves them out; inside a build the PII scan would read test-failure
# tables while other threads re-create them.
NEXT_RUN_BUILD = ("build", "--exclude", "resource_type:unit_test", "tag:post_build")


def dbt(*args: str, target_dir: Path, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    """Run the project's dbt on the test's warehouse (TRIBUTARY_WAREHOUSE_PATH is set), or on
    another warehouse file."""
    return run_dbt(*args, env=os.environ, target_dir=target_dir, warehouse=warehouse)


def environment_of(root: Path) -> dict[str, str]:
    """The environment of the sandbox and the warehouse under `root`, for the command line and
    dbt: the dev and the `ci` targets both on that warehouse file (named tributary.duckdb, as
    production's is, so that relations and manifests name the same catalog: slim CI defers to
    the build's manifest), and the sandbox API on a port of its own."""
    warehouse = root / "warehouse" / "tributary.duckdb"
    port = free_port()
    return dict(
        os.environ,
        TRIBUTARY_DESTINATION="duckdb",
        TRIBUTARY_SANDBOX_DIR=str(root / "sandbox"),
        TRIBUTARY_WAREHOUSE_PATH=str(warehouse),
        TRIBUTARY_CI_WAREHOUSE_PATH=str(warehouse),
        TRIBUTARY_SANDBOX_API_PORT=str(port),
        SOURCES__FX__BASE_URL=f"http://127.0.0.1:{port}/v1/",
        SOURCES__REVIEWS__BASE_URL=f"http://127.0.0.1:{port}/",
        DBT_PROFILES_DIR=str(ROOT),
        DBT_PROJECT_DIR=str(ROOT),
    )


@dataclass(frozen=True)
class BuiltWarehouse:
    """A sandbox loaded by the command line and built by `dbt build --target ci`, under `root`
    (this worker's copy: tests read it and copy it, never change it)."""

    root: Path  # sandbox/, warehouse/ (the DuckDB files, the vault, dlt's state), target/, ...
    build: subprocess.CompletedProcess  # the `dbt build`
    env: dict[str, str]  # environment_of(root)

    @property
    def sandbox(self) -> SandboxLayout:
        return SandboxLayout(self.root / "sandbox")

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "tributary.duckdb"

    @property
    def target(self) -> Path:
        """dbt's target folder of the build (manifest, run_results.json)."""
        return self.root / "target"

    @property
    def post_build_target(self) -> Path:
        """That of the post-build checks (`dbt test --select tag:post_build`)."""
        return self.root / "post_build"


def load_and_build(
    root: Path, *build_args: str, post_build: bool = True, sources: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """Load the sandbox under `root` by the command line (`sources`, else every source), then
    `dbt build --target ci` (with `build_args`), then, as `make demo` does, the checks that read
    the whole build (the unmasked-PII scan; `post_build=False` for a build of a part). The
    build's outcome is the tests' to judge; the scan's is in its run_results.json
    (`post_build_target`)."""
    env = environment_of(root)
    logs = ["--log-path", str(root / "logs")]
    loaded = subprocess.run(
        [sys.executable, "-m", "tributary", "load", *sources],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stdout[-3000:] + loaded.stderr[-3000:]
    build = run_dbt(
        "build", "--target", "ci", *build_args, *logs, env=env, target_dir=root / "target"
    )
    if build.returncode == 0 and post_build:
        run_dbt(
            "test", "--target", "ci", "--select", "tag:post_build", *logs,
            env=env, target_dir=root / "post_build",
        )  # fmt: skip
    return build


@pytest.fixture(scope="session")
def built_sandbox(
    pristine_sandbox: Path, tmp_path_factory: pytest.TempPathFactory
) -> BuiltWarehouse:
    """CI's full build: the session's freshly generated test sandbox, loaded by the command
    line, and `dbt build` on the `ci` target into a new warehouse, then the post-build checks
    (tests/python/test_ci_build.py checks it). Every test that reads a built warehouse reads
    this one, and every test that goes on from one (next-day, erasure, the leak) starts from a
    copy of it (`copy_built`): a build of the whole project is the slowest step of the suite,
    and it is the same build each time."""

    def copy_load_and_build(root: Path) -> subprocess.CompletedProcess:
        shutil.copytree(pristine_sandbox, root / "sandbox")
        return load_and_build(root)

    root, build = build_once("built_sandbox", tmp_path_factory, copy_load_and_build)
    return BuiltWarehouse(root=root, build=build, env=environment_of(root))


def copy_built(built: BuiltWarehouse, root: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace of the test's own under `root`: the built sandbox and its warehouse folder
    (the main file, the vault file and dlt's pipeline state, so that the next load is
    incremental), and the environment pointing at them."""
    assert built.build.returncode == 0, built.build.stdout[-4000:]
    shutil.copytree(built.root / "warehouse", root / "warehouse")
    return wire_workspace(built.root / "sandbox", root, monkeypatch)


@pytest.fixture
def built_workspace(
    built_sandbox: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    return copy_built(built_sandbox, tmp_path, monkeypatch)


# Entity resolution reads its own lineage only: the resolved customers and what they are made of.
RESOLUTION = "+int_customers__resolved"
RESOLUTION_SOURCES = ("shop", "crm")  # the sources of its lineage (dbt ls --resource-type source)


@pytest.fixture(scope="session")
def scale_one(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The demo's data (seed 42, scale 1) for the tests whose thresholds the issues set at
    scale 1 (entity resolution's precision and recall): generated and loaded by the command
    line, and `dbt build --target ci` of the resolution's lineage with its tests. (The whole
    project builds on the test sandbox, `built_sandbox`, and at scale 1 in `make demo`.)"""

    def generate_load_and_build(root: Path) -> subprocess.CompletedProcess:
        generated = subprocess.run(
            [sys.executable, "-m", "tributary", "sandbox", "generate", "--seed", "42",
             "--scale", "1"],
            cwd=ROOT, env=environment_of(root), capture_output=True, text=True,
        )  # fmt: skip
        assert generated.returncode == 0, generated.stdout[-3000:] + generated.stderr[-3000:]
        # cautious: a test of a resolution model that also reads a model outside the lineage
        # (a relationship to a mart, say) is left to the full build. The lineage reads the
        # shop's customers and the CRM's contacts only: the other sources are not loaded (the
        # clickstream alone is most of a scale-1 load).
        return load_and_build(
            root, "--select", RESOLUTION, "--indirect-selection", "cautious",
            post_build=False, sources=RESOLUTION_SOURCES,
        )  # fmt: skip

    root, build = build_once("scale_one", tmp_path_factory, generate_load_and_build)
    assert build.returncode == 0, build.stdout[-4000:]
    return BuiltWarehouse(root=root, build=build, env=environment_of(root))
