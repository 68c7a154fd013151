"""`tributary dev`: the developer workflow and CI (slim CI, the docs site, the macro lint)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tributary.cli.output import add_command, add_group
from tributary.dataops import docs, slim_ci


def prod_manifest(args: argparse.Namespace) -> int:
    slim_ci.prod_manifest(ref=args.ref, state_dir=args.state, target=args.target)
    return 0


def ci_changed(args: argparse.Namespace) -> int:
    return slim_ci.ci_changed(state_dir=args.state, target_path=args.target_path)


def generate_docs(args: argparse.Namespace) -> int:
    docs.generate_docs(target=args.target, target_path=args.target_path)
    return 0


def serve_docs(args: argparse.Namespace) -> int:
    return docs.serve_docs(args.site, host=args.host, port=args.port)


def lint_macros(args: argparse.Namespace) -> int:
    from tributary.dataops import macro_lint

    return macro_lint.main(args.paths)


def register(commands: argparse._SubParsersAction) -> None:
    dev = add_group(commands, "dev", "developer workflow and CI: slim CI, docs site, macro lint")

    command = add_command(
        dev,
        "prod-manifest",
        "save the manifest of production's code (a git ref) for slim CI",
        "tributary dev prod-manifest --ref main",
    )
    command.add_argument("--ref", default="main", help="what production runs (default main)")
    command.add_argument("--state", type=Path, default=slim_ci.DEFAULT_STATE_DIR)
    command.add_argument("--target", default="dev", help="production's dbt target")
    command.set_defaults(run=prod_manifest)

    command = add_command(
        dev,
        "ci-changed",
        "slim CI: build and test state:modified+ on the pr target, deferring to production",
        "tributary dev ci-changed --target-path target/pr",
    )
    command.add_argument("--state", type=Path, default=slim_ci.DEFAULT_STATE_DIR)
    command.add_argument("--target-path", type=Path, default=Path("target/pr"))
    command.set_defaults(run=ci_changed)

    command = add_command(
        dev,
        "docs",
        "generate the docs site as one static HTML file",
        "tributary dev docs --target dev",
    )
    command.add_argument("--target", default="dev", help="the target whose warehouse is catalogued")
    command.add_argument("--target-path", type=Path, default=Path("target/docs"))
    command.set_defaults(run=generate_docs)

    command = add_command(
        dev,
        "serve-docs",
        "serve the static docs site on 127.0.0.1 until Ctrl-C",
        "tributary dev serve-docs --port 8780",
    )
    command.add_argument("--site", type=Path, default=Path("target/docs") / docs.STATIC_FILE)
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8780)
    command.set_defaults(run=serve_docs)

    command = add_command(
        dev,
        "lint-macros",
        "sqlfluff on the SQL inside macros and generic tests",
        "tributary dev lint-macros macros/utils/currency.sql",
    )
    command.add_argument("paths", nargs="*", type=Path, help="macro files (default: all)")
    command.set_defaults(run=lint_macros)
