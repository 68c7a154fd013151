"""The sandbox API: a real HTTP server for the FX-rate and product-review sources.

Two APIs behind one port, both reading the SQLite store that `api_store.py` writes, afresh on every
request (no caching), so `next-day` changes are served without a restart:

FX rates, `/v1/...`, in the request and response format of the public Frankfurter API v1
(https://frankfurter.dev/v1/), so that pointing the fx source at `https://api.frankfurter.dev/v1/`
is a configuration change only. No authentication, as there is none on Frankfurter.

- `GET /v1/latest`, `GET /v1/YYYY-MM-DD`: `{"amount": 1.0, "base": "EUR", "date": "...",
  "rates": {"GBP": 0.8571, ...}}`. A date without rates (weekend, TARGET holiday) resolves to
  the nearest earlier business day, and `date` says which one was served.
- `GET /v1/START..END` and the open-ended `GET /v1/START..`: `{"amount", "base", "start_date",
  "end_date", "rates": {"YYYY-MM-DD": {"GBP": ...}, ...}}`, business days only. As Frankfurter
  does, a START without rates starts the series at the business day before it.
- `GET /v1/currencies`: `{"BRL": "Brazilian Real", ...}`.
- Query parameters `base` (alias `from`, default EUR), `symbols` (alias `to`, comma-separated)
  and `amount` (default 1). Codes are case-insensitive.
- Errors as Frankfurter answers them: 404 `{"message": "not found"}` for an unknown currency or a
  date with no rates on or before it (or after the sandbox's "today", the last day in the store:
  Frankfurter answers 404 for dates in the future); 422 `{"message": ...}` for an invalid date,
  a non-positive amount, or base equal to the only symbol ("bad currency pair").
- Rounding as Frankfurter v1 does it: EUR rates for an amount of 1 are served exactly as stored
  (the ECB publishes them at 5 significant digits); any other amount, and every cross rate for a
  non-EUR base (computed from the EUR rates), is rounded to a quotation's usual precision:
  no decimals above 5000, 2 above 80, 3 above 20, 4 above 1, 5 above 0.0001, 6 below.

Product reviews, `GET /api/v1/reviews?updated_since=<ISO>&limit=<n>&cursor=<opaque>`, behind a
bearer token, answering `{"data": [...], "next_cursor": "..." | null}`: rows ordered by
(updated_at, review_id) with `updated_at >= updated_since`, paged by a keyset cursor (urlsafe
base64 of the last row's `[updated_at, review_id]`). It behaves like a real API at its worst:

- a wrong or missing token gets 401 `{"error": "invalid bearer token"}`;
- each token has a token bucket (`rate_limit_per_second`, `burst`); past it, 429 with
  `Retry-After: 1`;
- a share `error_rate` of requests gets 500, drawn from `random.Random(seed)`, so a given
  sequence of requests fails the same way every time.

`GET /health` answers 200. Anything else is 404 JSON. Request counters (served, 401, 429, 500)
live on the `RunningApi` handle, so tests can assert that the errors really happened.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import logging
import random
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tributary.foreground import serve_until_stopped

CURRENCY_NAMES = {
    "AUD": "Australian Dollar",
    "BRL": "Brazilian Real",
    "CAD": "Canadian Dollar",
    "CHF": "Swiss Franc",
    "CNY": "Chinese Renminbi Yuan",
    "DKK": "Danish Krone",
    "EUR": "Euro",
    "GBP": "British Pound",
    "JPY": "Japanese Yen",
    "NOK": "Norwegian Krone",
    "PLN": "Polish Złoty",
    "SEK": "Swedish Krona",
    "USD": "United States Dollar",
}
REVIEW_COLUMNS = (
    "review_id",
    "product_id",
    "customer_id",
    "order_id",
    "rating",
    "title",
    "body",
    "language",
    "verified_purchase",
    "created_at",
    "updated_at",
)
DEFAULT_PAGE_SIZE = 100
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

logger = logging.getLogger(__name__)


@dataclass
class ApiBehaviour:
    """How the sandbox API treats its clients."""

    token: str  # bearer token the reviews endpoint accepts
    rate_limit_per_second: float = 10.0  # token bucket per client token; past it -> 429
    burst: int = 10
    error_rate: float = 0.02  # share of reviews requests answered 500, from Random(seed)
    seed: int = 42
    max_page_size: int = 1000
    verbose: bool = False  # log every request to stderr (off: the server is quiet)


@dataclass
class ApiCounters:
    """What the server has answered so far; thread-safe."""

    requests: int = 0
    unauthorized: int = 0  # 401
    rate_limited: int = 0  # 429
    server_errors: int = 0  # 500
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, status: int) -> None:
        with self._lock:
            self.requests += 1
            if status == 401:
                self.unauthorized += 1
            elif status == 429:
                self.rate_limited += 1
            elif status >= 500:
                self.server_errors += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "unauthorized": self.unauthorized,
                "rate_limited": self.rate_limited,
                "server_errors": self.server_errors,
            }


class ApiError(Exception):
    """An error answered as JSON: `{key: message}` with an HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        key: str = "error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {key: message}
        self.headers = headers or {}


class _TokenBuckets:
    """One token bucket per client token: `rate` tokens a second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            return allowed


class _ApiState:
    """Everything the request handlers share."""

    def __init__(self, api_db: Path, behaviour: ApiBehaviour) -> None:
        self.api_db = Path(api_db)
        self.behaviour = behaviour
        self.counters = ApiCounters()
        self.buckets = _TokenBuckets(behaviour.rate_limit_per_second, behaviour.burst)
        self._errors = random.Random(behaviour.seed)
        self._errors_lock = threading.Lock()

    def should_fail(self) -> bool:
        with self._errors_lock:
            return self._errors.random() < self.behaviour.error_rate

    @contextmanager
    def store(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection to the store, opened for one request."""
        if not self.api_db.exists():
            raise ApiError(503, f"api store not found: {self.api_db}")
        connection = sqlite3.connect(f"{self.api_db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            yield connection
        finally:
            connection.close()


# ---------------------------------------------------------------------------------------------
# FX: Frankfurter v1


def frankfurter_round(value: float) -> float:
    """Round a rate to the precision it is usually quoted at, as Frankfurter v1 does."""
    if value > 5000:
        return float(round(value))
    if value > 80:
        return round(value, 2)
    if value > 20:
        return round(value, 3)
    if value > 1:
        return round(value, 4)
    if value > 0.0001:
        return round(value, 5)
    return round(value, 6)


@dataclass(frozen=True)
class _FxQuery:
    amount: float
    base: str
    symbols: tuple[str, ...] | None

    @classmethod
    def parse(cls, params: dict[str, str]) -> _FxQuery:
        amount = 1.0
        if "amount" in params:
            try:
                amount = float(params["amount"])
            except ValueError:
                amount = 0.0
            if not amount > 0:
                raise ApiError(422, "invalid amount", key="message")
        base = (params.get("from") or params.get("base") or "EUR").upper()
        raw_symbols = params.get("to") or params.get("symbols")
        symbols = tuple(raw_symbols.upper().split(",")) if raw_symbols else None
        if symbols == (base,):
            raise ApiError(422, "bad currency pair", key="message")
        return cls(amount, base, symbols)

    def quote(self, eur_rates: dict[str, float]) -> dict[str, float]:
        """Rates of one day for this query, from that day's EUR rates; empty if not quotable."""
        rebase = self.base != "EUR"
        rounded = self.amount != 1.0 or rebase
        prepared = {
            currency: frankfurter_round(self.amount * rate) if rounded else self.amount * rate
            for currency, rate in eur_rates.items()
            if self.symbols is None or currency in self.symbols or currency == self.base
        }
        if not rebase:
            return dict(sorted(prepared.items()))
        if self.symbols is None or "EUR" in self.symbols:
            prepared["EUR"] = self.amount
        divisor = prepared.pop(self.base, None)
        if divisor is None or not prepared:
            return {}
        return {
            currency: frankfurter_round(self.amount * rate / divisor)
            for currency, rate in sorted(prepared.items())
        }


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ApiError(422, "invalid date", key="message") from None


def _fx_not_found() -> ApiError:
    return ApiError(404, "not found", key="message")


def _rates_by_day(store: sqlite3.Connection, first: str, last: str) -> dict[str, dict[str, float]]:
    by_day: dict[str, dict[str, float]] = {}
    for day, currency, rate in store.execute(
        "select rate_date, currency, rate_per_eur from fx_rates "
        "where rate_date between ? and ? order by rate_date, currency",
        (first, last),
    ):
        by_day.setdefault(day, {})[currency] = rate
    return by_day


def _latest_day(store: sqlite3.Connection, on_or_before: str | None = None) -> str | None:
    if on_or_before is None:
        row = store.execute("select max(rate_date) from fx_rates").fetchone()
    else:
        row = store.execute(
            "select max(rate_date) from fx_rates where rate_date <= ?", (on_or_before,)
        ).fetchone()
    return row[0] if row else None


def fx_end_of_day(
    store: sqlite3.Connection, day: dt.date | None, params: dict[str, str]
) -> dict[str, Any]:
    """`/v1/latest` (day None) and `/v1/YYYY-MM-DD`."""
    query = _FxQuery.parse(params)
    today = _latest_day(store)
    if today is None or (day is not None and day.isoformat() > today):
        raise _fx_not_found()
    served = today if day is None else _latest_day(store, day.isoformat())
    if served is None:
        raise _fx_not_found()
    rates = query.quote(_rates_by_day(store, served, served).get(served, {}))
    if not rates:
        raise _fx_not_found()
    return {"amount": query.amount, "base": query.base, "date": served, "rates": rates}


def fx_time_series(
    store: sqlite3.Connection, first: dt.date, last: dt.date | None, params: dict[str, str]
) -> dict[str, Any]:
    """`/v1/START..END` and `/v1/START..`."""
    query = _FxQuery.parse(params)
    today = _latest_day(store)
    if today is None or first.isoformat() > today:
        raise _fx_not_found()
    start = _latest_day(store, first.isoformat()) or first.isoformat()
    end = today if last is None else min(last.isoformat(), today)
    rates = {
        day: quoted
        for day, eur_rates in _rates_by_day(store, start, end).items()
        if (quoted := query.quote(eur_rates))
    }
    if not rates:
        raise _fx_not_found()
    days = list(rates)
    return {
        "amount": query.amount,
        "base": query.base,
        "start_date": days[0],
        "end_date": days[-1],
        "rates": rates,
    }


def fx_currencies(store: sqlite3.Connection) -> dict[str, str]:
    codes = {row[0] for row in store.execute("select distinct currency from fx_rates")} | {"EUR"}
    return {code: CURRENCY_NAMES.get(code, code) for code in sorted(codes)}


# ---------------------------------------------------------------------------------------------
# Reviews


def encode_cursor(updated_at: str, review_id: int) -> str:
    raw = json.dumps([updated_at, review_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        updated_at, review_id = json.loads(raw)
        return str(updated_at), int(review_id)
    except (binascii.Error, ValueError, TypeError):
        raise ApiError(400, "invalid cursor") from None


def _normalize_timestamp(text: str) -> str:
    """Any ISO 8601 timestamp, as the store writes them: UTC, seconds, trailing Z."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"invalid updated_since: {text!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime(TIMESTAMP_FORMAT)


def reviews_page(
    store: sqlite3.Connection, params: dict[str, str], max_page_size: int
) -> dict[str, Any]:
    try:
        limit = int(params.get("limit", DEFAULT_PAGE_SIZE))
    except ValueError:
        raise ApiError(400, "limit must be an integer") from None
    if limit < 1:
        raise ApiError(400, "limit must be positive")
    limit = min(limit, max_page_size)
    since = _normalize_timestamp(params.get("updated_since", "1970-01-01T00:00:00Z"))
    sql = f"select {', '.join(REVIEW_COLUMNS)} from reviews where updated_at >= ?"
    args: list[Any] = [since]
    if "cursor" in params:
        after_updated_at, after_id = decode_cursor(params["cursor"])
        sql += " and (updated_at > ? or (updated_at = ? and review_id > ?))"
        args += [after_updated_at, after_updated_at, after_id]
    sql += " order by updated_at, review_id limit ?"
    args.append(limit + 1)
    rows = [dict(zip(REVIEW_COLUMNS, row, strict=True)) for row in store.execute(sql, args)]
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        if row["verified_purchase"] is not None:
            row["verified_purchase"] = bool(row["verified_purchase"])
    last = rows[-1] if rows else None
    next_cursor = encode_cursor(last["updated_at"], last["review_id"]) if more and last else None
    return {"data": rows, "next_cursor": next_cursor}


# ---------------------------------------------------------------------------------------------
# HTTP


def _handler_for(state: _ApiState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "TributarySandboxAPI/1.0"
        timeout = 30  # idle keep-alive connections end after this

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {key: values[-1] for key, values in parse_qs(url.query).items()}
            headers: dict[str, str] = {}
            try:
                status, body = 200, self._route(url.path.rstrip("/") or "/", params)
            except ApiError as error:
                status, body, headers = error.status, error.body, error.headers
            except sqlite3.Error as error:
                status, body = 503, {"error": f"api store unavailable: {error}"}
            self._send(status, body, headers)

        def _route(self, path: str, params: dict[str, str]) -> Any:
            if path == "/health":
                return {"status": "ok"}
            if path == "/api/v1/reviews":
                self._guard_reviews()
                with state.store() as store:
                    return reviews_page(store, params, state.behaviour.max_page_size)
            if path.startswith("/v1/"):
                return self._route_fx(path.removeprefix("/v1/"), params)
            raise ApiError(404, f"not found: {path}")

        def _route_fx(self, resource: str, params: dict[str, str]) -> Any:
            with state.store() as store:
                if resource == "latest":
                    return fx_end_of_day(store, None, params)
                if resource == "currencies":
                    return fx_currencies(store)
                if ".." in resource:
                    first, _, last = resource.partition("..")
                    end = _parse_date(last) if last else None
                    return fx_time_series(store, _parse_date(first), end, params)
                if len(resource) == 10 and resource[4] == "-" and resource[7] == "-":
                    return fx_end_of_day(store, _parse_date(resource), params)
            raise _fx_not_found()

        def _guard_reviews(self) -> None:
            """Authorization, then the rate limit, then the random server error."""
            scheme, _, presented = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                presented.strip().encode(), state.behaviour.token.encode()
            ):
                raise ApiError(401, "invalid bearer token", headers={"WWW-Authenticate": "Bearer"})
            if not state.buckets.take(presented.strip()):
                raise ApiError(429, "rate limit exceeded", headers={"Retry-After": "1"})
            if state.should_fail():
                raise ApiError(500, "internal server error (injected by the sandbox)")

        def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
            payload = json.dumps(body, ensure_ascii=False).encode()
            state.counters.count(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            if state.behaviour.verbose:
                super().log_message(format, *args)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up on a kept-alive connection are normal; anything else is printed."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


def _make_server(api_db: Path, behaviour: ApiBehaviour, host: str, port: int) -> _Server:
    state = _ApiState(api_db, behaviour)
    server = _Server((host, port), _handler_for(state))
    server.state = state  # type: ignore[attr-defined]
    return server


class RunningApi:
    """A sandbox API serving in a daemon thread: `.url`, `.port`, counters, `.stop()`."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self._state: _ApiState = server.state  # type: ignore[attr-defined]
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"

    @property
    def counters(self) -> ApiCounters:
        return self._state.counters

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningApi:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_api_server(
    api_db: Path, behaviour: ApiBehaviour, host: str = "127.0.0.1", port: int = 0
) -> RunningApi:
    """Start the sandbox API in a daemon thread; port 0 picks a free port."""
    server = _make_server(api_db, behaviour, host, port)
    bound_port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},  # so that stop() returns quickly
        name=f"sandbox-api-{bound_port}",
        daemon=True,
    )
    thread.start()
    return RunningApi(server, thread)


def serve_forever(api_db: Path, behaviour: ApiBehaviour, host: str, port: int) -> None:
    """Serve the sandbox API in the foreground until Ctrl-C (for the `serve-api` command)."""
    server = _make_server(api_db, behaviour, host, port)
    bound_host, bound_port = server.server_address[:2]
    # The command line says where it serves; this is for whoever turns logging up.
    logger.info("sandbox API on http://%s:%s (store %s)", bound_host, bound_port, api_db)
    serve_until_stopped(server)
