"""Say in one sentence why an API source failed, so that the command line need not print a
stack of dlt exceptions.

dlt wraps an HTTP failure several times over: `PipelineStepFailed` (the step) ->
`ResourceExtractionError` (the resource) -> `requests.HTTPError` (the response).
`explain_api_error(exc)` walks that chain and returns a sentence for the first HTTP error it finds,
or None when the failure was not an HTTP error (the caller then shows the exception as it is).
The command line uses it like this:

    try:
        pipeline.run(reviews_source(url, token))
    except PipelineStepFailed as exc:
        raise SystemExit(explain_api_error(exc) or str(exc)) from exc

Chosen over raising a custom `ApiAuthError` from inside the source: dlt would wrap that in the
same `PipelineStepFailed` chain anyway, so one helper at the edge covers every status code and
leaves the sources plain declarative `rest_api` configs.

Which failures got here at all: dlt's HTTP client retries 429 (honouring `Retry-After`) and 5xx
up to `runtime.request_max_attempts`, so a 429 or 5xx here means the retries ran out; a 401, 403
or 404 is never retried, so it arrives after a single request.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from requests import HTTPError

RETRY_SETTINGS = (
    "runtime.request_max_attempts, runtime.request_backoff_factor and "
    "runtime.request_max_retry_delay (env RUNTIME__REQUEST_MAX_ATTEMPTS, ...)"
)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        wrapped = getattr(current, "exception", None)  # PipelineStepFailed keeps it here
        current = (
            current.__cause__
            or (wrapped if isinstance(wrapped, BaseException) else None)
            or current.__context__
        )
    return chain


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def find_http_error(exc: BaseException) -> HTTPError | None:
    """The HTTP error (with its response) that caused `exc`, if one did."""
    for cause in _causes(exc):
        if isinstance(cause, HTTPError) and cause.response is not None:
            return cause
    return None


def explain_api_error(exc: BaseException) -> str | None:
    """A one-line explanation of an API source's failure, or None if it was not an HTTP error."""
    error = find_http_error(exc)
    if error is None or error.response is None:
        return None
    status = error.response.status_code
    url = _without_query(error.response.url or "")
    if status == 401:
        return (
            f"The API at {url} rejected the bearer token (HTTP 401): the token is wrong or "
            "missing. Check the configured token (sources.<name>.token, or "
            "TRIBUTARY_SANDBOX_API_TOKEN for the sandbox API). Not retried."
        )
    if status == 403:
        return (
            f"The API at {url} accepted the token but refused access (HTTP 403): the token "
            "lacks the permission for this endpoint. Not retried."
        )
    if status == 404:
        return f"The API has no {url} (HTTP 404): check the source's base_url."
    if status == 429:
        return (
            f"The API at {url} kept rate-limiting the requests (HTTP 429) until the retries "
            f"ran out. Allow more or slower retries with {RETRY_SETTINGS}."
        )
    if status >= 500:
        return (
            f"The API at {url} kept failing (HTTP {status}) until the retries ran out. "
            f"Try again later, or allow more retries with {RETRY_SETTINGS}."
        )
    return f"The API at {url} answered HTTP {status}: {error}"
