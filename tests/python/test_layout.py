"""The house rules of the layout (DESIGN.md), checked on the code itself: imports only go
downward (command line -> areas -> dbt runner -> configuration), ingestion never imports the
sandbox, and no area imports another's internals sideways except where listed here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.python.conftest import ROOT

# The layers, highest first; a module may import its own layer's modules and lower layers'.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("tributary.cli", "tributary.__main__"),
    (
        "ingestion",
        "sandbox",
        "tributary.quality",
        "tributary.governance",
        "tributary.dataops",
        "tributary.resolution",
    ),
    ("tributary.dbt",),
    ("tributary.config", "tributary.errors", "tributary.sql", "tributary.foreground"),
)
# The areas of the middle layer that one area may read of another: none today.
SIDEWAYS_ALLOWED: set[tuple[str, str]] = set()
PACKAGES = ("tributary", "ingestion", "sandbox")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> tuple[int, str] | None:
    """(layer index, the layer's package) of a project module, None for a third-party one."""
    for index, packages in enumerate(LAYERS):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return index, package
    return None


def project_imports(path: Path) -> list[str]:
    """The project modules a file imports, wherever in it (functions included)."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in found if name.split(".")[0] in PACKAGES]


def modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_only_go_downward(path: Path) -> None:
    if module_name(path) == "tributary":  # the package's docstring, which every import runs
        assert not project_imports(path)
        return
    own = layer_of(module_name(path))
    assert own is not None, f"{module_name(path)} belongs to no layer: add it to LAYERS"
    upward = []
    for imported in project_imports(path):
        theirs = layer_of(imported)
        if theirs is None or imported == "tributary":
            continue  # the package itself (`from tributary import config`) names a lower module
        sideways = theirs[0] == own[0] == 1 and theirs[1] != own[1]
        if theirs[0] < own[0] or (sideways and (own[1], theirs[1]) not in SIDEWAYS_ALLOWED):
            upward.append(imported)
    assert not upward, f"{module_name(path)} imports above or beside its layer: {upward}"


def test_ingestion_never_imports_the_sandbox() -> None:
    for path in (ROOT / "ingestion").rglob("*.py"):
        assert not [name for name in project_imports(path) if name.startswith("sandbox")], path
