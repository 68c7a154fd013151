"""`tributary sandbox`: the sandbox retailer, a stand-in for a company's source systems."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import time

from sandbox.anomalies import DESCRIPTIONS, KINDS
from tributary import config
from tributary.cli.output import add_command, add_group, option, say
from tributary.errors import NotReadyError

# The sandbox's default "today": a business day, so that every source has a full last day.
DEFAULT_AS_OF = dt.date(2026, 10, 30)


def generate(args: argparse.Namespace) -> None:
    from sandbox.generator import generate as write_sandbox

    layout = config.sandbox_layout()
    if args.if_missing and layout.state_file.exists():
        say(f"Sandbox already at {layout.root} (use `generate` without --if-missing to rebuild).")
        return
    started = time.perf_counter()
    say(f"Generating the sandbox (seed {args.seed}, scale {args.scale}) into {layout.root} ...")
    state = write_sandbox(
        layout.root, seed=args.seed, scale=args.scale, as_of=args.as_of, progress=say
    )
    say(
        f"Generated the sandbox up to {state.as_of} in {time.perf_counter() - started:.1f}s: "
        f"shop database {layout.shop_db}, landing zone {layout.landing}, "
        f"ground truth {layout.ground_truth}."
    )


def next_day(args: argparse.Namespace) -> None:
    from sandbox.generator import next_day as advance

    layout = config.sandbox_layout()
    for _ in range(args.days):
        started = time.perf_counter()
        state = advance(layout.root, progress=say, anomaly=args.anomaly)
        say(f"Advanced the sandbox to {state.as_of} in {time.perf_counter() - started:.1f}s.")
    injected = (
        f" with the {args.anomaly!r} anomaly (recorded in {layout.ground_truth / 'anomalies.json'})"
        if args.anomaly
        else ""
    )
    say(f"Sources under {layout.root} changed{injected}; run `tributary load` to load them.")


def serve_api(args: argparse.Namespace) -> None:
    from sandbox.api import ApiBehaviour, serve_forever

    layout = config.sandbox_layout()
    if not layout.api_db.exists():
        raise NotReadyError(
            f"no sandbox API store at {layout.api_db}", "run `tributary sandbox generate` first"
        )
    behaviour = ApiBehaviour(
        token=config.sandbox_api_token(),
        rate_limit_per_second=args.rate_limit,
        error_rate=args.error_rate,
    )
    # Stop cleanly on Ctrl-C and on SIGTERM (what a supervisor or CI sends), even where the
    # shell that started us in the background set SIGINT to be ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    say(f"Serving the sandbox API on http://{args.host}:{args.port} (Ctrl-C stops) ...")
    serve_forever(layout.api_db, behaviour, args.host, args.port)
    say("Sandbox API stopped.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def register(commands: argparse._SubParsersAction) -> None:
    sandbox = add_group(commands, "sandbox", "the sandbox retailer: generate, advance, serve")
    add_command(
        sandbox,
        "generate",
        generate,
        "write a fresh sandbox (replaces the one there)",
        "tributary sandbox generate --seed 42 --scale 0.1",
        option("--seed", type=int, default=42),
        option("--scale", type=float, default=1.0, help="1 = 5,000 customers"),
        option(
            "--as-of",
            type=dt.date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"the sandbox's 'today', a business day (default {DEFAULT_AS_OF})",
        ),
        option("--if-missing", action="store_true", help="keep an existing sandbox"),
    )
    add_command(
        sandbox,
        "next-day",
        next_day,
        "advance the sandbox by one business day",
        "tributary sandbox next-day --days 2 --anomaly volume",
        option("--days", type=int, default=1, help="business days to advance"),
        option(
            "--anomaly",
            choices=KINDS,
            help="inject trouble into the new days for monitoring to catch: "
            + "; ".join(f"{kind}: {DESCRIPTIONS[kind]}" for kind in KINDS),
        ),
    )
    add_command(
        sandbox,
        "serve-api",
        serve_api,
        "serve the sandbox FX and reviews API until Ctrl-C",
        "tributary sandbox serve-api --port 8765",
        option("--host", default=config.SANDBOX_API_HOST),
        option("--port", type=int, default=config.sandbox_api_port()),
        option("--rate-limit", type=float, default=10.0, help="requests per second"),
        option("--error-rate", type=float, default=0.02, help="share answered 500"),
    )
