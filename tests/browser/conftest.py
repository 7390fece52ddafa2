"""Fixtures of the browser tests: the built website served on 127.0.0.1, visited with Chromium.

Chromium is Debian's (``apt-get install -y chromium``), driven by Playwright; the tests are
skipped, with the reason, where ``/usr/bin/chromium`` is missing (``SEQLAB_CHROMIUM`` names
another binary). Playwright never downloads a browser here. Every request that leaves
127.0.0.1 is recorded (:func:`browser_tools.watch`) and fails the tests. Requests are not
intercepted: interception changes what Chromium asks for (it stops fetching ``/favicon.ico``,
for one), and the tests must see what a reader's browser does.

The site is built once per session (strict, from the committed pages), or taken from the
``site`` fixture when a parent conftest provides one (so that the book and browser tests
share one build), or from ``SEQLAB_SITE_HTML`` (the html folder of a site built beforehand).
Screenshots go to ``_build/test-artifacts/`` (ignored by git).
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from browser_tools import VIEWPORT, watch

from seqlab import book

CHROMIUM = Path(os.environ.get("SEQLAB_CHROMIUM", "/usr/bin/chromium"))
#: flags for running Chromium as root in a container, with nothing that phones home
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = book.ROOT / "_build" / "test-artifacts"
HOST = "127.0.0.1"


@pytest.fixture(scope="session")
def site_html(request, tmp_path_factory) -> Path:
    """The html folder of the site, built strictly (warnings are errors) from the committed pages."""
    if os.environ.get("SEQLAB_SITE_HTML"):  # a site built beforehand, e.g. by `python -m seqlab.book build`
        html = Path(os.environ["SEQLAB_SITE_HTML"])
        assert (html / "index.html").is_file(), f"SEQLAB_SITE_HTML={html} holds no built site"
        return html
    try:
        return Path(request.getfixturevalue("site"))  # shared with the book tests when a parent provides it
    except pytest.FixtureLookupError:
        pass
    out = tmp_path_factory.mktemp("browser-site")
    index = book.build(book.ROOT, out, generate=False)
    return index.parent


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser that closes a connection early (an aborted request) is not an error of the site."""


@pytest.fixture(scope="session")
def base_url(site_html) -> str:
    """``http://127.0.0.1:PORT/``: the site served by a local HTTP server for the session."""
    handler = functools.partial(_QuietHandler, directory=str(site_html))
    server = _Server((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright (skipped where it is not installed)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (install it with `apt-get install -y chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def context(browser):
    """One browser context (cookies, storage, cache) for the interactive tests of the session."""
    ctx = browser.new_context(viewport=VIEWPORT, service_workers="block")
    yield ctx
    ctx.close()


@pytest.fixture
def open_page(context, base_url):
    """``open_page("book/welcome.html")`` -> (page, log): a fresh tab that records what goes wrong."""
    opened = []

    def _open(path: str, wait_until: str = "load"):
        page = context.new_page()
        log = watch(page, base_url)
        page.goto(base_url + path, wait_until=wait_until)
        opened.append(page)
        return page, log

    yield _open
    for page in opened:
        page.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder of the screenshots kept as test artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
