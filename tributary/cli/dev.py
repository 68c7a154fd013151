"""`tributary dev`: the developer workflow and CI (the build on any warehouse, slim CI, the
docs site, the macro lint)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tributary.cli.output import add_command, add_group, option
from tributary.dataops import docs, slim_ci
from tributary.errors import TributaryError


def build(args: argparse.Namespace) -> None:
    from tributary.cli.output import say
    from tributary.resolution import step

    started = time.monotonic()
    dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
    runs = step.build(args.target, args.target_path, dbt_args, say)
    if runs[-1].returncode != 0:
        raise TributaryError(
            f"dbt build on {args.target} failed (dbt exit {runs[-1].returncode})",
            "see dbt's output above for the failing nodes, fix them and run it again",
        )
    say(
        f"Build on {args.target} done in {time.monotonic() - started:.0f}s with "
        f"{len(runs)} dbt invocation(s); results in {args.target_path}/run_results.json."
    )


def prod_manifest(args: argparse.Namespace) -> None:
    slim_ci.prod_manifest(ref=args.ref, state_dir=args.state, target=args.target)


def ci_changed(args: argparse.Namespace) -> None:
    code = slim_ci.ci_changed(state_dir=args.state, target_path=args.target_path)
    if code != 0:
        raise TributaryError(
            f"the slim CI build failed (dbt exit {code})",
            "see dbt's output above for the failing nodes, fix them and run it again",
        )


def generate_docs(args: argparse.Namespace) -> None:
    docs.generate_docs(target=args.target, target_path=args.target_path)


def serve_docs(args: argparse.Namespace) -> None:
    docs.serve_docs(args.site, host=args.host, port=args.port)


def lint_macros(args: argparse.Namespace) -> None:
    from tributary.dataops import macro_lint

    violations = macro_lint.lint_and_report(args.paths)
    if violations:
        raise TributaryError(
            f"{violations} sqlfluff violation(s) in the macros",
            "fix each one listed above by hand (`make fix` does not rewrite macros)",
        )


def register(commands: argparse._SubParsersAction) -> None:
    dev = add_group(commands, "dev", "developer workflow and CI: slim CI, docs site, macro lint")
    state = option("--state", type=Path, default=slim_ci.DEFAULT_STATE_DIR, help="its folder")
    add_command(
        dev,
        "build",
        build,
        "the full dbt build on any target (the linkage beside dbt where it runs no Python models)",
        "tributary dev build --target postgres --target-path target/postgres -- --quiet",
        option("--target", default="dev", help="the dbt target (profiles.yml)"),
        option("--target-path", type=Path, default=Path("target")),
        option("dbt_args", nargs=argparse.REMAINDER, help="more dbt build arguments, after --"),
    )
    add_command(
        dev,
        "prod-manifest",
        prod_manifest,
        "save the manifest of production's code (a git ref) for slim CI",
        "tributary dev prod-manifest --ref main",
        option("--ref", default="main", help="what production runs (default main)"),
        state,
        option("--target", default="dev", help="production's dbt target"),
    )
    add_command(
        dev,
        "ci-changed",
        ci_changed,
        "slim CI: build and test state:modified+ on the pr target, deferring to production",
        "tributary dev ci-changed --target-path target/pr",
        state,
        option("--target-path", type=Path, default=Path("target/pr")),
    )
    add_command(
        dev,
        "docs",
        generate_docs,
        "generate the docs site as one static HTML file",
        "tributary dev docs --target dev",
        option("--target", default="dev", help="the target whose warehouse is catalogued"),
        option("--target-path", type=Path, default=Path("target/docs")),
    )
    add_command(
        dev,
        "serve-docs",
        serve_docs,
        "serve the static docs site on 127.0.0.1 until Ctrl-C",
        "tributary dev serve-docs --port 8780",
        option("--site", type=Path, default=Path("target/docs") / docs.STATIC_FILE),
        option("--host", default="127.0.0.1"),
        option("--port", type=int, default=8780),
    )
    add_command(
        dev,
        "lint-macros",
        lint_macros,
        "sqlfluff on the SQL inside macros and generic tests",
        "tributary dev lint-macros macros/utils/currency.sql",
        option("paths", nargs="*", type=Path, help="macro files (default: all)"),
    )
