"""The docs site: dbt's docs as one static HTML file, and a local server for it.

`dbt docs generate --static` inlines the manifest and the catalog into `static_index.html`, so
the site is a single file that can be mailed, attached to a CI run or served as it is; the
catalog (column types, row counts) comes from the warehouse of the target it runs on.
"""

from __future__ import annotations

import http.server
import time
from pathlib import Path

from tributary import config, dbt
from tributary.errors import NotReadyError, TributaryError
from tributary.foreground import serve_until_stopped, stop_on_ctrl_c_or_sigterm

STATIC_FILE = "static_index.html"
# dbt's column table cuts every description to one line of the width left to it (a dozen or two
# characters), so a reader sees "The CRM's c..." and must open each column. The site's one
# addition to dbt's page: descriptions wrap, in half the table's width.
COLUMN_DESCRIPTIONS_WRAP = (
    "<style>tr.column-row > td[style*='text-overflow'] "
    "{ white-space: normal !important; max-width: none !important; width: 50%; }</style>"
)


def generate_docs(target: str = "dev", target_path: Path = Path("target/docs")) -> Path:
    """`dbt docs generate --static` on `target`; the path of the single-file site."""
    target_path = config.in_project(target_path)
    started = time.perf_counter()
    print(f"Generating the docs site (dbt docs generate --static, target {target}) ...", flush=True)
    code = dbt.run(
        "dbt",
        ["docs", "generate", "--static", "--target", target, "--target-path", str(target_path)],
    ).returncode
    site = target_path / STATIC_FILE
    if code != 0 or not site.exists():
        raise TributaryError(
            f"dbt docs generate failed (exit {code})", "see dbt's output above for the node"
        )
    page = site.read_text()
    if COLUMN_DESCRIPTIONS_WRAP not in page:
        site.write_text(page.replace("</head>", COLUMN_DESCRIPTIONS_WRAP + "</head>", 1))
    size_mb = site.stat().st_size / 1e6
    print(
        f"Docs site generated in {time.perf_counter() - started:.0f}s: {site} ({size_mb:.1f} MB, "
        "one file; open it in a browser or run `make serve-docs`)."
    )
    return site


# Reports the site's pages link to (relative to the site's file, ../../reports/<folder>/...,
# which a browser resolves the same from the server's / and from target/docs/ on disk).
LINKED_REPORT_FOLDERS = ("resolution",)


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves the one file at / and /index.html, and the HTML reports its pages link to
    (/reports/<folder>/<name>.html, for LINKED_REPORT_FOLDERS); everything else is a 404."""

    site: Path
    served = 0

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            body = self.site.read_bytes()  # read per request: a `make docs` meanwhile shows up
        elif (report := _linked_report(path)) is not None:
            body = report.read_bytes()
        else:
            self.send_error(404, "The docs site is the single page at /")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        type(self).served += 1

    def log_message(self, format: str, *args: object) -> None:
        print(f"  {self.address_string()} {format % args}", flush=True)


def _linked_report(path: str) -> Path | None:
    """The report file a request path names, when it is one the site links to."""
    parts = path.strip("/").split("/")
    if len(parts) != 3 or parts[0] != "reports" or parts[1] not in LINKED_REPORT_FOLDERS:
        return None
    name = parts[2]
    if not name.endswith(".html") or name.startswith(".") or "\\" in name:
        return None
    report = config.reports_dir() / parts[1] / name
    return report if report.is_file() else None


class _SiteServer(http.server.ThreadingHTTPServer):
    # A browser keeps idle connections open; stopping must not wait for them to close.
    daemon_threads = True
    block_on_close = False


def serve_docs(site: Path, host: str = "127.0.0.1", port: int = 8780) -> None:
    """Serve `site` until Ctrl-C or SIGTERM, then return."""
    site = config.in_project(site)
    if not site.exists():
        raise NotReadyError(f"no docs site at {site}", "run `make docs` first")
    handler = type("SiteHandler", (_SiteHandler,), {"site": site, "served": 0})
    try:
        server = _SiteServer((host, port), handler)
    except OSError as exc:
        raise TributaryError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "choose another port (DOCS_PORT)"
        ) from exc

    # before the banner: whoever reads it may stop the server at once
    stop_on_ctrl_c_or_sigterm()
    print(f"Serving the docs site {site} at http://{host}:{port}/ (Ctrl-C stops) ...", flush=True)
    serve_until_stopped(server)
    print(f"Docs server on http://{host}:{port}/ stopped after {handler.served} page request(s).")
