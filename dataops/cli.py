"""`python -m dataops`: slim CI, the docs site and the macro lint, as the Makefile runs them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dataops import docs, slim_ci


def cmd_prod_manifest(args: argparse.Namespace) -> int:
    slim_ci.prod_manifest(ref=args.ref, state_dir=args.state, target=args.target)
    return 0


def cmd_ci_changed(args: argparse.Namespace) -> int:
    return slim_ci.ci_changed(state_dir=args.state, target_path=args.target_path)


def cmd_docs(args: argparse.Namespace) -> int:
    docs.generate_docs(target=args.target, target_path=args.target_path)
    return 0


def cmd_serve_docs(args: argparse.Namespace) -> int:
    return docs.serve_docs(args.site, host=args.host, port=args.port)


def cmd_lint_macros(args: argparse.Namespace) -> int:
    from dataops import macro_lint

    return macro_lint.main(args.paths)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m dataops", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    manifest = commands.add_parser(
        "prod-manifest", help="save the manifest of production's code (a git ref) for slim CI"
    )
    manifest.add_argument("--ref", default="main", help="what production runs (default main)")
    manifest.add_argument("--state", type=Path, default=slim_ci.DEFAULT_STATE_DIR)
    manifest.add_argument("--target", default="dev", help="production's dbt target")
    manifest.set_defaults(run=cmd_prod_manifest)

    changed = commands.add_parser(
        "ci-changed", help="build and test state:modified+ on the pr target, deferring to prod"
    )
    changed.add_argument("--state", type=Path, default=slim_ci.DEFAULT_STATE_DIR)
    changed.add_argument("--target-path", type=Path, default=Path("target/pr"))
    changed.set_defaults(run=cmd_ci_changed)

    site = commands.add_parser("docs", help="generate the docs site as one static HTML file")
    site.add_argument("--target", default="dev", help="the target whose warehouse is catalogued")
    site.add_argument("--target-path", type=Path, default=Path("target/docs"))
    site.set_defaults(run=cmd_docs)

    serve = commands.add_parser("serve-docs", help="serve the static docs site locally")
    serve.add_argument("--site", type=Path, default=Path("target/docs") / docs.STATIC_FILE)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8780)
    serve.set_defaults(run=cmd_serve_docs)

    lint = commands.add_parser("lint-macros", help="sqlfluff on the SQL inside macros")
    lint.add_argument("paths", nargs="*", type=Path, help="macro files (default: all)")
    lint.set_defaults(run=cmd_lint_macros)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (slim_ci.SlimCiError, docs.DocsError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
